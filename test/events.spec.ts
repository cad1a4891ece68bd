/**
 * Live events across three real `grid-node start` processes: A holds a dataset, B searches for
 * it, runs a job on it and publishes on a topic A follows, C is started in text mode and killed
 * with kill -9. A's and B's
 * `GET /v1/events` deliver the scenario's events in order, gap-free; C's death is reported
 * once, not once per liveness round; `grid-node events --json` prints what the stream carries;
 * `start` prints the events as text and as JSON.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, CliNode, eventually, removeDir, tempDir } from './helpers/cli.js'
import { Follower } from './helpers/pubsub.js'
import { SseClient } from './helpers/sse.js'
import type { GridEvent } from '@grid-node/core'
import type { ChildProcess } from 'node:child_process'

const INTERVAL = 1_000
const LIVENESS = ['--liveness-interval', String(INTERVAL), '--liveness-timeout', '1000']
const JSON_TYPE = { 'content-type': 'application/json' }

/** A child process whose output lines are kept as they come. */
function spawnCli (args: string[]): { child: ChildProcess, lines: string[], stderr: () => string, exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let stderr = ''
  createInterface({ input: child.stdout! }).on('line', line => lines.push(line))
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => { resolve(code) }))
  return { child, lines, stderr: () => stderr, exited }
}

