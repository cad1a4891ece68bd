import * as c from '../constants.js'
import type { WireEvent } from './convert.js'
import type { AbortOptions } from '@libp2p/interface'

/**
 * The holder's side of a job's event stream, with backpressure: events are written one at a
 * time, each after the last was taken by the stream. While the requester reads slowly, up to
 * JOB_EVENTS_BUFFERED progress and log events wait; more are dropped and counted (a line says
 * how many). The final event always goes.
 */
export class JobEventSender {
  private readonly write: (event: WireEvent) => Promise<void>
  private readonly waiting: WireEvent[] = []
  private pumping?: Promise<void>
  private dropped = 0
  private failed?: Error

  constructor (write: (event: WireEvent) => Promise<void>) {
    this.write = write
  }

  send (event: WireEvent): void {
    if (this.failed != null) return
    if (this.waiting.length >= c.JOB_EVENTS_BUFFERED) { this.dropped++; return }
    this.waiting.push(event)
    this.pumping ??= this.pump()
  }

  /** Sends the final event (or frames: a result in parts) after everything waiting; rejects when the stream fails or the signal aborts first. */
  async finish (last: WireEvent | WireEvent[], options: AbortOptions = {}): Promise<void> {
    if (this.failed != null) throw this.failed
    if (this.dropped > 0) this.waiting.push({ type: 'log', text: `(${this.dropped} progress and log events dropped: they came faster than the requester read them)` })
    this.waiting.push(...(Array.isArray(last) ? last : [last]))
    this.pumping ??= this.pump()
    const done = this.pumping
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { reject(options.signal?.reason ?? new Error('aborted')) }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      done.then(resolve, reject).finally(() => { options.signal?.removeEventListener('abort', onAbort) })
    })
    if (this.failed != null) throw this.failed
  }

  private async pump (): Promise<void> {
    try {
      for (let event = this.waiting.shift(); event != null; event = this.waiting.shift()) await this.write(event)
    } catch (err) {
      this.failed = err as Error
      this.waiting.length = 0
    } finally {
      this.pumping = undefined
    }
  }
}
