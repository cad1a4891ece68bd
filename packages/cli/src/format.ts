/** A plain-text table for people: left-aligned columns, a header, two spaces between. */
export function table (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)).join('  ')
  return [line(header), ...rows.map(line)].join('\n')
}

export function duration (ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  return h < 24 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`
}

export function json (value: unknown): string {
  return JSON.stringify(value, null, 2)
}

const BYTE_UNITS = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const

/** `1073741824 (1 GiB)`: the exact number a flag takes, and what it amounts to. */
export function byteCount (bytes: number): string {
  const unit = BYTE_UNITS.find(([, size]) => bytes >= size)
  return unit == null ? String(bytes) : `${bytes} (${Number((bytes / unit[1]).toFixed(1))} ${unit[0]})`
}
