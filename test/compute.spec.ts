import { utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeDir, tempDir } from './helpers/cli.js'
import type { GridNode, JobEvent, JobInit } from '@grid-node/core'

describe('jobs over /grid/<network>/compute/1.0.0 between real nodes', () => {
  const dirs: string[] = []
  let holder: GridNode
  let requester: GridNode
  let stranger: GridNode

  const make = async (bootstrap: string[], extra = {}): Promise<GridNode> => {
    const dataDir = await tempDir()
    dirs.push(dataDir)
    return createGridNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, lan: true, ...extra })
  }
  const events = async (from: GridNode, job: JobInit, signal?: AbortSignal): Promise<JobEvent[]> => {
    const seen: JobEvent[] = []
    for await (const e of from.runJob(holder.peerId, job, signal != null ? { signal } : {})) seen.push(e)
    return seen
  }

  beforeAll(async () => {
    const requesterDir = await tempDir()
    dirs.push(requesterDir)
    // the holder runs jobs for the requester only; the requester's peer ID is known before it starts
    const { loadPeerId } = await import('@grid-node/core')
    const requesterId = (await loadPeerId(requesterDir)).toString()
    holder = await make([], { compute: { allow: [requesterId], poolSize: 2 } })
    const bootstrap = [holder.shareableAddrs()[0]!.toString()]
    requester = await createGridNode({ dataDir: requesterDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, lan: true })
    stranger = await make(bootstrap)
    await Promise.all([requester.whenReady(), stranger.whenReady()])
    await holder.datasets.add({ name: 'nums', rows: [{ x: 1 }, { x: 2 }, { x: 3 }], tags: ['#nums'] })
    await holder.datasets.add({ name: 'secret', rows: [{ x: 9 }], tags: ['#nums'], private: true })
    await holder.datasets.add({ name: 'shared', rows: [{ x: 7 }], tags: ['#nums'], allow: [requesterId] })
  })

  afterAll(async () => {
    await Promise.all([holder, requester, stranger].map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('streams accepted → started → progress → log → result, computed next to the data', async () => {
    const seen = await events(requester, {
      code: 'export default async ({ data, args, progress, log }) => { progress(0.5); log("rows", data.length); return data.reduce((s, r) => s + r.x, 0) * args.k }',
      dataset: 'nums',
      args: { k: 10 }
    })
    expect(seen.map(e => e.type)).toEqual(['accepted', 'started', 'progress', 'log', 'result'])
    expect(seen.at(-1)).toEqual({ type: 'result', value: 60 })
  })

  it.each([
    ['an endless loop', 'export default () => { while (true) {} }', 'timeout'],
    ['unbounded allocation', 'export default () => { const a = []; while (true) a.push(new Array(1e5).fill(1)) }', 'memory'],
    ['deep recursion', 'export default () => { const f = (n) => f(n + 1) + 1; return f(0) }', 'stack'],
    ['code that does not parse', 'export default ( {', 'syntax'],
    ['code that throws', 'export default () => { throw new Error("no") }', 'threw'],
    ['process', 'export default () => process.exit(1)', 'threw'],
    ['require', 'export default () => require("fs")', 'threw'],
    ['fetch', 'export default () => fetch("http://127.0.0.1:1")', 'threw'],
    ['import()', 'export default async () => import("fs")', 'import-refused'],
    ['a result over the cap', 'export default () => "x".repeat(17 * 1024 * 1024)', 'result-too-large'],
    ['a BigInt result', 'export default () => 1n', 'not-serialisable']
  ])('%s ends in one error event (%s) and the holder keeps serving', async (_what, code, failure) => {
    const seen = await events(requester, { code, timeoutMs: 1_000 })
    expect(seen.at(-1)).toMatchObject({ type: 'error', status: 'failed', failure })
    expect((await events(requester, { code: 'export default () => "still here"' })).at(-1)).toEqual({ type: 'result', value: 'still here' })
  })

  it('prototype pollution stays in its own runtime: neither the host nor the next job sees it', async () => {
    const first = await events(requester, { code: 'export default () => { Object.prototype.polluted = 1; return ({}).polluted + ":" + ({}).constructor.constructor("return typeof process")() }' })
    expect(first.at(-1)).toEqual({ type: 'result', value: '1:undefined' })
    expect((await events(requester, { code: 'export default () => ({}).polluted === undefined' })).at(-1)).toEqual({ type: 'result', value: true })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('streams a large result (12 MiB) back whole', async () => {
    const seen = await events(requester, { code: 'export default () => "x".repeat(12 * 1024 * 1024)' })
    const last = seen.at(-1) as { type: string, value: string }
    expect(last.type).toBe('result')
    expect(last.value.length).toBe(12 * 1024 * 1024)
  })

  it('a result of several parts, characters cut across their edges, arrives identical on both engines', async () => {
    // 1, 2, 3 and 4 UTF-8 bytes a character, so part boundaries fall inside characters; a string with nothing to escape, one with, and rows
    const results: Record<string, unknown> = {
      plain: 'aé漢'.repeat(700_000),
      escaped: 'a😀"\\\n'.repeat(400_000),
      rows: Array.from({ length: 30_000 }, (_, i) => ({ i, s: 'é漢😀'.repeat(10) + String(i) }))
    }
    const code = 'export default ({ args }) => args === \'plain\' ? \'aé漢\'.repeat(700000) : args === \'escaped\' ? \'a😀"\\\\\\n\'.repeat(400000) : Array.from({ length: 30000 }, (_, i) => ({ i, s: \'é漢😀\'.repeat(10) + String(i) }))'
    for (const engine of ['v8', 'quickjs'] as const) {
      for (const [args, value] of Object.entries(results)) {
        const last = (await events(requester, { code, args, engine })).at(-1)
        expect(last?.type, `${args} on ${engine}`).toBe('result')
        expect((last as { value: unknown }).value, `${args} on ${engine}`).toEqual(value)
      }
    }
  })

  it('a job on a file dataset sees the file as it is now: rows kept for the next job are read again once it changes', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const path = join(dir, 'moving.jsonl')
    await writeFile(path, '{"x":1}\n{"x":2}\n')
    await holder.datasets.add({ name: 'moving', path, tags: ['#moving'] })
    const sum = { code: 'export default ({ data }) => data.reduce((s, r) => s + r.x, 0)', dataset: 'moving' }
    expect((await events(requester, sum)).at(-1)).toEqual({ type: 'result', value: 3 })
    expect((await events(requester, sum)).at(-1)).toEqual({ type: 'result', value: 3 })
    // another size; then the same size, other bytes, a later time
    await writeFile(path, '{"x":1}\n{"x":2}\n{"x":4}\n')
    expect((await events(requester, sum)).at(-1)).toEqual({ type: 'result', value: 7 })
    await writeFile(path, '{"x":5}\n{"x":2}\n{"x":4}\n')
    await utimes(path, new Date(), new Date(Date.now() + 5000))
    expect((await events(requester, sum)).at(-1)).toEqual({ type: 'result', value: 11 })
  })

  it('a private dataset shared with a peer (allow-list) is computable by it, and only by it', async () => {
    expect((await events(requester, { code: 'export default ({ data }) => data[0].x', dataset: 'shared' })).at(-1)).toEqual({ type: 'result', value: 7 })
    const viaScheduler = await requester.runAll({ code: 'export default ({ data }) => data.length', peers: [holder.peerId], dataset: 'shared' })
    expect(viaScheduler).toEqual([expect.objectContaining({ type: 'result', value: 1, dataset: 'shared' })])
    expect((await holder.datasets.get('shared'))).toMatchObject({ visibility: 'private', allow: [requester.peerId.toString()] })
  })

  it('refuses a peer not on the allow-list, and a private or unknown dataset', async () => {
    expect(await events(stranger, { code: 'export default () => 1' })).toEqual([{ type: 'error', status: 'forbidden', message: expect.stringMatching(/allow-list/) }])
    expect((await events(requester, { code: 'export default ({ data }) => data', dataset: 'secret' })).at(-1)).toMatchObject({ type: 'error', status: 'not-found' })
  })

  it('aborting the signal cancels the job on the holder, whose worker is freed', async () => {
    const controller = new AbortController()
    const running = events(requester, { code: 'export default () => { while (true) {} }', timeoutMs: 20_000 }, controller.signal)
    await expect.poll(() => holder.poolStatus().running).toBe(1)
    controller.abort()
    await expect(running).rejects.toThrow()
    await expect.poll(() => holder.poolStatus()).toMatchObject({ running: 0, waiting: 0 })
  })

  it('resizing the pool under a queue of 100 jobs: every result arrives exactly once', async () => {
    const jobs = Array.from({ length: 100 }, async (_, i) => events(requester, { code: 'export default ({ args }) => { let s = 0; for (let j = 0; j < 1e5; j++) s += j; return args.i }', args: { i } }))
    holder.resizePool(4)
    setTimeout(() => { holder.resizePool(1) }, 200)
    setTimeout(() => { holder.resizePool(3) }, 500)
    const results = (await Promise.all(jobs)).map(seen => seen.filter(e => e.type === 'result'))
    expect(results.every(r => r.length === 1)).toBe(true)
    expect(results.map(r => (r[0] as { value: number }).value)).toEqual(Array.from({ length: 100 }, (_, i) => i))
    holder.resizePool(2)
  })

  it('answers busy, clearly, past the per-peer limit', async () => {
    const small = await make([holder.shareableAddrs()[0]!.toString()], { compute: { maxJobsPerPeer: 1, poolSize: 1 } })
    await small.whenReady()
    const last = async (): Promise<JobEvent | undefined> => {
      const seen: JobEvent[] = []
      for await (const e of requester.runJob(small.peerId, { code: 'export default () => { let s = 0; for (let j = 0; j < 3e6; j++) s += j; return s }' })) seen.push(e)
      return seen.at(-1)
    }
    const outcomes = await Promise.all([last(), last(), last()])
    expect(outcomes.filter(e => e?.type === 'result').length).toBeGreaterThanOrEqual(1)
    expect(outcomes.filter(e => e?.type === 'error')).toContainEqual({ type: 'error', status: 'busy', message: expect.stringMatching(/you already have 1 jobs here/) })
    await small.stop()
  })

  it('resets a malformed compute frame and keeps serving', async () => {
    const stream = await requester.libp2p.dialProtocol(holder.peerId, '/grid/main/compute/1.0.0')
    stream.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]))
    let received = 0
    await (async () => { for await (const chunk of stream) received += chunk.byteLength })().catch(() => {})
    expect(received).toBe(0)
    expect((await events(requester, { code: 'export default () => 2' })).at(-1)).toEqual({ type: 'result', value: 2 })
  })

  it('a node that stops offering compute refuses jobs and is no longer a worker in a search; offering again restores both', async () => {
    const worker = await make([holder.shareableAddrs()[0]!.toString()], { compute: { poolSize: 1 } })
    try {
      await worker.whenReady()
      const job = { code: 'export default () => 7' }
      const found = async (): Promise<boolean> => (await requester.searchAll(['#compute:js'], { cache: false })).some(r => r.peerId.equals(worker.peerId) && r.capabilities.includes('#compute:js'))
      await expect.poll(found, { timeout: 20_000, interval: 250 }).toBe(true)
      const served: string[] = []
      const off = worker.onServedJob(({ from, event }) => { served.push(`${from === requester.peerId.toString() ? 'requester' : from} ${event.type}`) })

      await worker.offerCompute(false)
      expect(worker.offeringCompute).toBe(false)
      expect(worker.status().announced).not.toContain('#compute:js')
      const refused = []
      for await (const e of requester.runJob(worker.peerId, job)) refused.push(e)
      expect(refused).toEqual([expect.objectContaining({ type: 'error', status: 'forbidden', message: expect.stringMatching(/not running jobs for others/) })])
      expect(await found()).toBe(false)

      await worker.offerCompute(true)
      const ran = []
      for await (const e of requester.runJob(worker.peerId, job)) ran.push(e)
      expect(ran.at(-1)).toEqual({ type: 'result', value: 7 })
      expect(served).toEqual(['requester error', 'requester accepted', 'requester started', 'requester result'])
      expect(await found()).toBe(true)
      off()
    } finally {
      await worker.stop()
    }
  })

  it('a peer list that names this node runs that job in its own pool', async () => {
    const finals = await requester.runAll({ code: 'export default ({ args }) => args.n + 1', args: { n: 41 }, peers: [requester.peerId, holder.peerId] })
    expect(finals.map(e => [e.peerId === requester.peerId.toString() ? 'self' : 'holder', e.type, e.type === 'result' ? e.value : undefined])).toEqual(expect.arrayContaining([['self', 'result', 42], ['holder', 'result', 42]]))
    expect(finals).toHaveLength(2)
  })
})
