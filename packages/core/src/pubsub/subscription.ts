/**
 * One subscriber's messages: an async iterable over a bounded buffer. A consumer that reads more
 * slowly than messages arrive loses the oldest ones, never memory: the next message it reads
 * says how many went (`dropped`).
 */
import type { PubSubMessage } from './pubsub-service.js'

export interface BufferLimits { messages: number, bytes: number }

export class Subscription implements AsyncIterableIterator<PubSubMessage> {
  readonly topic: string
  private readonly queue: PubSubMessage[] = []
  private readonly limits: BufferLimits
  private readonly onEnd: () => void
  private bytes = 0
  private dropped = 0
  private ended = false
  private waiting?: (result: IteratorResult<PubSubMessage>) => void
  private readonly signal?: AbortSignal
  private readonly onAbort = (): void => { this.end() }

  constructor (topic: string, limits: BufferLimits, onEnd: () => void, signal?: AbortSignal) {
    this.topic = topic
    this.limits = limits
    this.onEnd = onEnd
    if (signal != null) {
      this.signal = signal
      signal.addEventListener('abort', this.onAbort, { once: true })
    }
  }

  /** Messages dropped since the consumer last read one (a slow consumer). */
  get droppedSinceRead (): number { return this.dropped }

  push (message: PubSubMessage): void {
    if (this.ended) return
    const waiting = this.waiting
    if (waiting != null) {
      this.waiting = undefined
      waiting({ done: false, value: this.stamp(message) })
      return
    }
    this.queue.push(message)
    this.bytes += message.data.byteLength
    while (this.queue.length > 1 && (this.queue.length > this.limits.messages || this.bytes > this.limits.bytes)) {
      const oldest = this.queue.shift()
      this.bytes -= oldest?.data.byteLength ?? 0
      this.dropped++
    }
  }

  async next (): Promise<IteratorResult<PubSubMessage>> {
    const message = this.queue.shift()
    if (message != null) {
      this.bytes -= message.data.byteLength
      return { done: false, value: this.stamp(message) }
    }
    if (this.ended) return { done: true, value: undefined }
    return new Promise(resolve => { this.waiting = resolve })
  }

  async return (): Promise<IteratorResult<PubSubMessage>> {
    this.end()
    return { done: true, value: undefined }
  }

  [Symbol.asyncIterator] (): AsyncIterableIterator<PubSubMessage> { return this }

  /** Ends the subscription: buffered messages are dropped, a waiting reader is told it is done. */
  end (): void {
    if (this.ended) return
    this.ended = true
    this.queue.length = 0
    this.bytes = 0
    this.signal?.removeEventListener('abort', this.onAbort)
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.({ done: true, value: undefined })
    this.onEnd()
  }

  private stamp (message: PubSubMessage): PubSubMessage {
    if (this.dropped === 0) return message
    const dropped = this.dropped
    this.dropped = 0
    return { ...message, dropped }
  }
}