describe('live events across three real nodes', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  const streams: SseClient[] = []
  const children: ChildProcess[] = []
  const followers: Follower[] = []
  let a: CliNode
  let b: CliNode
  let aStream: SseClient
  let bStream: SseClient
  let ids: { a: string, b: string, c: string }
  let cLines: string[]

  beforeAll(async () => {
    const dir = async (): Promise<string> => { const d = await tempDir(); dirs.push(d); return d }
    a = CliNode.start(await dir(), LIVENESS)
    nodes.push(a)
    const aStarted = await a.started()
    await a.event('ready')
    aStream = await SseClient.open(`${aStarted.api}/v1/events?since=0`)
    streams.push(aStream)
    b = CliNode.start(await dir(), [...LIVENESS, '--bootstrap', aStarted.bootstrapAddrs[0]!])
    nodes.push(b)
    await b.event('ready')
    bStream = await SseClient.open(`${(await b.started()).api}/v1/events?since=0`)
    streams.push(bStream)
    // C in text mode, as a person runs it
    const c = spawnCli(['start', '--lan', '--data-dir', await dir(), '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', ...LIVENESS, '--bootstrap', aStarted.bootstrapAddrs[0]!])
    children.push(c.child)
    cLines = c.lines
    await eventually(async () => cLines.some(l => /^Ready /.test(l)) ? true : undefined, 'C ready', 60_000)
    ids = { a: aStarted.peerId, b: (await b.started()).peerId, c: /^Peer ID\s+(\S+)/.exec(cLines[0] ?? '')![1]! }

    // the scenario: a dataset on A, B finds it and runs a job on it, C killed
    expect((await a.api('/v1/datasets', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name: 'nums', tags: ['#nums'], rows: [{ x: 1 }, { x: 2 }, { x: 3 }] }) })).status).toBe(200)
    await eventually(async () => {
      const { body } = await b.api<Array<{ peerId: string }>>('/v1/search?tag=%23nums&timeout=3000')
      return body.some(r => r.peerId === ids.a) ? true : undefined
    }, 'B finds A holding #nums', 60_000)
    const run = await fetch(`${(await b.started()).api}/v1/run`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ code: 'export default ({ data }) => data.length', tags: ['#nums'] }) })
    expect(await run.text()).toContain('"type":"result"')
    await aStream.waitFor(es => es.some(e => e.type === 'job:served' && e.phase === 'result'), 'the job served on A')
    // A follows a topic (`grid-node sub`), B publishes on it
    const follower = new Follower(a.dataDir, 'chat')
    followers.push(follower)
    await follower.subscribed()
    await eventually(async () => {
      const { status, body } = await b.api<{ peers: number }>('/v1/pubsub/chat', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ text: 'hello from B' }) })
      return status === 200 && body.peers > 0 ? true : undefined
    }, 'B publishing to A', 60_000)
    await aStream.waitFor(es => es.some(e => e.type === 'pubsub:message'), 'the message on A')
    c.child.kill('SIGKILL')
    await aStream.waitFor(es => es.some(e => e.type === 'peer:down' && e.peerId === ids.c), 'C down on A')
    // six more liveness rounds: a dead peer must not be reported again
    await new Promise(resolve => setTimeout(resolve, 6 * INTERVAL))
  }, 240_000)

  afterAll(async () => {
    await Promise.all(streams.map(async s => s.close()))
    await Promise.all(followers.map(async f => f.stop()))
    for (const child of children) child.kill('SIGKILL')
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  const of = (events: GridEvent[], peerId: string, type: string): GridEvent[] => events.filter(e => e.type === type && 'peerId' in e && e.peerId === peerId)

  it('A: each event framed as id/event/data, seq from 1 with no gap, in the order things happened', () => {
    expect(aStream.status).toBe(200)
    expect(aStream.contentType).toBe('text/event-stream')
    const events = aStream.events
    expect(events.map(e => e.seq)).toEqual(events.map((_, i) => i + 1))
    for (const e of events) expect([e.wireId, e.wireType]).toEqual([String(e.seq), e.type])
    const story = events.flatMap(e => {
      if (e.type === 'peer:up' || e.type === 'peer:down') return [`${e.type} ${e.peerId === ids.b ? 'B' : e.peerId === ids.c ? 'C' : '?'}`]
      if (e.type === 'dataset:added') return [`${e.type} ${e.name}`]
      if (e.type === 'job:served' && (e.phase === 'accepted' || e.phase === 'result')) return [`${e.type} ${e.phase} ${e.peerId === ids.b ? 'B' : '?'}`]
      if (e.type === 'pubsub:message') return [`${e.type} ${e.topic} ${e.from === ids.b ? 'B' : '?'} ${e.text ?? ''}`]
      return []
    })
    // a holder repeats `accepted` while a job waits: once or more, then the result
    expect(story.filter((s, i) => s !== story[i - 1])).toEqual(['peer:up B', 'peer:up C', 'dataset:added nums', 'job:served accepted B', 'job:served result B', 'pubsub:message chat B hello from B', 'peer:down C'])
    const result = events.find(e => e.type === 'job:served' && e.phase === 'result')
    expect(result).toMatchObject({ dataset: 'nums', durationMs: expect.any(Number) })
  })

  it('A: the killed peer is down exactly once, and never up again; `peers` says down too', async () => {
    expect(of(aStream.events, ids.c, 'peer:down')).toHaveLength(1)
    expect(of(aStream.events, ids.c, 'peer:up')).toHaveLength(1)
    expect(of(bStream.events, ids.c, 'peer:down').length).toBeLessThanOrEqual(1)
    // A's own console said it once too (start --json)
    expect(a.printed('peer:down').filter(e => e.peerId === ids.c)).toHaveLength(1)
    const { body: peers } = await a.api<Array<{ peerId: string, state: string }>>('/v1/peers')
    expect(peers.find(p => p.peerId === ids.c)?.state).toBe('down')
  })

  it('B: its search, then the job it sent, from dispatch to result', () => {
    const events = bStream.events
    expect(events.map(e => e.seq)).toEqual(events.map((_, i) => i + 1))
    const search = events.findIndex(e => e.type === 'search' && e.tags.includes('#nums') && e.holders > 0)
    const dispatched = events.findIndex(e => e.type === 'job:requested' && e.phase === 'dispatched')
    const result = events.findIndex(e => e.type === 'job:requested' && e.phase === 'result')
    expect(search).toBeGreaterThanOrEqual(0)
    expect(dispatched).toBeGreaterThan(search)
    expect(result).toBeGreaterThan(dispatched)
    expect(events[result]).toMatchObject({ peerId: ids.a, dataset: 'nums', durationMs: expect.any(Number) })
  })

  it('start prints the events after Ready, one line each (text) and as JSON objects (--json)', () => {
    const ready = cLines.findIndex(l => /^Ready /.test(l))
    const up = cLines.findIndex(l => new RegExp(`^\\d\\d:\\d\\d:\\d\\d  peer up ${ids.a}$`).test(l))
    expect(up).toBeGreaterThan(ready)
    expect(b.printed('job:requested').some(e => e.phase === 'result' && e.type === 'job:requested' && typeof e.seq === 'number')).toBe(true)
    // the events start --json has always printed keep their shape, once
    expect(b.printed('ready')).toHaveLength(1)
    expect(b.printed('ready')[0]).toMatchObject({ peers: expect.any(Number), routingTableSize: expect.any(Number) })
  })

  it('`grid-node events --json --since 0` prints what the stream carries, and exits 0 on SIGTERM', async () => {
    const follower = spawnCli(['events', '--json', '--since', '0', '--data-dir', a.dataDir])
    children.push(follower.child)
    await eventually(async () => follower.lines.length >= aStream.events.length ? true : undefined, 'the kept events printed', 30_000)
    const printed = follower.lines.map(l => JSON.parse(l) as GridEvent)
    expect(printed.slice(0, aStream.events.length).map(e => e.seq)).toEqual(aStream.events.map(e => e.seq))
    expect(printed.find(e => e.type === 'peer:down')).toMatchObject({ peerId: ids.c, reason: expect.any(String) })
    follower.child.kill('SIGTERM')
    expect(await follower.exited).toBe(0)
    expect(follower.stderr()).toBe('')
  })

  it('`grid-node events` (text, --types) ends non-zero with a clear message when its node stops; A sees B down once', async () => {
    const follower = spawnCli(['events', '--types', 'peer:up,job:requested', '--since', '0', '--data-dir', b.dataDir])
    children.push(follower.child)
    await eventually(async () => follower.lines.some(l => / job sent to .* result \(\d/.test(l)) ? true : undefined, 'the job line', 30_000)
    expect(follower.lines.every(l => / (peer up|job sent to) /.test(l))).toBe(true)
    await b.stop()
    expect(await follower.exited).toBe(1)
    expect(follower.stderr()).toMatch(/^grid-node: error: the event stream of the node at http:\/\/127\.0\.0\.1:\d+ ended: .*grid-node status/)
    // a peer that leaves gracefully is down once too
    await aStream.waitFor(es => of(es, ids.b, 'peer:down').length > 0, 'B down on A')
    await new Promise(resolve => setTimeout(resolve, 4 * INTERVAL))
    expect(of(aStream.events, ids.b, 'peer:down')).toHaveLength(1)
  })
})
