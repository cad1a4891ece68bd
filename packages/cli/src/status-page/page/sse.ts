/**
 * Server-Sent Events read with fetch() rather than EventSource, which cannot send the
 * `Authorization` header an API beyond loopback needs. The parser follows the HTML standard's
 * event-stream rules; followEvents() reconnects after a drop, asking for the events after the
 * last one it saw (`?since=<seq>`), as EventSource would with Last-Event-ID.
 */

export interface SseMessage {
  /** The last `id:` seen, as EventSource's lastEventId. */
  id: string
  /** `message` when the server named none. */
  event: string
  data: string
}

/** The longest line kept: the node's events are a few hundred bytes; past this the stream is garbage. */
export const MAX_SSE_LINE = 1024 * 1024

export class SseLineTooLongError extends Error {
  static override name = 'SseLineTooLongError'
  constructor () {
    super(`an event-stream line is longer than ${MAX_SSE_LINE} bytes`)
    this.name = SseLineTooLongError.name
  }
}

/** Text in, whole messages out; `\n`, `\r\n` and `\r` end lines, split across chunks or not. */
export class SseParser {
  lastEventId = ''
  /** The server's `retry:` advice, in ms. */
  retryMs: number | undefined
  private buffer = ''
  private skipLf = false
  private data: string[] = []
  private event = ''

  push (chunk: string): SseMessage[] {
    const out: SseMessage[] = []
    let text = chunk
    if (this.skipLf && text.startsWith('\n')) text = text.slice(1)
    if (text.length > 0) this.skipLf = false
    this.buffer += text
    const ends = /\r\n|\r|\n/g
    let start = 0
    for (let m = ends.exec(this.buffer); m != null; m = ends.exec(this.buffer)) {
      // a lone \r at the end may be the first half of \r\n
      if (m[0] === '\r' && m.index === this.buffer.length - 1) this.skipLf = true
      this.line(this.buffer.slice(start, m.index), out)
      start = m.index + m[0].length
    }
    this.buffer = this.buffer.slice(start)
    if (this.buffer.length > MAX_SSE_LINE) throw new SseLineTooLongError()
    return out
  }

  private line (line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push({ id: this.lastEventId, event: this.event === '' ? 'message' : this.event, data: this.data.join('\n') })
      this.data = []
      this.event = ''
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.event = value
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value)
  }
}

export type StreamState =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'retrying', inMs: number, reason: string }
  | { state: 'unauthorized' }

export interface FollowInit {
  /** The stream's URL, given the last `seq` seen (`since` before any): asked before each connection. */
  url: (since: number | undefined) => string | Promise<string>
  /** Sent with every request (the bearer token, when there is one). */
  headers: () => Record<string, string>
  onMessage: (message: SseMessage) => void
  onState: (state: StreamState) => void
  /** Called on a 401; resolves when there is a token to try. */
  unauthorized: () => Promise<void>
  /** The first `since`: 0 replays all the events the node keeps. */
  since?: number
  signal: AbortSignal
  /** Tests pass a stub. @default globalThis.fetch */
  fetch?: typeof fetch
  /** No bytes (events or keep-alive comments, every 15 s) for this long: the connection is dead. @default 40_000 */
  idleMs?: number
  /** @default 1_000 */
  minRetryMs?: number
  /** @default 15_000 */
  maxRetryMs?: number
}

/** Follows the stream until the signal aborts: reconnecting with `since`, waiting longer after each failure in a row. */
export async function followEvents (init: FollowInit): Promise<void> {
  const doFetch = init.fetch ?? globalThis.fetch.bind(globalThis)
  const minRetry = init.minRetryMs ?? 1_000
  let since = init.since
  let failures = 0
  while (!init.signal.aborted) {
    init.onState({ state: 'connecting' })
    let reason: string
    try {
      const outcome = await readOnce(init, doFetch, since, { connected: () => { failures = 0 }, seen: seq => { since = seq } })
      if (outcome === 'unauthorized') {
        init.onState({ state: 'unauthorized' })
        await init.unauthorized()
        continue
      }
      reason = outcome
    } catch (err: any) {
      if (init.signal.aborted) return
      reason = String(err?.message ?? err)
    }
    const inMs = Math.min(init.maxRetryMs ?? 15_000, minRetry * 2 ** failures)
    failures++
    init.onState({ state: 'retrying', inMs, reason })
    await sleep(inMs, init.signal)
  }
}

/** One connection: 'unauthorized', or why it ended. */
async function readOnce (init: FollowInit, doFetch: typeof fetch, since: number | undefined, on: { connected: () => void, seen: (seq: number) => void }): Promise<string> {
  const url = await init.url(since)
  const attempt = new AbortController()
  const stop = (): void => { attempt.abort() }
  init.signal.addEventListener('abort', stop)
  const idleMs = init.idleMs ?? 40_000
  let idle = setTimeout(stop, idleMs)
  try {
    const res = await doFetch(url, { headers: { accept: 'text/event-stream', ...init.headers() }, signal: attempt.signal, cache: 'no-store' })
    if (res.status === 401) return 'unauthorized'
    if (!res.ok || res.body == null) return `the node answered ${res.status}`
    on.connected()
    init.onState({ state: 'live' })
    const parser = new SseParser()
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return 'the node closed the stream'
      clearTimeout(idle)
      idle = setTimeout(stop, idleMs)
      for (const message of parser.push(value)) {
        const seq = Number(message.id)
        if (message.id !== '' && Number.isSafeInteger(seq)) on.seen(seq)
        init.onMessage(message)
      }
    }
  } catch (err: any) {
    if (attempt.signal.aborted && !init.signal.aborted) return `nothing heard for ${idleMs / 1000} s`
    throw err
  } finally {
    clearTimeout(idle)
    init.signal.removeEventListener('abort', stop)
    attempt.abort()
  }
}

async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => { clearTimeout(t); signal.removeEventListener('abort', done); resolve() }
    const t = setTimeout(done, ms)
    signal.addEventListener('abort', done)
  })
}
