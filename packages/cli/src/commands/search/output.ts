import type { SearchAnswer } from '../../api/shapes.js'
import type { Io } from '../../io.js'

const WIDTHS = [52, 9, 24, 7] as const

/** `(worker, 2/4 busy)`: jobs running or queued there against its pool, as the worker says; `(worker)` from an older node. */
function worker (r: SearchAnswer): string {
  return r.load == null ? '(worker)' : `(worker, ${r.load.running + r.load.waiting}/${r.load.poolSize} busy)`
}

/** Prints holders as they arrive: the header first, then one line per dataset, and one per worker offering a searched capability. */
export function resultPrinter (io: Io, json: boolean): { row: (r: SearchAnswer) => void } {
  if (json) return { row: () => {} }
  let header = false
  const line = (cells: string[]): void => { io.out(cells.map((c, i) => i < WIDTHS.length ? c.padEnd(WIDTHS[i] ?? 0) : c).join('  ').trimEnd()) }
  return {
    row: (r) => {
      if (!header) { line(['PEER', 'RTT', 'DATASET', 'ROWS', 'TAGS']); header = true }
      for (const d of r.datasets) line([r.peerId, `${r.rttMs} ms`, d.name, String(d.rows), d.tags.join(' ')])
      if (r.capabilities != null && r.capabilities.length > 0) line([r.peerId, `${r.rttMs} ms`, worker(r), '-', r.capabilities.join(' ')])
    }
  }
}
