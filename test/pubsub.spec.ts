/**
 * Pub/sub between real node processes, through the CLI and the local API: bad topic names and
 * oversized messages refused with clear errors (exit 2, 4xx), a node's own rate refused (429),
 * a flooding peer (its own process, publishing past the rate) throttled and scored down while
 * the others' messages still arrive, and a peer sending oversized messages dropped and scored down.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { Follower } from './helpers/pubsub.js'
import type { ChildProcess } from 'node:child_process'

const FLOODER = resolve(import.meta.dirname, 'helpers/pubsub-flooder.ts')
const LIMIT = 64 * 1024

interface Scores { topics: Array<{ topic: string, peers: string[] }>, scores: Array<{ peerId: string, score: number }> }

async function post (node: CliNode, path: string, body: unknown): Promise<{ status: number, body: any }> {
  return node.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

/** `grid-node pub` with stdin from `input`. */
async function pubStdin (dataDir: string, topic: string, input: Uint8Array): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../packages/cli/bin/grid-node.js'), 'pub', topic, '-', '--data-dir', dataDir], { env: { ...process.env, DEBUG: '' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  child.stdin.on('error', () => {})
  child.stdin.end(input)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, stdout, stderr }
}

describe('pub/sub through the CLI and the API', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  const followers: Follower[] = []
  let flooder: ChildProcess | undefined

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const dir = await tempDir()
      dirs.push(dir)
      const bootstrap = i === 0 ? [] : ['--bootstrap', (await nodes[0]!.started()).bootstrapAddrs[0]!]
      nodes.push(CliNode.start(dir, bootstrap))
    }
    await Promise.all(nodes.map(async n => n.event('ready')))
    for (const node of nodes) followers.push(new Follower(node.dataDir))
    await Promise.all(followers.map(async f => f.subscribed()))
    // every node knows the other two are subscribed
    await eventually(async () => {
      const known = await Promise.all(nodes.map(async n => (await n.api<Scores>('/v1/pubsub')).body.topics[0]?.peers.length ?? 0))
      return known.every(k => k >= 2) ? true : undefined
    }, 'the three nodes to see each other subscribed to chat')
  })

  afterAll(async () => {
    flooder?.kill('SIGINT')
    await Promise.all(followers.map(async f => f.stop()))
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('pub sends to the subscribed peers and sub shows it on each, once', async () => {
    const r = await runCli(['pub', 'chat', 'hello from the CLI', '--data-dir', nodes[0]!.dataDir])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^sent to 2 peers on 'chat'/)
    const from = (await nodes[0]!.started()).peerId
    for (const f of followers) expect(await f.received('hello from the CLI')).toMatchObject({ type: 'message', topic: 'chat', from, bytes: 18 })
    const stdin = await pubStdin(nodes[1]!.dataDir, 'chat', new TextEncoder().encode('from stdin\n'))
    expect(stdin.code, stdin.stderr).toBe(0)
    for (const f of followers) await f.received('from stdin')
    await new Promise(resolve => setTimeout(resolve, 1000))
    for (const f of followers) expect(f.counts().get('hello from the CLI')).toBe(1)
  })

  it('a bad topic name is refused with what to use: exit 2 from the CLI, 400 from the API', async () => {
    for (const args of [['pub', 'bad topic', 'hi'], ['pub', 'a/b', 'hi'], ['sub', '-x'], ['sub', 'x'.repeat(65)]]) {
      const r = await runCli([...args, '--data-dir', nodes[0]!.dataDir])
      if (args[1] === '-x') { expect(r.code).toBe(2); continue }
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/invalid topic ".*": use 1-64 characters of A-Z, a-z, 0-9, \. _ - : starting with a letter or digit/)
    }
    for (const res of [await post(nodes[0]!, '/v1/pubsub/bad%20topic', { text: 'x' }), await nodes[0]!.api('/v1/pubsub/%2Fgrid%2Fmain%2Ftopic%2Fchat')]) {
      expect(res.status).toBe(400)
      expect(res.body).toMatchObject({ name: 'TopicInvalidError', error: expect.stringContaining('invalid topic') })
    }
    expect((await post(nodes[0]!, '/v1/pubsub/chat', { text: 'x', base64: 'eA==' })).status).toBe(400)
    expect((await post(nodes[0]!, '/v1/pubsub/chat', { data: 'x' })).body.error).toMatch(/unknown field "data"/)
  })

  it('a message over 64 KiB is refused before anything is sent; one of exactly 64 KiB goes', async () => {
    const before = followers[1]!.messages().length
    const arg = await runCli(['pub', 'chat', 'x'.repeat(LIMIT + 1), '--data-dir', nodes[0]!.dataDir])
    expect(arg.code).toBe(2)
    expect(arg.stderr).toMatch(/the message is 65537 bytes, over the limit of 65536 bytes/)
    const stdin = await pubStdin(nodes[0]!.dataDir, 'chat', new Uint8Array(LIMIT + 100).fill(0xff))
    expect(stdin.code).toBe(2)
    expect(stdin.stderr).toMatch(/over the limit of 65536 bytes/)
    const api = await post(nodes[0]!, '/v1/pubsub/chat', { base64: Buffer.alloc(LIMIT + 1).toString('base64') })
    expect(api.status).toBe(413)
    expect(api.body.name).toBe('MessageTooLargeError')
    // not UTF-8, so it comes back as base64
    const exact = await post(nodes[0]!, '/v1/pubsub/chat', { base64: Buffer.alloc(LIMIT, 0xff).toString('base64') })
    expect(exact).toMatchObject({ status: 200, body: { topic: 'chat', peers: 2 } })
    const got = await eventually(async () => followers[1]!.messages().find(m => m.bytes === LIMIT), 'the 64 KiB message')
    expect(Buffer.from(got.base64 ?? '', 'base64').equals(Buffer.alloc(LIMIT, 0xff))).toBe(true)
    expect(followers[1]!.messages().length).toBe(before + 1)
  })

  it('a flooding peer is throttled and scored down; the others\' messages still arrive', async () => {
    const FLOOD_MS = 8_000
    flooder = spawn(process.execPath, [FLOODER, (await nodes[0]!.started()).bootstrapAddrs[0]!, 'chat', String(FLOOD_MS)], { env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'inherit'] })
    const events: Array<Record<string, any>> = []
    createInterface({ input: flooder.stdout! }).on('line', line => { events.push(JSON.parse(line)) })
    const started = await eventually(async () => events.find(e => e.event === 'started'), 'the flooder to start', 60_000)
    // while the flood goes on: an honest peer keeps talking at its own pace, and scores are watched
    let lowest = 0
    const watching = (async () => {
      while (!events.some(e => e.event === 'done')) {
        const scores = await Promise.all(nodes.map(async n => (await n.api<Scores>('/v1/pubsub')).body.scores))
        for (const p of scores.flat()) if (p.peerId === started.peerId) lowest = Math.min(lowest, p.score)
        await new Promise(resolve => setTimeout(resolve, 300))
      }
    })()
    for (let i = 0; i < 5; i++) {
      expect((await post(nodes[1]!, '/v1/pubsub/chat', { text: `honest ${i}` })).status).toBe(200)
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    const done = await eventually(async () => events.find(e => e.event === 'done'), 'the flood to end', 60_000)
    await watching
    console.log(`flooder: ${String(done.sent)} messages in ${String(done.ms)} ms; its lowest score on a neighbour ${lowest}`)
    for (const f of followers) for (let i = 0; i < 5; i++) await f.received(`honest ${i}`)
    const seconds = FLOOD_MS / 1000
    // each of the flooder's neighbours passes on 40 at once, then 10 a second
    const bound = 3 * (40 + 10 * seconds) + 50
    expect(done.sent, 'the flood must be far over the limit for this test to mean anything').toBeGreaterThan(2 * bound)
    const floods = followers.map(f => f.messages().filter(m => m.from === started.peerId).length)
    console.log(`flood messages delivered at each node: ${floods.join(', ')} (bound ${bound})`)
    for (const flood of floods) {
      expect(flood, `flood messages at one node, of ${String(done.sent)} sent in ${seconds} s`).toBeLessThan(bound)
      expect(flood).toBeGreaterThan(0)
    }
    expect(lowest, 'the flooder\'s lowest score on its neighbours').toBeLessThanOrEqual(-80)
    const honest = (await nodes[1]!.started()).peerId
    const scores = await Promise.all(nodes.map(async n => (await n.api<Scores>('/v1/pubsub')).body.scores))
    // the honest publisher is not penalised: above the first threshold (-10), where gossip with it would stop
    for (const p of scores.flat()) if (p.peerId === honest) expect(p.score).toBeGreaterThan(-10)
  })

  it('a peer that sends messages over 64 KiB has them dropped and is scored down', async () => {
    const sender = spawn(process.execPath, [FLOODER, (await nodes[0]!.started()).bootstrapAddrs[0]!, 'chat', '10000', String(LIMIT + 1000), '10'], { env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const events: Array<Record<string, any>> = []
      createInterface({ input: sender.stdout! }).on('line', line => { events.push(JSON.parse(line)) })
      const started = await eventually(async () => events.find(e => e.event === 'started'), 'the sender to start', 60_000)
      const done = await eventually(async () => events.find(e => e.event === 'done'), 'the sender to finish', 60_000)
      expect(done.sent).toBe(10)
      // 10 points a message on each neighbour it sent them to: 100, past the publish threshold (-50) for seconds
      const lowest = await eventually(async () => {
        const scores = await Promise.all(nodes.map(async n => (await n.api<Scores>('/v1/pubsub')).body.scores))
        const min = Math.min(0, ...scores.flat().filter(p => p.peerId === started.peerId).map(p => p.score))
        return min <= -50 ? min : undefined
      }, 'the oversize sender to be scored down')
      expect(lowest).toBeLessThanOrEqual(-50)
      const r = await runCli(['pub', 'chat', 'after the oversized ones', '--data-dir', nodes[1]!.dataDir])
      expect(r.code, r.stderr).toBe(0)
      for (const f of followers) {
        await f.received('after the oversized ones')
        expect(f.messages().filter(m => m.from === started.peerId)).toEqual([])
      }
    } finally {
      sender.kill('SIGINT')
    }
  })

  it('this node refuses its own publishes past the rate: 429 with when to send again', async () => {
    const statuses: number[] = []
    let refused: any
    await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      const r = await post(nodes[2]!, '/v1/pubsub/chat', { text: `burst ${i}` })
      statuses.push(r.status)
      if (r.status === 429) refused = r.body
    }))
    expect(statuses.filter(s => s === 200).length).toBeGreaterThanOrEqual(20)
    expect(statuses.filter(s => s === 429).length).toBeGreaterThan(0)
    expect(refused).toMatchObject({ name: 'PublishRateError', error: expect.stringMatching(/a burst of 20 messages .* then 10 a second/) })
  })

  it('pub to a topic nobody follows says so and exits 1', async () => {
    const r = await runCli(['pub', 'empty-room', 'anyone?', '--data-dir', nodes[0]!.dataDir])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no peer is subscribed to 'empty-room' yet: the message reached no other node/)
  })
})
