// `pnpm bench`, hostile peers (issue 9): a holder's memory after 100 allocation bombs, another
// peer's no-op job while one peer floods the queue, and the malformed frames per second a node
// takes while still answering. Each part has its own holder process; a failed part is reported
// and the next one still runs; every child is killed at the end.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createGridNode } from '@grid-node/core'
import { multiaddr } from '@multiformats/multiaddr'
import { tempDir } from '../helpers/cli.ts'
import { dialWithRetry, fuzz } from '../helpers/fuzz-client.ts'
import { jobOnce, keepAsking, searchOnce } from '../helpers/fuzz-normal.ts'
import { median, percentile } from './stats.ts'
import type { NormalReport } from '../helpers/fuzz-normal.ts'
import type { GridNode, JobEvent } from '@grid-node/core'
import type { PeerId } from '@libp2p/interface'
import type { ChildProcess } from 'node:child_process'

const BOMBS = 100
const BOMB = "export default () => { const a = []; for (;;) a.push('x'.repeat(1e6) + Math.random()) }"
/** The bombs stop early if the holder grows past this: the machine is shared. */
const RSS_CEILING_MB = 8 * 1024
const FLOOD = 120
const SLOW = 'export default () => { const t = Date.now(); while (Date.now() - t < 2000); return 1 }'
const NOOP = 'export default () => 1'
const B_JOBS = 20
/** Peer B's part under the flood ends after this, answered or not. */
const FLOOD_CAP_MS = 120_000
const FUZZ_FRAMES = 20_000

interface Holder { child: ChildProcess, addr: string, peerId: string, pid: number }

const children = new Set<ChildProcess>()
process.on('exit', () => { for (const child of children) child.kill('SIGKILL') })
process.on('SIGINT', () => { process.exit(130) })

async function startHolder (): Promise<Holder> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'hostile-holder.ts')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DEBUG: '' } })
  children.add(child)
  const line = once(createInterface({ input: child.stdout! }), 'line') as Promise<[string]>
  const [first] = await Promise.race([line, new Promise<never>((_resolve, reject) => setTimeout(() => { reject(new Error('the holder did not start within 60 s')) }, 60_000))])
  return { child, ...JSON.parse(first) }
}

function killHolder (holder: Holder): void {
  holder.child.kill('SIGKILL')
  children.delete(holder.child)
}

/** VmRSS and VmHWM (peak) of a process, in MiB. */
async function memory (pid: number): Promise<{ rss: number, peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 }
}

async function connect (node: GridNode, holder: Holder): Promise<PeerId> {
  return (await dialWithRetry(node.libp2p, multiaddr(holder.addr))).remotePeer
}

/** A job's last event and how long it took; never throws (an error is an outcome). */
async function job (node: GridNode, peer: PeerId, code: string, signal: AbortSignal): Promise<{ last?: JobEvent, ms: number, error?: string }> {
  const started = performance.now()
  let last: JobEvent | undefined
  try {
    for await (const event of node.runJob(peer, { code }, { signal })) last = event
    return { ms: performance.now() - started, ...(last != null ? { last } : {}) }
  } catch (err: any) {
    return { ms: performance.now() - started, error: err.message, ...(last != null ? { last } : {}) }
  }
}

