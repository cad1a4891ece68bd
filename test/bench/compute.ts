// `pnpm bench`, part 3: computation. Jobs between two node processes against a raw libp2p
// request/response stream on the same connection; the sandbox's own cost; redispatch time.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Worker } from 'node:worker_threads'
import { createGridNode, runInSandbox } from '@grid-node/core'
import { runInV8, warmUp } from '@grid-node/core/v8'
import { multiaddr } from '@multiformats/multiaddr'
import { median } from './stats.ts'
import type { EngineName, GridNode } from '@grid-node/core'
import type { PeerId } from '@libp2p/interface'
import type { ChildProcess } from 'node:child_process'

const RAW_PROTOCOL = '/bench/raw/1.0.0'
const SEQUENTIAL = 200
const LARGE = 8 * 1024 * 1024
const RUNS = 5

interface Holder { child: ChildProcess, addr: string, peerId: string }

async function startHolder (rowsFile?: string): Promise<Holder> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'compute-holder.ts'), ...(rowsFile != null ? [rowsFile] : [])], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = await once(createInterface({ input: child.stdout! }), 'line') as [string]
  const { addr, peerId } = JSON.parse(line)
  return { child, addr, peerId }
}

async function raw (node: GridNode, peer: PeerId, bytes: number): Promise<number> {
  // pipelined, as many streams at once as jobs (libp2p's default allows 64 per protocol)
  const stream = await node.libp2p.dialProtocol(peer, RAW_PROTOCOL, { maxOutboundStreams: 1024 })
  const request = new Uint8Array(4)
  new DataView(request.buffer).setUint32(0, bytes)
  stream.send(request)
  let received = 0
  for await (const chunk of stream) received += chunk.byteLength
  await stream.close()
  return received
}

/** Jobs the holder answered busy (past its 128 jobs per peer, which 200 pipelined jobs can reach on a loaded machine): sent again, and counted. */
let busyRetries = 0

/** Jobs that failed in a figure's runs: counted and reported, never the end of the run. */
const failures = new Map<string, number>()
async function counted<T> (figure: string, once: () => Promise<T>): Promise<T | undefined> {
  try {
    return await once()
  } catch (err: any) {
    const key = `${figure}: ${String(err?.message ?? err).slice(0, 80)}`
    failures.set(key, (failures.get(key) ?? 0) + 1)
    return undefined
  }
}

async function job (node: GridNode, peer: PeerId, code: string, engine?: EngineName): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    let value: unknown
    let busy = false
    for await (const event of node.runJob(peer, { code, ...(engine != null ? { engine } : {}) })) {
      if (event.type === 'result') value = event.value
      if (event.type === 'error' && event.status === 'busy' && attempt < 100) busy = true
      else if (event.type === 'error') throw new Error(event.message)
    }
    if (!busy) return value
    busyRetries++
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

async function perSecond (count: number, once: () => Promise<unknown>, parallel: boolean): Promise<number> {
  const started = performance.now()
  if (parallel) await Promise.all(Array.from({ length: count }, once))
  else for (let i = 0; i < count; i++) await once()
  return count / ((performance.now() - started) / 1000)
}

async function mibPerSecond (once: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await once()
  return (LARGE / (1024 * 1024)) / ((performance.now() - started) / 1000)
}

async function streams (requester: GridNode, holder: Holder): Promise<string[]> {
  const peer = (await requester.libp2p.dial(multiaddr(holder.addr))).remotePeer
  const noop = 'export default () => 1'
  const large = `export default () => "x".repeat(${LARGE - 2})`
  await job(requester, peer, noop) // warm the worker and the connection
  await raw(requester, peer, 1)
  const seqJobs: number[] = []; const seqRaw: number[] = []; const pipeJobs: number[] = []
  const bigRaw: number[] = []
  const bigJobs: Record<EngineName, number[]> = { quickjs: [], v8: [] }
  const push = (into: number[], value: number | undefined): void => { if (value != null) into.push(value) }
  for (let run = 0; run < RUNS; run++) {
    seqRaw.push(await perSecond(SEQUENTIAL, async () => raw(requester, peer, 1), false))
    push(seqJobs, await counted('sequential no-op', async () => perSecond(SEQUENTIAL, async () => job(requester, peer, noop), false)))
    push(pipeJobs, await counted('pipelined no-op', async () => perSecond(SEQUENTIAL, async () => job(requester, peer, noop), true)))
    bigRaw.push(await mibPerSecond(async () => raw(requester, peer, LARGE)))
    for (const engine of ENGINES) push(bigJobs[engine], await counted(`8 MiB result on ${engine}`, async () => mibPerSecond(async () => job(requester, peer, large, engine))))
  }
  const f = (v: number): string => v.toFixed(0).padStart(6)
  return [
    `sequential no-op jobs/s        ${f(median(seqJobs))}   raw request/response/s ${f(median(seqRaw))}   ratio ${(median(seqJobs) / median(seqRaw)).toFixed(2)} (goal ≥ 0.50)`,
    `pipelined no-op jobs/s         ${f(median(pipeJobs))}   vs sequential jobs/s   ${f(median(seqJobs))}   ratio ${(median(pipeJobs) / median(seqJobs)).toFixed(2)} (goal ≥ 5)`,
    ...ENGINES.map(engine => `8 MiB result on ${engine.padEnd(7)} MiB/s ${f(median(bigJobs[engine]))}   raw 8 MiB stream MiB/s ${f(median(bigRaw))}   ratio ${(median(bigJobs[engine]) / median(bigRaw)).toFixed(2)} (goal ≥ 0.80)`)
  ]
}

