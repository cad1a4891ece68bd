/**
 * Server-Sent Events, both ways: the node writes its events in the text/event-stream format
 * (one `id`, `event` and `data` line each, then a blank line), and the CLI reads them.
 */
import type { GridEvent } from '@grid-node/core'

export const SSE_TYPE = 'text/event-stream'

/** Sent every EVENT_KEEP_ALIVE on an open stream: a comment, ignored by every SSE client. */
export const SSE_KEEP_ALIVE = ': keep-alive\n\n'

/** Each event's frame, made once however many streams send it (the bus hands every listener the same object). */
const frames = new WeakMap<GridEvent, string>()

/** One event on the wire: `id: <seq>`, `event: <type>`, `data: <the event as JSON>` (JSON has no raw newlines). */
export function sseFrame (event: GridEvent): string {
  let frame = frames.get(event)
  if (frame == null) {
    frame = `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
    frames.set(event, frame)
  }
  return frame
}

/** A comment line, which clients ignore: what the node says about the stream itself. */
export function sseComment (text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`
}

/** What a stream carries: an event (its fields as sent), or a comment such as the keep-alive. */
export type SseItem =
  | { kind: 'event', id?: string, event: string, data: string }
  | { kind: 'comment', text: string }

/**
 * The items of a text/event-stream body as they arrive, parsed as the HTML standard says: lines
 * end in LF, CRLF or CR; `data` lines join with LF; a blank line ends an event; a line starting
 * with `:` is a comment. Fields other than id, event and data are ignored.
 */
export async function * readSse (body: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<SseItem> {
  let buffered = ''
  let fields: { id?: string, event?: string, data?: string[] } = {}
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffered += chunk
    // a CR at the very end may be the first half of a CRLF: keep it for the next chunk
    const cr = buffered.endsWith('\r')
    const lines = (cr ? buffered.slice(0, -1) : buffered).split(/\r\n|\r|\n/)
    buffered = `${lines.pop() ?? ''}${cr ? '\r' : ''}`
    for (const line of lines) {
      if (line === '') {
        if (fields.data != null) yield { kind: 'event', ...(fields.id != null ? { id: fields.id } : {}), event: fields.event ?? 'message', data: fields.data.join('\n') }
        fields = {}
      } else if (line.startsWith(':')) {
        yield { kind: 'comment', text: line.slice(1).trimStart() }
      } else {
        const colon = line.indexOf(':')
        const name = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (name === 'data') (fields.data ??= []).push(value)
        else if (name === 'id') fields.id = value
        else if (name === 'event') fields.event = value
      }
    }
  }
}
