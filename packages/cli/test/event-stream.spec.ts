/**
 * `GET /v1/events` (src/api/event-routes.ts) against a fake node whose events the test makes,
 * over loopback: the wire format, replay after `since` / `Last-Event-ID` with nothing lost or
 * repeated at the boundary, filters and bad input, a client that never reads, the cap on
 * streams, listeners released, keep-alives and a stream outliving the API's request timeout.
 * Also the SSE parser the CLI reads with, and the one-line text `events` and `start` print.
 */
import { connect } from 'node:net'
import { RECENT_EVENTS_KEPT } from '@grid-node/core'
import { afterEach, describe, expect, it } from 'vitest'
import { SseClient } from '../../../test/helpers/sse.js'
import { EVENT_KEEP_ALIVE, MAX_EVENT_STREAMS, REQUEST_TIMEOUT } from '../src/api/constants.js'
import { eventStreamCount } from '../src/api/event-routes.js'
import { startApiServer } from '../src/api/server.js'
import { readSse } from '../src/api/sse.js'
import { eventPrinter } from '../src/event-text.js'
import type { ApiServer } from '../src/api/server.js'
import type { GridEvent, GridEventBody, GridNode } from '@grid-node/core'
import type { Socket } from 'node:net'

const PEER = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'

/** What /v1/events uses of a node: its event ring and listeners, driven by the test. */
function eventNode (): { node: GridNode, emit: (body: GridEventBody) => GridEvent, listeners: Set<(e: GridEvent) => void> } {
  const kept: GridEvent[] = []
  const listeners = new Set<(e: GridEvent) => void>()
  let seq = 0
  const emit = (body: GridEventBody): GridEvent => {
    const event = { ...body, seq: ++seq, at: Date.now() } as GridEvent
    kept.push(event)
    if (kept.length > RECENT_EVENTS_KEPT) kept.shift()
    for (const listener of [...listeners]) listener(event)
    return event
  }
  const node = {
    onEvent: (listener: (e: GridEvent) => void) => { listeners.add(listener); return () => { listeners.delete(listener) } },
    recentEvents: (since = 0) => kept.filter(e => e.seq > since)
  } as unknown as GridNode
  return { node, emit, listeners }
}

const added = (name: string): GridEventBody => ({ type: 'dataset:added', name, tags: ['#t'], rows: 1, private: false })
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