/** Pipelined no-op jobs against pipelined raw request/response streams on the same connection, alternated per run. */
async function pipelined (requester: GridNode, holder: Holder): Promise<string> {
  const peer = (await requester.libp2p.dial(multiaddr(holder.addr))).remotePeer
  const noop = 'export default () => 1'
  await job(requester, peer, noop)
  const jobs: number[] = []; const raws: number[] = []
  for (let run = 0; run < RUNS; run++) {
    raws.push(await windowed(SEQUENTIAL, PIPELINE_WINDOW, async () => raw(requester, peer, 1)))
    jobs.push(await windowed(SEQUENTIAL, PIPELINE_WINDOW, async () => job(requester, peer, noop)))
  }
  const f = (v: number): string => v.toFixed(0).padStart(6)
  return `pipelined no-op jobs/s         ${f(median(jobs))}   raw pipelined req/resp/s ${f(median(raws))}   ratio ${(median(jobs) / median(raws)).toFixed(2)} (goal ≥ 0.80; ${PIPELINE_WINDOW} in flight)`
}

/** Requests in flight at once when pipelining: half a holder's per-peer limit (128), so no job is answered busy. */
const PIPELINE_WINDOW = 64

/** `count` calls, `window` of them in flight at any time; calls per second. */
async function windowed (count: number, window: number, once: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: window }, async () => { while (next++ < count) await once() }))
  return count / ((performance.now() - started) / 1000)
}

/**
 * The cost of verified results: `run --replicas 3` against one, on three holders of the same
 * rows (each run searches the holders, as `grid-node run --tag` does), alternated, 20 each.
 */
async function replicated (requester: GridNode, rowsFile: string): Promise<string> {
  const holders = [await startHolder(rowsFile), await startHolder(rowsFile), await startHolder(rowsFile)]
  try {
    for (const h of holders) await requester.libp2p.dial(multiaddr(h.addr))
    while ((await requester.searchAll(['#bench-rows'], { cache: false })).length < 3) await new Promise(resolve => setTimeout(resolve, 200))
    const code = 'export default ({ data }) => data.reduce((s, r) => s + r.a, 0)'
    const once = async (replicas: number): Promise<number> => {
      const started = performance.now()
      const finals = await requester.runAll({ tags: ['#bench-rows'], code, replicas })
      if (finals.length !== 1 || finals[0]?.type !== 'result') throw new Error(`replicated run failed: ${JSON.stringify(finals)}`)
      return performance.now() - started
    }
    await once(3)
    const one: number[] = []; const three: number[] = []
    for (let i = 0; i < 20; i++) {
      one.push(await once(1))
      three.push(await once(3))
    }
    return `--replicas 3 vs one (search + run + compare): median ${median(three).toFixed(1)} ms vs ${median(one).toFixed(1)} ms: ${(median(three) / median(one)).toFixed(2)}×`
  } finally {
    for (const h of holders) h.child.kill('SIGKILL')
  }
}

const ENGINES: EngineName[] = ['quickjs', 'v8']

/** A job on the calling thread, as a worker runs it (its data as JSON text, as the pool hands it on): its value. */
async function onEngine (engine: EngineName, code: string, dataJson?: string): Promise<unknown> {
  const job = { code, ...(dataJson != null ? { dataJson } : {}) }
  const outcome = engine === 'quickjs' ? await runInSandbox(job) : await runInV8(job, {})
  if (!outcome.ok) throw new Error(outcome.message)
  return 'json' in outcome ? JSON.parse(outcome.json) : outcome.value
}

/**
 * A job's time on the calling thread. V8's isolates are disposed and made after each job, as a
 * worker does once the job's outcome is posted: that work is off the job's path, and untimed.
 */
async function timed (once: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await once()
  const ms = performance.now() - started
  warmUp()
  return ms
}

