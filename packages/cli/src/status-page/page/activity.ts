/**
 * Counts for the activity chart: jobs finished (served here, requested from here, failed) and
 * searches, per time bucket over a sliding window. Pure state, no DOM.
 */
import type { GridEvent } from './types.js'

export const SERIES = ['served', 'requested', 'failed', 'searches'] as const
export type Series = typeof SERIES[number]

export interface Bucket {
  /** Start of the bucket, ms since the epoch. */
  start: number
  counts: Record<Series, number>
}

export interface ActivityInit {
  /** @default 5_000 */
  bucketMs?: number
  /** @default 300_000 (five minutes) */
  windowMs?: number
}

export class Activity {
  readonly bucketMs: number
  readonly windowMs: number
  /** Since the page opened (or the oldest event replayed), whatever the window shows. */
  readonly totals: Record<Series, number> = { served: 0, requested: 0, failed: 0, searches: 0 }
  private readonly buckets = new Map<number, Bucket>()

  constructor (init: ActivityInit = {}) {
    this.bucketMs = init.bucketMs ?? 5_000
    this.windowMs = init.windowMs ?? 300_000
  }

  /** Whether the event counts on the chart. */
  apply (event: GridEvent): boolean {
    const series = seriesOf(event)
    if (series == null) return false
    this.totals[series]++
    const start = Math.floor(event.at / this.bucketMs) * this.bucketMs
    let bucket = this.buckets.get(start)
    if (bucket == null) {
      bucket = { start, counts: { served: 0, requested: 0, failed: 0, searches: 0 } }
      this.buckets.set(start, bucket)
    }
    bucket.counts[series]++
    return true
  }

  /** The buckets within the window that ends at `now`, oldest first (those with nothing are left out). */
  window (now: number): Bucket[] {
    const from = now - this.windowMs - this.bucketMs
    for (const start of this.buckets.keys()) if (start < from) this.buckets.delete(start)
    return [...this.buckets.values()].filter(b => b.start <= now).sort((a, b) => a.start - b.start)
  }
}

function seriesOf (event: GridEvent): Series | undefined {
  if (event.type === 'search') return 'searches'
  if (event.type !== 'job:served' && event.type !== 'job:requested') return undefined
  if (event.phase === 'error') return 'failed'
  if (event.phase !== 'result') return undefined
  return event.type === 'job:served' ? 'served' : 'requested'
}
