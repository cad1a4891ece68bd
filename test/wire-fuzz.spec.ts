import { createGridNode } from '@grid-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeDir, tempDir } from './helpers/cli.js'
import { createBareClient, dialWithRetry, fuzz, fuzzStream, openStreams } from './helpers/fuzz-client.js'
import { concat, lp, pb, Rng, validRequest } from './helpers/fuzz-frames.js'
import { jobOnce, keepAsking, searchOnce } from './helpers/fuzz-normal.js'
import type { Outcome, StreamEnd } from './helpers/fuzz-client.js'
import type { StreamPlan } from './helpers/fuzz-frames.js'
import type { GridNode } from '@grid-node/core'

/** GRID_FUZZ_SEED replays a run: the same seed sends the same frames, stream by stream. */
const SEED = Number(process.env.GRID_FUZZ_SEED ?? crypto.getRandomValues(new Uint32Array(1))[0])
const FRAMES = 10_000
const CATALOG = '/grid/main/catalog/1.0.0'
const COMPUTE = '/grid/main/compute/1.0.0'

describe('wire fuzz: malformed frames on the catalog and compute protocols from a bare libp2p client', () => {
  const dirs: string[] = []
  let holder: GridNode
  let normal: GridNode
  const asked = (): { holder: GridNode['peerId'], tag: string, dataset: string } => ({ holder: holder.peerId, tag: '#fuzz', dataset: 'fuzz' })

  beforeAll(async () => {
    dirs.push(await tempDir('grid-fuzz-'), await tempDir('grid-fuzz-'))
    holder = await createGridNode({ dataDir: dirs[0]!, listen: ['/ip4/127.0.0.1/tcp/0'], lan: true, compute: { poolSize: 2 } })
    await holder.datasets.add({ name: 'fuzz', rows: [{ a: 1 }, { a: 2 }, { a: 3 }], tags: ['#fuzz'] })
    normal = await createGridNode({ dataDir: dirs[1]!, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [holder.shareableAddrs()[0]!.toString()], lan: true })
    await normal.whenReady()
    // the holder's provider record reaches the DHT a moment after the dataset is added
    let lastError: Error | undefined
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise(resolve => setTimeout(resolve, 500))) {
      lastError = await searchOnce(normal, asked()).then(() => undefined, err => err)
      if (lastError == null) return
    }
    throw new Error(`the normal client never found the holder's dataset: ${lastError?.message}`)
  })

  afterAll(async () => {
    await Promise.all([holder, normal].map(async n => n?.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it(`sends ≥ ${FRAMES} frames to each protocol while a normal client is answered; no stream leaks`, async () => {
    console.log(`wire fuzz seed ${SEED} (GRID_FUZZ_SEED=${SEED} replays it)`)
    const baseline = { catalog: openStreams(holder.libp2p, CATALOG), compute: openStreams(holder.libp2p, COMPUTE) }
    const stop = new AbortController()
    const asking = keepAsking(normal, { ...asked(), deadlineMs: 20_000, signal: stop.signal })
    const report = await fuzz({ addr: holder.shareableAddrs()[0]!, seed: SEED, frames: FRAMES, clients: 3, concurrency: 16, stalls: 4 }).finally(() => { stop.abort() })
    const answers = await asking

    const seconds = report.durationMs / 1000
    console.log(`fuzz: ${report.catalog.frames} catalog frames on ${report.catalog.streams} streams, ${report.compute.frames} compute frames on ${report.compute.streams} streams in ${seconds.toFixed(1)} s: ${((report.catalog.frames + report.compute.frames) / seconds).toFixed(0)} frames/s`)
    console.log(`outcomes: catalog ${JSON.stringify(report.catalog.outcomes)}, compute ${JSON.stringify(report.compute.outcomes)}`)
    console.log(`normal client meanwhile: ${answers.searches.length} searches, ${answers.jobs.length} jobs answered, ${answers.failures.length} failed`)
    for (const n of report.notable) console.log(`notable: seed ${SEED} ${n.target} stream #${n.index} (${n.kind}) ${n.outcome} ${n.error ?? ''}: ${n.bytes}`)

    expect(report.catalog.frames).toBeGreaterThanOrEqual(FRAMES)
    expect(report.compute.frames).toBeGreaterThanOrEqual(FRAMES)
    // every stream ended (answered, closed or reset by the holder) within the deadline: none hung, none refused to open
    expect(report.notable.filter(n => n.outcome === 'hung' || n.outcome === 'open-failed')).toEqual([])
    // the valid requests among the garbage were answered
    expect(report.catalog.byKind['valid-then-garbage']?.answered).toBeGreaterThan(0)
    expect(report.compute.byKind['valid-then-garbage']?.answered).toBeGreaterThan(0)
    // the stalled streams were ended by the holder's deadline
    expect(report.catalog.byKind.stall).toEqual({ reset: 4 })
    expect(report.compute.byKind.stall).toEqual({ reset: 4 })

    expect(answers.failures).toEqual([])
    expect(answers.searches.length).toBeGreaterThanOrEqual(3)
    expect(answers.jobs.length).toBeGreaterThanOrEqual(3)

    // still alive and answering, and every fuzz stream gone from the holder
    await searchOnce(normal, asked())
    await jobOnce(normal, asked())
    await expect.poll(() => openStreams(holder.libp2p, CATALOG), { timeout: 15_000, interval: 250 }).toBeLessThanOrEqual(baseline.catalog)
    await expect.poll(() => openStreams(holder.libp2p, COMPUTE), { timeout: 15_000, interval: 250 }).toBeLessThanOrEqual(baseline.compute)
  })

  it('a job whose args nest 10,000 deep, sent while every worker is busy, is refused and the holder lives', async () => {
    const client = await createBareClient()
    try {
      const connection = await dialWithRetry(client, holder.shareableAddrs()[0]!)
      const job = (code: string, argsJson: string): StreamPlan => ({ kind: 'job', chunks: [lp(concat([pb.string(1, 'j'), pb.string(2, code), pb.string(4, argsJson)]))], frames: 1, end: 'close', answerExpected: true })
      const busy = 'export default () => { const t = Date.now(); while (Date.now() - t < 1500); return 1 }'
      const running = [fuzzStream(connection, COMPUTE, job(busy, 'null'), 20_000), fuzzStream(connection, COMPUTE, job(busy, 'null'), 20_000)]
      await expect.poll(() => holder.poolStatus().running, { timeout: 5_000, interval: 50 }).toBe(2)
      // queued behind the busy workers, it reaches a worker only when one frees up: at HEAD b5f4a26
      // posting it threw "Maximum call stack size exceeded" inside the pool's message handler and took the process down
      const deep = await fuzzStream(connection, COMPUTE, job('export default () => 1', '['.repeat(10_000) + ']'.repeat(10_000)), 20_000)
      expect(['answered', 'reset']).toContain(deep.outcome)
      expect((await Promise.all(running)).map(r => r.outcome)).toEqual(['answered', 'answered'])
      await jobOnce(normal, asked())
    } finally {
      await client.stop()
    }
  })

  it('refuses catalog streams over its per-connection limit (never hangs them) and keeps serving', async () => {
    const client = await createBareClient()
    try {
      const connection = await dialWithRetry(client, holder.shareableAddrs()[0]!)
      const rng = new Rng(SEED)
      const ask = async (): Promise<StreamEnd> => fuzzStream(connection, CATALOG, { kind: 'burst', chunks: [lp(validRequest('catalog', rng))], frames: 1, end: 'close', answerExpected: true }, 20_000)
      const burst = await Promise.all(Array.from({ length: 64 }, ask))
      const outcomes: Partial<Record<Outcome, number>> = {}
      for (const { outcome } of burst) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
      console.log(`64 catalog streams at once on one connection (limit 32): ${JSON.stringify(outcomes)}`)
      expect((outcomes.answered ?? 0) + (outcomes.refused ?? 0)).toBe(64)
      expect(outcomes.answered).toBeGreaterThanOrEqual(32)
      // the same connection is served again once the burst is over, and so is everyone else
      expect((await ask()).outcome).toBe('answered')
      await searchOnce(normal, asked())
      await expect.poll(() => openStreams(holder.libp2p, CATALOG), { timeout: 15_000, interval: 250 }).toBe(0)
    } finally {
      await client.stop()
    }
  })
})