/**
 * Plain V8 starting cold, as every sandboxed job does (a fresh isolate has no compiled code and
 * no type feedback): the same function body in a fresh worker thread, its input passed in untimed.
 */
async function coldPlain (body: string, data?: unknown): Promise<number> {
  const worker = new Worker("const { parentPort, workerData } = require('node:worker_threads'); const f = new Function('rows', workerData.body); const t = performance.now(); f(workerData.data); parentPort.postMessage(performance.now() - t)", { eval: true, workerData: { body, data } })
  const [ms] = await once(worker, 'message') as [number]
  await worker.terminate()
  return ms
}

const FIB = 'const fib = (n) => n < 2 ? n : fib(n - 1) + fib(n - 2)'
/** k-means, k = 5, 10 rounds over the rows' x and y. */
const KMEANS = `const kmeans = (rows) => {
  let centres = rows.slice(0, 5).map(r => [r.x, r.y])
  for (let round = 0; round < 10; round++) {
    const sums = centres.map(() => [0, 0, 0])
    for (const r of rows) {
      let best = 0; let bestD = Infinity
      for (let k = 0; k < centres.length; k++) {
        const dx = r.x - centres[k][0]; const dy = r.y - centres[k][1]; const d = dx * dx + dy * dy
        if (d < bestD) { bestD = d; best = k }
      }
      const s = sums[best]; s[0] += r.x; s[1] += r.y; s[2]++
    }
    centres = sums.map((s, k) => s[2] === 0 ? centres[k] : [s[0] / s[2], s[1] / s[2]])
  }
  return centres
}`

const KMEANS_JOB = `${KMEANS}; export default ({ data }) => { const t = Date.now(); kmeans(data); return Date.now() - t }`

async function sandbox (): Promise<string[]> {
  const lines: string[] = []
  const rows = Array.from({ length: 100_000 }, (_, i) => ({ id: i, x: Math.sin(i) * 100 + (i % 5) * 50, y: Math.cos(i * 1.3) * 100 + (i % 5) * 30 }))
  // the rows as the pool hands them to a worker; new rows for a first job: other text, the same values
  const rowsJson = JSON.stringify(rows)
  const newRowsJson = (run: number): string => rowsJson + ' '.repeat(run + 1)
  const noop = 'export default () => 1'
  for (const engine of ENGINES) await onEngine(engine, noop)
  const noopMs: Record<EngineName, number[]> = { quickjs: [], v8: [] }
  const fibMs: Record<EngineName, number[]> = { quickjs: [], v8: [] }
  const kmeansMs: Record<EngineName, number[]> = { quickjs: [], v8: [] }
  const kmeansInJobMs: Record<EngineName, number[]> = { quickjs: [], v8: [] }
  const kmeansFirstMs: Record<EngineName, number[]> = { quickjs: [], v8: [] }
  const plainFib: number[] = []; const plainKmeans: number[] = []
  const coldFib: number[] = []; const coldKmeans: number[] = []
  // alternated, so a slow spell of the machine falls on every column alike
  for (let i = 0; i < 200; i++) {
    for (const engine of ENGINES) {
      const ms = await counted(`no-op on ${engine}`, async () => timed(async () => onEngine(engine, noop)))
      if (ms != null) noopMs[engine].push(ms)
    }
  }
  for (let run = 0; run < RUNS; run++) {
    // eslint-disable-next-line no-new-func
    plainFib.push(await timed(async () => new Function(`${FIB}; return fib(30)`)()))
    // eslint-disable-next-line no-new-func
    plainKmeans.push(await timed(async () => new Function('rows', `${KMEANS}; return kmeans(rows)`)(rows)))
    coldFib.push(await coldPlain(`${FIB}; return fib(30)`))
    coldKmeans.push(await coldPlain(`${KMEANS}; return kmeans(rows)`, rows))
    for (const engine of ENGINES) {
      const fib = await counted(`fib(30) on ${engine}`, async () => timed(async () => onEngine(engine, `${FIB}; export default () => fib(30)`)))
      if (fib != null) fibMs[engine].push(fib)
      // a first job on new rows parses and freezes them; the job after it on the same rows finds them made ahead (V8)
      const first = await counted(`k-means on ${engine}`, async () => timed(async () => onEngine(engine, KMEANS_JOB, newRowsJson(run))))
      if (first != null) kmeansFirstMs[engine].push(first)
      await counted(`k-means on ${engine}`, async () => timed(async () => onEngine(engine, KMEANS_JOB, rowsJson)))
      let inJob: number | undefined
      const kmeans = await counted(`k-means on ${engine}`, async () => timed(async () => { inJob = (await onEngine(engine, KMEANS_JOB, rowsJson)) as number }))
      if (kmeans != null) kmeansMs[engine].push(kmeans)
      if (inJob != null) kmeansInJobMs[engine].push(inJob)
    }
  }
  for (const engine of ENGINES) lines.push(`no-op job, sandbox cost on ${engine.padEnd(7)}: median ${median(noopMs[engine]).toFixed(2)} ms (goal ≤ 1 ms${engine === 'v8' ? ', isolates made ahead' : ''})`)
  for (const engine of ENGINES) lines.push(`fib(30) on ${engine.padEnd(7)} ${median(fibMs[engine]).toFixed(0).padStart(6)} ms vs plain V8 ${median(plainFib).toFixed(0)} ms warm, ${median(coldFib).toFixed(0)} ms cold: ${(median(fibMs[engine]) / median(plainFib)).toFixed(2)}× / ${(median(fibMs[engine]) / median(coldFib)).toFixed(2)}× (goal for v8 ≤ 1.5×)`)
  for (const engine of ENGINES) lines.push(`k-means over 100k rows on ${engine.padEnd(7)} ${median(kmeansMs[engine]).toFixed(0).padStart(6)} ms vs plain V8 ${median(plainKmeans).toFixed(0)} ms warm, ${median(coldKmeans).toFixed(0)} ms cold: ${(median(kmeansMs[engine]) / median(plainKmeans)).toFixed(2)}× (the whole job, the same rows as the job before${engine === 'v8' ? ': parsed and frozen ahead' : ''}); a first job on new rows (in as JSON, parsed and frozen): ${median(kmeansFirstMs[engine]).toFixed(0)} ms, ${(median(kmeansFirstMs[engine]) / median(plainKmeans)).toFixed(2)}×; the k-means alone, timed in the job: ${median(kmeansInJobMs[engine]).toFixed(0)} ms, ${(median(kmeansInJobMs[engine]) / median(plainKmeans)).toFixed(2)}× warm / ${(median(kmeansInJobMs[engine]) / median(coldKmeans)).toFixed(2)}× cold (goal for v8 ≤ 1.5×)`)
  return lines
}

