import type { JobEventFields, JobPhase } from './grid-events.js'
import type { JobEvent } from '../compute/job-events.js'

/** Jobs in flight whose start time is kept for their duration: beyond this, the oldest are dropped. */
const TRACKED_JOBS = 4_096

type Step = JobEvent | { type: 'dispatched', attempt?: number }

/**
 * Turns one side's job events (served here, or requested from here) into event fields: the
 * phase and the job's time so far at its end; never the result value (results may be megabytes:
 * their bytes are counted on the wire). `log` lines are not events.
 */
export class JobTracker {
  private readonly started = new Map<string, number>()

  fields (jobId: string, peerId: string, step: Step, dataset?: string): JobEventFields | undefined {
    if (step.type === 'log') return undefined
    const now = Date.now()
    if (!this.started.has(jobId)) {
      this.started.set(jobId, now)
      if (this.started.size > TRACKED_JOBS) this.started.delete(this.started.keys().next().value as string)
    }
    const fields: JobEventFields = { jobId, peerId, phase: step.type as JobPhase, ...(dataset != null ? { dataset } : {}) }
    if (step.type === 'accepted') {
      fields.queuePosition = step.queuePosition
      if (step.via != null) fields.via = step.via
    } else if (step.type === 'progress') {
      if (typeof step.value === 'number' && Number.isFinite(step.value)) fields.progress = step.value
    } else if (step.type === 'result' || step.type === 'error') {
      fields.durationMs = now - (this.started.get(jobId) ?? now)
      this.started.delete(jobId)
      if (step.type === 'error') {
        fields.status = step.status
        fields.message = step.message
      }
    }
    return fields
  }
}
