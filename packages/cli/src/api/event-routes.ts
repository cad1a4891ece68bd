import { EVENT_KEEP_ALIVE, EVENT_STREAM_BUFFER, MAX_EVENT_STREAMS } from './constants.js'
import { HeaderInvalidError, TooManyEventStreamsError } from './errors.js'
import { readQuery } from './http.js'
import { EventsQuery } from './schemas.js'
import { SSE_KEEP_ALIVE, SSE_TYPE, sseComment, sseFrame } from './sse.js'
import type { Route } from './route.js'
import type { GridEvent, GridNode } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

export const eventRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/events$/, handler: events }
]

/** Event streams open per node, against MAX_EVENT_STREAMS. */
const streams = new WeakMap<GridNode, number>()

/** How many event streams a node's API serves now (for tests and the status page). */
export function eventStreamCount (node: GridNode): number {
  return streams.get(node) ?? 0
}

/**
 * `GET /v1/events[?since=<seq>][&types=a,b]`: the node's events as Server-Sent Events, as they
 * happen, each as `id: <seq>`, `event: <type>`, `data: <the event as JSON>`. With `since` (or a
 * `Last-Event-ID` header, which wins: a reconnecting EventSource sends it) the kept events after
 * that seq come first, then live ones, with none missing or repeated between the two. A client
 * that stops reading is dropped once EVENT_STREAM_BUFFER bytes wait for it. The server's
 * request timeout stops counting once the GET is received and its keep-alive timeout only runs
 * between requests, so a stream lasts until the client or the node closes it.
 */
async function events (node: GridNode, req: IncomingMessage, _params: string[], res: ServerResponse): Promise<undefined> {
  const query = readQuery(req, EventsQuery, ['types'])
  const since = lastEventId(req) ?? query.since
  const wanted = query.types.length > 0 ? new Set<string>(query.types) : undefined
  const open = streams.get(node) ?? 0
  if (open >= MAX_EVENT_STREAMS) throw new TooManyEventStreamsError(MAX_EVENT_STREAMS)
  streams.set(node, open + 1)
  const write = (text: string): void => {
    if (res.destroyed) return
    res.write(text)
    // the client stopped reading: what waits for it only grows
    if (res.writableLength > EVENT_STREAM_BUFFER) res.destroy()
  }
  let unsubscribe = (): void => {}
  const keepAlive = setInterval(() => { write(SSE_KEEP_ALIVE) }, EVENT_KEEP_ALIVE)
  res.once('close', () => {
    unsubscribe()
    clearInterval(keepAlive)
    streams.set(node, (streams.get(node) ?? 1) - 1)
  })
  res.writeHead(200, { 'content-type': SSE_TYPE, 'cache-control': 'no-store', 'x-accel-buffering': 'no' })
  // headers out now, even with nothing to replay: the client knows it is subscribed
  res.flushHeaders()

  const newest = node.recentEvents().at(-1)?.seq ?? 0
  // a restarted node numbers its events from 1 again: a seq beyond its newest means "all of this run"
  let sent = since == null ? newest : since > newest ? 0 : since
  const send = (event: GridEvent): void => {
    if (event.seq <= sent) return
    if (event.seq > sent + 1) write(sseComment(`${event.seq - sent - 1} events after ${sent} are no longer kept; replaying from ${event.seq}`))
    sent = event.seq
    if (wanted == null || wanted.has(event.type)) write(sseFrame(event))
  }
  // the replay, as fast as the client reads: up to half a buffer, then wait for it to drain
  for (;;) {
    for (const event of node.recentEvents(sent)) {
      send(event)
      if (res.writableLength > EVENT_STREAM_BUFFER / 2) break
    }
    if (res.destroyed) return undefined
    if (res.writableLength <= EVENT_STREAM_BUFFER / 2) break
    await drained(res)
  }
  // caught up, in the same synchronous step as the last replayed event: none falls in between
  unsubscribe = node.onEvent(send)
  return undefined
}

/** Resolves when what waits for the client has gone out, or the client has gone. */
async function drained (res: ServerResponse): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      res.off('drain', done).off('close', done)
      resolve()
    }
    res.once('drain', done).once('close', done)
  })
}

/** The `Last-Event-ID` header, as a seq: digits only. */
function lastEventId (req: IncomingMessage): number | undefined {
  const header = req.headers['last-event-id']
  if (header == null || header === '') return undefined
  const text = Array.isArray(header) ? header[0] ?? '' : header
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new HeaderInvalidError(`"Last-Event-ID" must be the seq of an event (a whole number), not "${text.slice(0, 80)}"`)
  }
  return Number(text)
}