async function redispatch (requester: GridNode, rowsFile: string): Promise<string> {
  const times: number[] = []
  const holders = [await startHolder(rowsFile), await startHolder(rowsFile)]
  try {
    for (let run = 0; run < 3; run++) {
      for (const h of holders) await requester.libp2p.dial(multiaddr(h.addr))
      while ((await requester.searchAll(['#bench-rows'], { cache: false })).length < 2) await new Promise(resolve => setTimeout(resolve, 200))
      let killedAt = 0
      for await (const event of requester.run({ tags: ['#bench-rows'], code: 'export default () => { const end = Date.now() + 3000; while (Date.now() < end) {} return 1 }' })) {
        if (event.type !== 'started') continue
        if (killedAt === 0) {
          const victim = holders.findIndex(h => h.peerId === event.peerId)
          holders[victim]!.child.kill('SIGKILL')
          killedAt = performance.now()
          holders[victim] = await startHolder(rowsFile) // for the next run
        } else {
          times.push(performance.now() - killedAt)
          break
        }
      }
    }
  } finally {
    for (const h of holders) h.child.kill('SIGKILL')
  }
  return `redispatch, holder killed → replacement job started: median ${median(times).toFixed(0)} ms (runs: ${times.map(t => t.toFixed(0)).join(', ')}; goal ≤ 2000 ms)`
}

const dir = await mkdtemp(join(tmpdir(), 'grid-bench-compute-'))
const lines: string[] = []
const requester = await createGridNode({ dataDir: join(dir, 'requester'), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true })
try {
  console.log('compute: jobs between two processes against a raw stream…')
  const holder = await startHolder()
  try {
    lines.push(...await streams(requester, holder))
    lines.push(await pipelined(requester, holder))
  } finally {
    holder.child.kill('SIGKILL')
  }
  console.log('compute: the sandbox…')
  lines.push(...await sandbox())
  console.log('compute: redispatch…')
  const rowsFile = join(dir, 'rows.jsonl')
  await writeFile(rowsFile, '{"a":1}\n{"a":2}\n')
  lines.push(await redispatch(requester, rowsFile))
  console.log('compute: replicas…')
  lines.push(await replicated(requester, rowsFile))
} finally {
  await requester.stop()
  await rm(dir, { recursive: true, force: true })
}
console.log(`\ncompute, medians of ${RUNS} runs (${SEQUENTIAL} jobs per throughput run), side by side in one run:\n`)
for (const line of lines) console.log(line)
if (busyRetries > 0) console.log(`(${busyRetries} pipelined jobs were answered busy and sent again)`)
for (const [what, n] of failures) console.log(`(failed, counted and left out of the medians: ${n} × ${what})`)
process.exit(0)
