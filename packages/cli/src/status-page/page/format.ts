/** How the page writes times, durations and peer IDs for a person. */

/** `12D3KooW…x7Yq`: enough to tell peers apart; the full ID is in the title. */
export function shortId (peerId: string): string {
  return peerId.length > 16 ? `${peerId.slice(0, 8)}…${peerId.slice(-6)}` : peerId
}

/** `840 ms`, `2.4 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function duration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1_000) return `${Math.round(ms)} ms`
  if (ms < 10_000) return `${(ms / 1_000).toFixed(1)} s`
  const s = Math.floor(ms / 1_000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h} h ${m % 60} min`
  return `${Math.floor(h / 24)} d ${h % 24} h`
}

/** `just now`, `12 s ago`, `4 min ago`, or the clock time for older. */
export function ago (at: number, now: number): string {
  const ms = now - at
  if (ms < 2_000) return 'just now'
  if (ms < 60_000) return `${Math.floor(ms / 1_000)} s ago`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`
  return clock(at)
}

/** `14:05:09`, local time. */
export function clock (at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

export function rtt (ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '–'
  if (ms < 0.1) return '< 0.1 ms'
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`
}

export function percent (fraction: number): string {
  return `${Math.round(fraction * 100)} %`
}

export function count (n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`
}
