/**
 * The jobs the page shows, built from `job:served` and `job:requested` events alone: one row per
 * job, running until its `result` or `error`, then recent. Pure state, no DOM.
 */
import type { GridEvent, JobPhase } from './types.js'

export type JobSide = 'served' | 'requested'

export interface JobRow {
  key: string
  /** served: run here for `peerId`; requested: sent from here to `peerId`. */
  side: JobSide
  jobId: string
  peerId: string
  dataset?: string
  phase: JobPhase
  /** The last numeric progress, 0…1. */
  progress?: number
  queuePosition?: number
  via?: 'direct' | 'relay'
  /** Times it was sent (requested jobs): more than one when a holder failed and another was tried. */
  attempts: number
  /** When this node first saw the job. */
  firstAt: number
  startedAt?: number
  endedAt?: number
  durationMs?: number
  status?: string
  message?: string
}

/** Rows kept: the running ones and the most recent finished ones. */
export const JOBS_KEPT = 200

export class Jobs {
  private readonly rows = new Map<string, JobRow>()

  /** Whether the event was a job's (and so changed a row). */
  apply (event: GridEvent): boolean {
    if (event.type !== 'job:served' && event.type !== 'job:requested') return false
    if (event.phase == null) return false
    const side: JobSide = event.type === 'job:served' ? 'served' : 'requested'
    const jobId = event.jobId ?? ''
    const peerId = event.peerId ?? ''
    // a requested job keeps its id when it is sent again to another holder; a served one is the requester's id
    const key = jobId === '' ? `${side}:#${event.seq}` : side === 'served' ? `served:${peerId}:${jobId}` : `requested:${jobId}`
    let row = this.rows.get(key)
    if (row == null) {
      row = { key, side, jobId, peerId, phase: event.phase, attempts: 0, firstAt: event.at }
      this.rows.set(key, row)
      this.trim()
    }
    if (row.endedAt != null) return true
    // a progress report means the job runs, whether or not its `started` was seen
    row.phase = event.phase === 'progress' ? 'started' : event.phase
    if (peerId !== '') row.peerId = peerId
    if (event.dataset != null) row.dataset = event.dataset
    if (event.via != null) row.via = event.via
    switch (event.phase) {
      case 'dispatched':
        row.attempts++
        row.progress = undefined
        break
      case 'accepted':
        row.queuePosition = event.queuePosition
        break
      case 'started':
        row.startedAt = event.at
        break
      case 'progress':
        row.startedAt ??= event.at
        if (typeof event.progress === 'number' && Number.isFinite(event.progress)) row.progress = Math.min(1, Math.max(0, event.progress))
        break
      case 'result':
      case 'error':
        row.endedAt = event.at
        row.durationMs = event.durationMs ?? event.at - row.firstAt
        if (event.phase === 'result') row.progress = 1
        row.status = event.status
        row.message = event.message
        break
    }
    return true
  }

  /** Jobs still running, the oldest first. */
  running (): JobRow[] {
    return [...this.rows.values()].filter(r => r.endedAt == null).sort((a, b) => a.firstAt - b.firstAt)
  }

  /** Finished jobs, the newest first. */
  recent (limit = 50): JobRow[] {
    return [...this.rows.values()].filter(r => r.endedAt != null).sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0)).slice(0, limit)
  }

  private trim (): void {
    if (this.rows.size <= JOBS_KEPT) return
    const finished = this.recent(Infinity)
    for (const row of finished.slice(Math.max(0, JOBS_KEPT - (this.rows.size - finished.length)))) this.rows.delete(row.key)
    // still over: jobs that never ended (their last event was missed), oldest first
    for (const row of this.running()) {
      if (this.rows.size <= JOBS_KEPT) break
      this.rows.delete(row.key)
    }
  }
}