async function until (check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

describe('GET /v1/events', () => {
  let server: ApiServer | undefined
  const clients: SseClient[] = []
  const sockets: Socket[] = []
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy()
    await Promise.all(clients.splice(0).map(async c => c.close()))
    await server?.close()
    server = undefined
  })

  const serve = async (node: GridNode): Promise<string> => {
    server = await startApiServer(node, { host: '127.0.0.1', port: 0 })
    return server.url
  }
  const open = async (url: string, headers: Record<string, string> = {}): Promise<SseClient> => {
    const client = await SseClient.open(url, headers)
    clients.push(client)
    return client
  }
  /** A raw connection that sends the request and then, unless `read`, never reads a byte. */
  const rawStream = async (url: string, path = '/v1/events', read = false): Promise<{ socket: Socket, received: () => string }> => {
    const { hostname, port } = new URL(url)
    const socket = connect(Number(port), hostname)
    sockets.push(socket)
    let received = ''
    socket.on('error', () => {})
    await new Promise<void>(resolve => socket.once('connect', resolve))
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`)
    if (read) socket.on('data', (d: Buffer) => { received += d.toString() })
    else socket.pause()
    return { socket, received: () => received }
  }

  it('frames each event as id, event and data lines; replays after ?since, then live, none lost or repeated at the boundary', async () => {
    const { node, emit } = eventNode()
    const url = await serve(node)
    for (let i = 0; i < 10; i++) emit(added(`d${i}`))
    // events keep coming while the client connects and the kept ones are replayed
    const ticker = setInterval(() => { emit(added('live')) }, 1)
    const client = await open(`${url}/v1/events?since=4`)
    await sleep(200)
    clearInterval(ticker)
    const last = emit(added('last'))
    await client.waitFor(es => es.some(e => e.seq === last.seq), 'the last event')
    expect(client.status).toBe(200)
    expect(client.contentType).toBe('text/event-stream')
    expect(client.events.map(e => e.seq)).toEqual(Array.from({ length: last.seq - 4 }, (_, i) => i + 5))
    for (const e of client.events) expect([e.wireId, e.wireType]).toEqual([String(e.seq), e.type])
  })

  it('without since, only live events; Last-Event-ID wins over ?since (a reconnecting EventSource sends it)', async () => {
    const { node, emit } = eventNode()
    const url = await serve(node)
    for (let i = 0; i < 10; i++) emit(added(`d${i}`))
    const live = await open(`${url}/v1/events`)
    const resumed = await open(`${url}/v1/events?since=2`, { 'last-event-id': '7' })
    const next = emit(added('next'))
    await live.waitFor(es => es.length > 0, 'a live event')
    await resumed.waitFor(es => es.some(e => e.seq === next.seq), 'the live event after the replay')
    expect(live.events.map(e => e.seq)).toEqual([next.seq])
    expect(resumed.events.map(e => e.seq)).toEqual([8, 9, 10, 11])
  })

  it('a seq beyond the newest (the node restarted) replays all it keeps; events no longer kept are said in a comment', async () => {
    const { node, emit } = eventNode()
    const url = await serve(node)
    for (let i = 0; i < RECENT_EVENTS_KEPT + 88; i++) emit(added(`d${i}`))
    const restarted = await open(`${url}/v1/events?since=100000`)
    const old = await open(`${url}/v1/events?since=10`)
    await restarted.waitFor(es => es.length === RECENT_EVENTS_KEPT, 'every kept event')
    await old.waitFor(es => es.length === RECENT_EVENTS_KEPT, 'every kept event')
    expect(restarted.events[0]?.seq).toBe(89)
    expect(old.comments).toContain('78 events after 10 are no longer kept; replaying from 89')
  })

  it('a replay larger than the buffer is paced by the client, not dropped, and live events follow it', async () => {
    const { node, emit } = eventNode()
    const url = await serve(node)
    const text = 'y'.repeat(16 * 1024)
    for (let i = 0; i < RECENT_EVENTS_KEPT; i++) emit({ type: 'pubsub:message', topic: 'big', from: PEER, text, bytes: text.length })
    const client = await open(`${url}/v1/events?since=0`)
    const ticker = setInterval(() => { emit(added('live')) }, 5)
    await client.waitFor(es => es.length > RECENT_EVENTS_KEPT + 10, 'the replay and some live events')
    clearInterval(ticker)
    expect(client.events.map(e => e.seq)).toEqual(client.events.map((_, i) => i + 1))
    expect(client.comments).toEqual([])
  })

  it('?types filters live and replayed events alike; an unknown type is a 400 listing the valid ones', async () => {
    const { node, emit } = eventNode()
    const url = await serve(node)
    emit({ type: 'peer:up', peerId: PEER })
    emit(added('a'))
    const client = await open(`${url}/v1/events?since=0&types=peer:up,peer:down&types=search`)
    emit({ type: 'peer:down', peerId: PEER, reason: 'gone' })
    emit({ type: 'search', tags: ['#t'], holders: 0, durationMs: 3, ok: true })
    await client.waitFor(es => es.length === 3, 'three events')
    expect(client.types()).toEqual(['peer:up', 'peer:down', 'search'])

    const bad = await fetch(`${url}/v1/events?types=peer:up,peer:dwon`)
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toBe('unknown event type "peer:dwon" in "types": use ready, not-ready, peer:up, peer:down, dataset:added, dataset:removed, dataset:changed, job:served, job:requested, search, reachability, pubsub:message')
    const since = await fetch(`${url}/v1/events?since=-1`)
    expect([since.status, (await since.json()).error]).toEqual([400, expect.stringMatching(/"since" must be a whole number/)])
    const header = await fetch(`${url}/v1/events`, { headers: { 'last-event-id': 'abc' } })
    expect([header.status, (await header.json()).error]).toEqual([400, expect.stringMatching(/"Last-Event-ID" must be the seq of an event/)])
    expect(eventStreamCount(node)).toBe(1)
  })

  it('a client that never reads is dropped once its buffer is full; other clients and the node carry on, no listener left', async () => {
    const { node, emit, listeners } = eventNode()
    const url = await serve(node)
    await rawStream(url)
    const reader = await open(`${url}/v1/events`)
    await until(() => listeners.size === 2, 'both subscribed')
    // 64 KiB events until the stalled client is dropped: the kernel's buffers fill first
    const big = 'x'.repeat(64 * 1024)
    let sent = 0
    while (listeners.size === 2 && sent < 4_000) {
      emit({ type: 'pubsub:message', topic: 'flood', from: PEER, text: big, bytes: big.length })
      sent++
      await new Promise(resolve => setImmediate(resolve))
    }
    expect(listeners.size, `still subscribed after ${sent} events of 64 KiB`).toBe(1)
    console.info(`a client that never reads: dropped after ${sent} events of 64 KiB (${Math.round(sent / 16)} MiB), the rest in kernel buffers`)
    const last = emit(added('after'))
    await reader.waitFor(es => es.some(e => e.seq === last.seq), 'the event after the drop', 60_000)
    expect(reader.events.map(e => e.seq)).toEqual(Array.from({ length: last.seq }, (_, i) => i + 1))
    expect(eventStreamCount(node)).toBe(1)
  }, 120_000)

  it(`past ${MAX_EVENT_STREAMS} streams: 503 with a JSON error; closed streams free their places and listeners`, async () => {
    const { node, emit, listeners } = eventNode()
    const url = await serve(node)
    const streams: Array<{ socket: Socket, received: () => string }> = []
    for (let i = 0; i < MAX_EVENT_STREAMS; i++) streams.push(await rawStream(url, '/v1/events', true))
    await until(() => listeners.size === MAX_EVENT_STREAMS, 'every stream subscribed')
    const refused = await fetch(`${url}/v1/events`)
    expect(refused.status).toBe(503)
    expect((await refused.json()).error).toBe(`this node already serves ${MAX_EVENT_STREAMS} event streams, its limit; close one (or follow another node) and try again`)
    // the API still answers everything else
    expect((await fetch(`${url}/v1/nothing`)).status).toBe(404)
    const event = emit(added('everyone'))
    await until(() => streams.every(s => s.received().includes(`id: ${event.seq}\nevent: dataset:added\n`)), 'the event on every stream')
    for (const s of streams) s.socket.destroy()
    await until(() => listeners.size === 0 && eventStreamCount(node) === 0, 'every listener released')
    const again = await open(`${url}/v1/events`)
    expect(again.status).toBe(200)
  }, 60_000)

  it(`says "keep-alive" every ${EVENT_KEEP_ALIVE / 1000} s, and outlives the request timeout of ${REQUEST_TIMEOUT / 1000} s`, async () => {
    const { node, emit } = eventNode()
    const url = await serve(node)
    const client = await open(`${url}/v1/events`)
    await sleep(REQUEST_TIMEOUT + 2_000)
    expect(client.ended).toBe(false)
    expect(client.comments.filter(c => c === 'keep-alive').length).toBe(Math.floor((REQUEST_TIMEOUT + 2_000) / EVENT_KEEP_ALIVE))
    const late = emit(added('late'))
    await client.waitFor(es => es.some(e => e.seq === late.seq), 'an event after the request timeout')
  }, REQUEST_TIMEOUT + 30_000)
})

describe('readSse', () => {
  const parse = async (chunks: string[]): Promise<unknown[]> => {
    const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start: (controller) => {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c) as Uint8Array<ArrayBuffer>)
        controller.close()
      }
    })
    const items = []
    for await (const item of readSse(body)) items.push(item)
    return items
  }

  it('events, comments, multi-line data, CRLF split across chunks, and a last event with no blank line dropped', async () => {
    expect(await parse([': keep-alive\r', '\n\r\nid: 3\nevent: peer:up\ndata: {"a":', '1}\r', '\n\r', '\ndata: x\ndata: y\nretry: 5\n\ndata: unfinished\n'])).toEqual([
      { kind: 'comment', text: 'keep-alive' },
      { kind: 'event', id: '3', event: 'peer:up', data: '{"a":1}' },
      { kind: 'event', event: 'message', data: 'x\ny' }
    ])
  })
})

describe('the text of events', () => {
  const at = new Date(2026, 0, 2, 14, 2, 7).getTime()
  const lines = (events: GridEventBody[]): string[] => {
    const line = eventPrinter()
    return events.map((e, i) => line({ ...e, seq: i + 1, at } as GridEvent)).filter((l): l is string => l != null)
  }

  it('one line per event a person cares about; a job said when first seen and when it ends', () => {
    const job = { jobId: 'j1', peerId: PEER, dataset: 'cars' }
    expect(lines([
      { type: 'peer:up', peerId: PEER },
      { type: 'peer:down', peerId: PEER, reason: 'after 3 missed pings in a row' },
      { type: 'dataset:added', name: 'cars', tags: ['#cars', '#vega'], rows: 406, private: false },
      { type: 'dataset:removed', name: 'cars', tags: ['#cars'] },
      { type: 'dataset:changed', name: 'cars', status: 'missing' },
      { type: 'job:served', ...job, phase: 'accepted', queuePosition: 2 },
      { type: 'job:served', ...job, phase: 'accepted', queuePosition: 1 },
      { type: 'job:served', ...job, phase: 'started' },
      { type: 'job:served', ...job, phase: 'progress', progress: 0.5 },
      { type: 'job:served', ...job, phase: 'result', durationMs: 1234 },
      { type: 'job:requested', ...job, jobId: 'j2', phase: 'dispatched' },
      { type: 'job:requested', ...job, jobId: 'j2', phase: 'error', status: 'failed', message: 'threw', durationMs: 400 },
      { type: 'search', tags: ['#cars'], holders: 2, durationMs: 168, ok: true },
      { type: 'reachability', state: 'relayed', relays: ['R1'], reason: 'behind NAT' },
      { type: 'not-ready', reason: 'its last peer left' },
      { type: 'ready' },
      { type: 'pubsub:message', topic: 'chat', from: PEER, text: 'hi', bytes: 2 }
    ])).toEqual([
      `14:02:07  peer up ${PEER}`,
      `14:02:07  peer down ${PEER}: after 3 missed pings in a row`,
      '14:02:07  dataset added cars (#cars #vega; 406 rows)',
      '14:02:07  dataset removed cars (#cars)',
      '14:02:07  dataset cars is missing',
      '14:02:07  job for 12D3KooW…F4CHCz cars  accepted (2 ahead)',
      '14:02:07  job for 12D3KooW…F4CHCz cars  result (1.2 s)',
      '14:02:07  job sent to 12D3KooW…F4CHCz cars  sent',
      '14:02:07  job sent to 12D3KooW…F4CHCz cars  error (failed, 0.4 s): threw',
      '14:02:07  search #cars: 2 holders in 168 ms',
      '14:02:07  reachable through relay R1: behind NAT',
      '14:02:07  not ready: its last peer left',
      '14:02:07  ready: joined the grid',
      '14:02:07  message on chat from 12D3KooW…F4CHCz: "hi"'
    ])
  })
})
