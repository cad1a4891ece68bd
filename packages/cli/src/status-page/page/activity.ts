/**
 * Counts for the activity chart: jobs finished (served here, requested from here, failed) and
 * searches, per second for the longest window the chart offers, summed into wider buckets for
 * the window shown. Pure state, no DOM.
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
  /** The finest bucket. @default 1_000 */
  bucketMs?: number
  /** How far back counts are kept: the longest window. @default 900_000 (fifteen minutes) */
  keepMs?: number
}

/** Buckets per window: a bar every 1 s over a minute, every 5 s over five. */
export const BUCKETS_PER_WINDOW = 60

export class Activity {
  readonly bucketMs: number
  readonly keepMs: number
  private readonly buckets = new Map<number, Bucket>()

  constructor (init: ActivityInit = {}) {
    this.bucketMs = init.bucketMs ?? 1_000
    this.keepMs = init.keepMs ?? 900_000
  }

  /** Whether the event counts on the chart. */
  apply (event: GridEvent): boolean {
    const series = seriesOf(event)
    if (series == null) return false
    const start = Math.floor(event.at / this.bucketMs) * this.bucketMs
    let bucket = this.buckets.get(start)
    if (bucket == null) {
      bucket = { start, counts: zero() }
      this.buckets.set(start, bucket)
    }
    bucket.counts[series]++
    return true
  }

  /**
   * The buckets of `windowMs / BUCKETS_PER_WINDOW` (at least the finest) that overlap the
   * window ending at `now`, oldest first; those with nothing are left out.
   */
  window (now: number, windowMs: number): Bucket[] {
    for (const start of this.buckets.keys()) if (start < now - this.keepMs - this.bucketMs) this.buckets.delete(start)
    const size = this.bucketFor(windowMs)
    const wide = new Map<number, Bucket>()
    for (const b of this.buckets.values()) {
      const start = Math.floor(b.start / size) * size
      if (start + size <= now - windowMs || start > now) continue
      let w = wide.get(start)
      if (w == null) {
        w = { start, counts: zero() }
        wide.set(start, w)
      }
      for (const k of SERIES) w.counts[k] += b.counts[k]
    }
    return [...wide.values()].sort((a, b) => a.start - b.start)
  }

  /** The width of the buckets `window()` gives for that window. */
  bucketFor (windowMs: number): number {
    return Math.max(this.bucketMs, Math.round(windowMs / BUCKETS_PER_WINDOW / this.bucketMs) * this.bucketMs)
  }
}

function zero (): Record<Series, number> {
  return { served: 0, requested: 0, failed: 0, searches: 0 }
}

function seriesOf (event: GridEvent): Series | undefined {
  if (event.type === 'search') return 'searches'
  if (event.type !== 'job:served' && event.type !== 'job:requested') return undefined
  if (event.phase === 'error') return 'failed'
  if (event.phase !== 'result') return undefined
  return event.type === 'job:served' ? 'served' : 'requested'
}
