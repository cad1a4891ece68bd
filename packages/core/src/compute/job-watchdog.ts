import * as c from '../constants.js'
import { JobDeadlineError } from '../errors.js'
import type { JobEvent } from './job-events.js'

/**
 * The requester's deadlines for one job on one holder. Until the job starts, the holder must
 * say something (it repeats `accepted` while the job waits) every QUEUE_SILENCE_TIMEOUT, and the
 * wait is capped at MAX_QUEUE_WAIT; once started, the result must come within the job's
 * deadline plus JOB_RESULT_MARGIN. `signal` aborts with a JobDeadlineError when one passes.
 */
export class JobWatchdog {
  private readonly controller = new AbortController()
  private readonly timeoutMs: number
  private readonly holder: string
  private silence?: ReturnType<typeof setTimeout>
  private overall?: ReturnType<typeof setTimeout>
  private started = false

  constructor (holder: string, timeoutMs: number = c.SANDBOX_TIMEOUT) {
    this.holder = holder
    this.timeoutMs = timeoutMs
    this.overall = setTimeout(() => { this.fire(`${holder} did not start the job within ${c.MAX_QUEUE_WAIT / 1000} s`) }, c.MAX_QUEUE_WAIT + c.JOB_RESULT_MARGIN)
    this.listen()
  }

  get signal (): AbortSignal { return this.controller.signal }

  /** Every event from the holder proves it alive; `started` switches to the job's own deadline. */
  heard (event: JobEvent): void {
    if (this.started) return
    if (event.type !== 'started') { this.listen(); return }
    this.started = true
    this.clear()
    const limit = this.timeoutMs + c.JOB_RESULT_MARGIN
    this.overall = setTimeout(() => { this.fire(`${this.holder} sent no result within ${limit / 1000} s (the job's deadline of ${this.timeoutMs / 1000} s, plus ${c.JOB_RESULT_MARGIN / 1000} s)`) }, limit)
  }

  clear (): void {
    clearTimeout(this.silence)
    clearTimeout(this.overall)
  }

  private listen (): void {
    clearTimeout(this.silence)
    this.silence = setTimeout(() => { this.fire(`${this.holder} went silent: nothing for ${c.QUEUE_SILENCE_TIMEOUT / 1000} s before the job started`) }, c.QUEUE_SILENCE_TIMEOUT)
  }

  private fire (message: string): void {
    this.clear()
    this.controller.abort(new JobDeadlineError(message))
  }
}
