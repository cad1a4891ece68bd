import * as c from '../constants.js'
import type { WireEvent } from './convert.js'
import type { AbortOptions } from '@libp2p/interface'

/**
 * The holder's side of a job's event stream, with backpressure and few writes: events wait up
 * to JOB_EVENTS_COALESCE ms and go together in one write (a job that ends by then sends its
 * accepted, started and result at once: one packet, not three), each write after the last was
 * taken by the stream. While the requester reads slowly, up to JOB_EVENTS_BUFFERED progress and
 * log events wait; more are dropped and counted (a line says how many). The final event always
 * goes. A write carries at most one part of a large result; JOB_EVENTS_COALESCE_MAX events
 * waiting go at once.
 */
export class JobEventSender {
  private readonly write: (events: WireEvent[]) => Promise<void>
  private readonly waiting: WireEvent[] = []
  private pumping?: Promise<void>
  private timer?: ReturnType<typeof setTimeout>
  private dropped = 0
  private failed?: Error

  constructor (write: (events: WireEvent[]) => Promise<void>) {
    this.write = write
  }

  send (event: WireEvent): void {
    if (this.failed != null) return
    if (this.waiting.length >= c.JOB_EVENTS_BUFFERED) { this.dropped++; return }
    this.waiting.push(event)
    // a write under way takes what came meanwhile when it is done
    if (this.pumping != null) return
    // a burst (a job's first log lines) goes at once: waiting for the timer must not fill the buffer
    if (this.waiting.length >= c.JOB_EVENTS_COALESCE_MAX) this.flush()
    else this.timer ??= setTimeout(() => { this.timer = undefined; this.flush() }, c.JOB_EVENTS_COALESCE)
  }

  private flush (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.pumping ??= this.pump()
  }

  /** Sends the final event (or frames: a result in parts) after everything waiting; rejects when the stream fails or the signal aborts first. */
  async finish (last: WireEvent | WireEvent[], options: AbortOptions = {}): Promise<void> {
    if (this.failed != null) throw this.failed
    if (this.dropped > 0) this.waiting.push({ type: 'log', text: `(${this.dropped} progress and log events dropped: they came faster than the requester read them)` })
    this.waiting.push(...(Array.isArray(last) ? last : [last]))
    this.flush()
    const done = this.pumping as Promise<void>
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { reject(options.signal?.reason ?? new Error('aborted')) }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      done.then(resolve, reject).finally(() => { options.signal?.removeEventListener('abort', onAbort) })
    })
    if (this.failed != null) throw this.failed
  }

  private async pump (): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const part = this.waiting.findIndex(e => e.type === 'result-part')
        await this.write(this.waiting.splice(0, part === -1 ? this.waiting.length : part + 1))
      }
    } catch (err) {
      this.failed = err as Error
      this.waiting.length = 0
    } finally {
      this.pumping = undefined
    }
  }
}
