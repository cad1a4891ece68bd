/**
 * The status page's event-stream reader (src/status-page/page/sse.ts), in Node, whose fetch and
 * streams are the browser's: the parser on the HTML standard's cases, and followEvents() against
 * a minimal stand-in for `/v1/events` over loopback (the real route is exercised in Chromium by
 * test/status-page.spec.ts): it resumes with `since` after a drop, asks for a token on a 401 and
 * sends it, and gives up on a connection that goes silent.
 */
import { createServer } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { followEvents, MAX_SSE_LINE, SseLineTooLongError, SseParser } from '../src/status-page/page/sse.js'
import type { SseMessage, StreamState } from '../src/status-page/page/sse.js'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

describe('the page\'s SSE parser', () => {
  it('reads id, event and data, joins data lines, skips comments and names a nameless event "message"', () => {
    const p = new SseParser()
    expect(p.push(': keep-alive\n\nid: 7\nevent: peer:up\ndata: {"a":1}\n\ndata: one\ndata:two\n\n')).toEqual([
      { id: '7', event: 'peer:up', data: '{"a":1}' },
      { id: '7', event: 'message', data: 'one\ntwo' }
    ])
  })

  it('takes LF, CRLF and CR line ends, split anywhere across chunks', () => {
    const text = 'id: 1\r\nevent: ready\r\ndata: {}\r\n\r\nid: 2\rdata: x\r\rid: 3\ndata: y\n\n'
    const whole = new SseParser().push(text)
    expect(whole.map(m => m.id)).toEqual(['1', '2', '3'])
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser()
      expect([...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))], `cut at ${cut}`).toEqual(whole)
    }
    // one character at a time
    const p = new SseParser()
    expect([...text].flatMap(ch => p.push(ch))).toEqual(whole)
  })

  it('keeps the last id for later events, takes retry, ignores unknown fields and an event with no data', () => {
    const p = new SseParser()
    expect(p.push('id: 4\nretry: 2500\nfoo: bar\nevent: x\n\ndata: d\n\n')).toEqual([{ id: '4', event: 'message', data: 'd' }])
    expect(p.retryMs).toBe(2500)
  })

  it('refuses a line that never ends', () => {
    const p = new SseParser()
    expect(() => p.push('data: ' + 'x'.repeat(MAX_SSE_LINE + 1))).toThrow(SseLineTooLongError)
  })
})

/** A stand-in for /v1/events: each request is handed to the next of `answers`. */
async function stub (answers: Array<(req: IncomingMessage, res: ServerResponse) => void>): Promise<{ url: string, requests: IncomingMessage[], server: Server }> {
  const requests: IncomingMessage[] = []
  const server = createServer((req, res) => {
    requests.push(req)
    const answer = answers.shift()
    if (answer == null) { res.writeHead(503).end(); return }
    answer(req, res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server }
}

const frame = (seq: number, type: string): string => `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ seq, type, at: seq })}\n\n`

describe('followEvents', () => {
  let server: Server | undefined
  let stop: AbortController
  beforeEach(() => { stop = new AbortController() })
  afterEach(async () => {
    stop.abort()
    server?.closeAllConnections()
    await new Promise(resolve => server?.close(resolve))
  })

  it('resumes after a drop from the last event seen, and asks for the token on a 401 and sends it', async () => {
    const got: SseMessage[] = []
    const states: Array<StreamState['state']> = []
    let token: string | undefined
    const s = await stub([
      (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write(frame(1, 'ready')); res.end(frame(2, 'peer:up')) },
      (_req, res) => { res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"token"}') },
      (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write(': keep-alive\n\n'); res.write(frame(3, 'search')) }
    ])
    server = s.server
    const done = new Promise<void>(resolve => {
      void followEvents({
        url: since => `${s.url}/v1/events?since=${since ?? 0}`,
        headers: (): Record<string, string> => token != null ? { authorization: `Bearer ${token}` } : {},
        onMessage: m => { got.push(m); if (got.length === 3) resolve() },
        onState: st => { states.push(st.state) },
        unauthorized: async () => { token = 'secret' },
        since: 0,
        signal: stop.signal,
        minRetryMs: 10
      })
    })
    await done
    expect(got.map(m => [m.id, m.event])).toEqual([['1', 'ready'], ['2', 'peer:up'], ['3', 'search']])
    expect(s.requests.map(r => r.url)).toEqual(['/v1/events?since=0', '/v1/events?since=2', '/v1/events?since=2'])
    expect(s.requests.map(r => r.headers.authorization)).toEqual([undefined, undefined, 'Bearer secret'])
    expect(s.requests[0]?.headers.accept).toBe('text/event-stream')
    expect(states).toEqual(['connecting', 'live', 'retrying', 'connecting', 'unauthorized', 'connecting', 'live'])
  })

  it('drops a connection that says nothing for idleMs and connects again; waits longer after each failure', async () => {
    const states: StreamState[] = []
    const s = await stub([
      (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.flushHeaders() },
      (_req, res) => { res.writeHead(500).end() },
      (_req, res) => { res.writeHead(500).end() },
      (_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write(frame(9, 'ready')) }
    ])
    server = s.server
    await new Promise<void>(resolve => {
      void followEvents({
        url: () => `${s.url}/v1/events`,
        headers: () => ({}),
        onMessage: () => { resolve() },
        onState: st => { states.push(st) },
        unauthorized: async () => {},
        signal: stop.signal,
        idleMs: 200,
        minRetryMs: 10
      })
    })
    const retries = states.filter(st => st.state === 'retrying')
    expect(retries).toEqual([
      { state: 'retrying', inMs: 10, reason: 'nothing heard for 0.2 s' },
      { state: 'retrying', inMs: 20, reason: 'the node answered 500' },
      { state: 'retrying', inMs: 40, reason: 'the node answered 500' }
    ])
  })
})
