import type { GridEvent, GridEventBody } from './grid-events.js'

/** Events kept for a listener that comes late or reconnects (`since`): a bounded ring. */
export const RECENT_EVENTS_KEPT = 512

/**
 * The node's one event stream. Listeners are called synchronously in order; one that throws is
 * logged by the caller's `onError` and never stops the others or the node.
 */
export class EventBus {
  private seq = 0
  private readonly recentEvents: GridEvent[] = []
  private readonly listeners = new Set<(event: GridEvent) => void>()
  private readonly onError: (err: unknown) => void

  constructor (onError: (err: unknown) => void = () => {}) {
    this.onError = onError
  }

  emit (body: GridEventBody): GridEvent {
    const event = { ...body, seq: ++this.seq, at: Date.now() } as GridEvent
    this.recentEvents.push(event)
    if (this.recentEvents.length > RECENT_EVENTS_KEPT) this.recentEvents.shift()
    for (const listener of [...this.listeners]) {
      try {
        listener(event)
      } catch (err) {
        this.onError(err)
      }
    }
    return event
  }

  /** Returns the unsubscribe. */
  subscribe (listener: (event: GridEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Kept events after `since` (a `seq`), oldest first; all kept ones without it. */
  recent (since = 0): GridEvent[] {
    return this.recentEvents.filter(e => e.seq > since)
  }

  get lastSeq (): number { return this.seq }
}