/** `failed:memory`, `busy`, `result`, `stream error`…: what a job came to. */
function outcome ({ last, error }: { last?: JobEvent, error?: string }): string {
  if (last?.type === 'error') return last.failure != null ? `${last.status}:${last.failure}` : last.status
  return error != null ? 'stream error' : last?.type ?? 'nothing'
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const ms = (v: number): string => Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'n/a'

/** a. Holder RSS at baseline, at its peak and a few seconds after 100 allocation bombs. */
async function bombs (requester: GridNode): Promise<string[]> {
  const holder = await startHolder()
  try {
    const peer = await connect(requester, holder)
    for (let i = 0; i < 5; i++) await job(requester, peer, NOOP, AbortSignal.timeout(30_000))
    await sleep(2_000)
    const baseline = await memory(holder.pid)
    const failures: Record<string, number> = {}
    const times: number[] = []
    let sent = 0
    let stoppedAt = ''
    // two at a time, one per worker of the holder's pool
    const next = async (): Promise<void> => {
      while (sent < BOMBS && stoppedAt === '') {
        sent++
        const ended = await job(requester, peer, BOMB, AbortSignal.timeout(60_000))
        times.push(ended.ms)
        failures[outcome(ended)] = (failures[outcome(ended)] ?? 0) + 1
        if (holder.child.exitCode != null) stoppedAt = `the holder exited (${holder.child.exitCode})`
        else if ((await memory(holder.pid)).rss > RSS_CEILING_MB) stoppedAt = `RSS passed ${RSS_CEILING_MB} MiB`
      }
    }
    await Promise.all([next(), next()])
    if (stoppedAt !== '') return [`allocation bombs: stopped after ${sent}: ${stoppedAt}; outcomes ${JSON.stringify(failures)}`]
    await sleep(5_000)
    const after = await memory(holder.pid)
    const alive = await job(requester, peer, NOOP, AbortSignal.timeout(30_000))
    return [
      `allocation bombs: ${BOMBS} sent, 2 at a time, each ended in ${JSON.stringify(failures)}; median ${ms(median(times))} per bomb`,
      `holder RSS: baseline ${baseline.rss.toFixed(0)} MiB, peak (VmHWM) ${after.peak.toFixed(0)} MiB, 5 s after the bombs ${after.rss.toFixed(0)} MiB: ${(after.rss / baseline.rss).toFixed(2)}× baseline (goal: near 1×); a no-op job after: ${alive.last?.type === 'result' ? 'answered' : `not answered (${alive.error ?? alive.last?.type})`}`
    ]
  } finally {
    killHolder(holder)
  }
}

/** Percentile of latencies where `Infinity` stands for a job not answered within the cap. */
function pct (values: number[], p: number, capMs: number): string {
  const v = percentile(values, p)
  return v === Infinity ? `> ${ms(capMs)}` : ms(v)
}

/** b. Peer B's no-op job on an idle holder, then while peer A keeps 120 slow jobs queued there. */
async function fairness (a: GridNode, b: GridNode): Promise<string[]> {
  const holder = await startHolder()
  const flood = new AbortController()
  const floodJobs = new Set<Promise<void>>()
  try {
    const [peerA, peerB] = [await connect(a, holder), await connect(b, holder)]
    for (let i = 0; i < 3; i++) await job(b, peerB, NOOP, AbortSignal.timeout(30_000))
    const idle: number[] = []
    for (let i = 0; i < B_JOBS; i++) {
      const r = await job(b, peerB, NOOP, AbortSignal.timeout(30_000))
      idle.push(r.last?.type === 'result' ? r.ms : Infinity)
    }
    // A keeps FLOOD jobs outstanding: each one that ends is replaced, until B is done
    let sentA = 0
    let acceptedA = 0
    const sendA = (): void => {
      sentA++
      const running: Promise<void> = (async () => {
        for await (const e of a.runJob(peerA, { code: SLOW }, { signal: flood.signal })) if (e.type === 'accepted') acceptedA++
      })().catch(() => {}).finally(() => {
        floodJobs.delete(running)
        if (!flood.signal.aborted) sendA()
      })
      floodJobs.add(running)
    }
    for (let i = 0; i < FLOOD; i++) sendA()
    for (const until = Date.now() + 30_000; Date.now() < until; await sleep(100)) {
      if (acceptedA >= FLOOD) break
    }
    const queued = acceptedA
    const capEnd = performance.now() + FLOOD_CAP_MS
    const flooded: number[] = []
    const outcomes: Record<string, number> = {}
    for (let i = 0; i < B_JOBS; i++) {
      const left = capEnd - performance.now()
      const r = left > 0 ? await job(b, peerB, NOOP, AbortSignal.timeout(Math.ceil(left))) : undefined
      flooded.push(r?.last?.type === 'result' ? r.ms : Infinity)
      const o = r == null ? 'not sent (cap reached)' : outcome(r)
      outcomes[o] = (outcomes[o] ?? 0) + 1
    }
    const ratio = percentile(flooded, 50) / percentile(idle, 50)
    return [
      `peer B's no-op job, idle holder:                 p50 ${pct(idle, 50, 30_000)}, p95 ${pct(idle, 95, 30_000)} (${B_JOBS} in a row)`,
      `while peer A keeps ${FLOOD} × 2 s jobs queued: p50 ${pct(flooded, 50, FLOOD_CAP_MS)}, p95 ${pct(flooded, 95, FLOOD_CAP_MS)}; ratio p50 ${Number.isFinite(ratio) ? ratio.toFixed(1) : '∞'}× (goal: B waits about one job, ≤ ~2 s)`,
      `  B's ${B_JOBS} jobs: ${JSON.stringify(outcomes)} within a ${FLOOD_CAP_MS / 1000} s cap; A: ${queued} accepted before B began, ${sentA} sent in all, 2 workers`
    ]
  } finally {
    flood.abort()
    await Promise.race([Promise.allSettled([...floodJobs]), sleep(10_000)])
    killHolder(holder)
  }
}

/** `searches 40 ok, 2 failed; jobs 42 ok, 0 failed` */
function counts ({ searches, jobs, failures }: NormalReport): string {
  const failed = (what: string): number => failures.filter(f => f.startsWith(`${what}:`)).length
  return `searches ${searches.length} ok, ${failed('search')} failed; jobs ${jobs.length} ok, ${failed('job')} failed`
}

/** c. Malformed frames per second a holder takes while a normal client's requests are answered. */
async function fuzzing (seed: number): Promise<string[]> {
  const holder = await startHolder()
  const dir = await tempDir('grid-bench-hostile-normal-')
  const normal = await createGridNode({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [holder.addr], lan: true })
  try {
    await normal.whenReady()
    const asked = { holder: await connect(normal, holder), tag: '#fuzz', dataset: 'fuzz', deadlineMs: 20_000 }
    for (const until = Date.now() + 60_000; Date.now() < until;) {
      if (await searchOnce(normal, asked).then(() => true, () => false)) break
      await sleep(500)
    }
    const idle = await keepAsking(normal, { ...asked, signal: AbortSignal.timeout(10_000) })
    const stop = new AbortController()
    const asking = keepAsking(normal, { ...asked, signal: stop.signal })
    const report = await fuzz({ addr: multiaddr(holder.addr), seed, frames: FUZZ_FRAMES }).finally(() => { stop.abort() })
    const during = await asking
    const alive = holder.child.exitCode == null && await jobOnce(normal, asked).then(() => true, () => false)
    const seconds = report.durationMs / 1000
    const streams = report.catalog.streams + report.compute.streams
    const p50 = (v: number[]): string => ms(median(v))
    return [
      `fuzz (seed ${seed}): ${report.catalog.frames} catalog + ${report.compute.frames} compute frames on ${streams} streams in ${seconds.toFixed(1)} s: ${((report.catalog.frames + report.compute.frames) / seconds).toFixed(0)} frames/s, ${(streams / seconds).toFixed(0)} streams/s; hung ${report.notable.filter(n => n.outcome === 'hung').length}; holder alive and answering after: ${alive ? 'yes' : 'NO'}`,
      `normal client, idle holder:  search p50 ${p50(idle.searches)}, no-op job p50 ${p50(idle.jobs)} (${counts(idle)})`,
      `normal client, during fuzz:  search p50 ${p50(during.searches)}, no-op job p50 ${p50(during.jobs)} (${counts(during)}); ratio job p50 ${(median(during.jobs) / median(idle.jobs)).toFixed(1)}×`,
      ...[...new Set([...idle.failures, ...during.failures])].slice(0, 3).map(f => `  a failure: ${f}`)
    ]
  } finally {
    await normal.stop()
    await rm(dir, { recursive: true, force: true })
    killHolder(holder)
  }
}

const seed = Number(process.env.GRID_FUZZ_SEED ?? crypto.getRandomValues(new Uint32Array(1))[0])
const dir = await tempDir('grid-bench-hostile-')
const [a, b] = await Promise.all(['a', 'b'].map(async name => createGridNode({ dataDir: join(dir, name), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true })))
const parts: Array<[string, () => Promise<string[]>]> = [
  [`a. holder memory after ${BOMBS} allocation bombs`, async () => bombs(a!)],
  ['b. another peer\'s no-op job while one peer floods the queue', async () => fairness(a!, b!)],
  ['c. wire fuzz with a normal client', async () => fuzzing(seed)]
]
const lines: string[] = []
try {
  for (const [title, part] of parts) {
    console.log(`hostile: ${title}…`)
    const started = performance.now()
    try {
      lines.push(title, ...(await part()).map(line => `  ${line}`))
    } catch (err: any) {
      lines.push(title, `  failed: ${err.message}`)
    }
    console.log(`hostile: ${title}: ${((performance.now() - started) / 1000).toFixed(0)} s`)
  }
} finally {
  await Promise.all([a, b].map(async n => n?.stop()))
  await rm(dir, { recursive: true, force: true })
}
console.log('\nhostile peers, one run:\n')
for (const line of lines) console.log(line)
process.exit(0)
