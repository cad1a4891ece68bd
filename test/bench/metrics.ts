// `pnpm bench`, part: the cost of metrics. Two pairs side by side in one run, alternating: a real
// `grid-node start` holder (metrics on; `--no-metrics`) and an in-process requester (with the
// CLI's node metrics; without), each pair on its own network. Searches/s, sequential and
// pipelined no-op jobs/s, holder RSS, and what one scrape costs. Failed requests are counted.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { createGridNode } from '@grid-node/core'
import { peerIdFromString } from '@libp2p/peer-id'
import { createNodeMetrics } from '../../packages/cli/dist/metrics/node-metrics.js'
import { median, perSecond } from './stats.ts'
import type { NodeMetrics } from '../../packages/cli/dist/metrics/node-metrics.js'
import type { GridNode } from '@grid-node/core'
import type { PeerId } from '@libp2p/interface'
import type { ChildProcess } from 'node:child_process'

const BIN = resolve(import.meta.dirname, '../../packages/cli/bin/grid-node.js')
/** Short batches, the arms alternating batch by batch: a machine whose load swings hits both alike. */
const BATCHES = Number(process.env.BENCH_METRICS_BATCHES ?? 20)
const SEARCHES = 20
const JOBS = 50
const PIPELINED = 100
/** `BENCH_METRICS_AA=1`: both arms without metrics, to see how far apart two equal arms land here. */
const AA = process.env.BENCH_METRICS_AA === '1'
const TAG = '#bench-metrics'
const NOOP = 'export default () => 1'

type Arm = 'on' | 'off'

interface Pair {
  arm: Arm
  holder: ChildProcess
  api: string
  holderPeer: PeerId
  requester: GridNode
  metrics?: NodeMetrics
}

const failed = { searches: 0, jobs: 0, busy: 0 }

/** A `grid-node start --json` holder on loopback with one dataset; resolves once it is ready. */
async function startHolder (dir: string, arm: Arm): Promise<{ child: ChildProcess, api: string, peerId: string, addr: string }> {
  const args = ['start', '--json', '--lan', '--data-dir', join(dir, `holder-${arm}`), '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--network', `bench-${arm}`, '--pool-size', '2', ...(arm === 'off' || AA ? ['--no-metrics'] : [])]
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'inherit'] })
  // read to the end: start prints a line per event (every job served), and a full pipe would stall the holder
  const started = await new Promise<{ api: string, peerId: string, bootstrapAddrs: string[] }>((resolve, reject) => {
    let info: { api: string, peerId: string, bootstrapAddrs: string[] } | undefined
    createInterface({ input: child.stdout! }).on('line', line => {
      const event = JSON.parse(line)
      if (event.event === 'started') info = event
      if (event.event === 'ready' && info != null) resolve(info)
    })
    child.once('exit', code => { reject(new Error(`holder ${arm} exited (${String(code)}) before it was ready`)) })
  })
  const res = await fetch(`${started.api}/v1/datasets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'rows', rows: [{ a: 1 }, { a: 2 }], tags: [TAG] }) })
  if (res.status !== 200) throw new Error(`holder ${arm}: dataset add answered ${res.status}`)
  return { child, api: started.api, peerId: started.peerId, addr: started.bootstrapAddrs.at(-1)! }
}

async function startPair (dir: string, arm: Arm): Promise<Pair> {
  const holder = await startHolder(dir, arm)
  const metrics = arm === 'on' && !AA ? createNodeMetrics() : undefined
  const requester = await createGridNode({ dataDir: join(dir, `requester-${arm}`), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true, network: `bench-${arm}`, bootstrap: [holder.addr], ...(metrics != null ? { metrics: metrics.libp2p } : {}) })
  metrics?.follow(requester)
  await requester.whenReady()
  while ((await requester.searchAll([TAG], { cache: false })).length === 0) await new Promise(resolve => setTimeout(resolve, 200))
  return { arm, holder: holder.child, api: holder.api, holderPeer: peerIdFromString(holder.peerId), requester, ...(metrics != null ? { metrics } : {}) }
}

async function job (pair: Pair): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let busy = false
    let ok = false
    try {
      for await (const event of pair.requester.runJob(pair.holderPeer, { code: NOOP })) {
        if (event.type === 'result') ok = true
        if (event.type === 'error' && event.status === 'busy' && attempt < 100) busy = true
      }
    } catch {}
    if (!busy) {
      if (!ok) failed.jobs++
      return
    }
    failed.busy++
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

async function search (pair: Pair): Promise<void> {
  const found = await pair.requester.searchAll([TAG], { cache: false }).catch(() => [])
  if (found.length !== 1) failed.searches++
}

async function rssMiB (child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024
}

/** One scrape of the holder's /metrics over HTTP, and one render of the requester's registry. */
async function scrape (pair: Pair): Promise<{ httpMs: number, renderMs: number, bytes: number }> {
  let started = performance.now()
  const text = await (await fetch(`${pair.api}/metrics`)).text()
  const httpMs = performance.now() - started
  started = performance.now()
  await pair.metrics!.render()
  return { httpMs, renderMs: performance.now() - started, bytes: Buffer.byteLength(text) }
}

const dir = await mkdtemp(join(tmpdir(), 'grid-bench-metrics-'))
const pairs: Pair[] = []
try {
  console.log('metrics: a holder process and a requester per arm (metrics on, off)…')
  for (const arm of ['on', 'off'] as const) pairs.push(await startPair(dir, arm))
  const figures = { searches: { on: [] as number[], off: [] as number[] }, seq: { on: [] as number[], off: [] as number[] }, pipe: { on: [] as number[], off: [] as number[] } }
  for (const pair of pairs) { await job(pair); await search(pair) } // warm workers and connections
  for (let batch = 0; batch < BATCHES; batch++) {
    const order = batch % 2 === 0 ? pairs : [...pairs].reverse()
    for (const pair of order) figures.searches[pair.arm].push(await perSecond(SEARCHES, async () => search(pair), false))
    for (const pair of order) figures.seq[pair.arm].push(await perSecond(JOBS, async () => job(pair), false))
    for (const pair of order) figures.pipe[pair.arm].push(await perSecond(PIPELINED, async () => job(pair), true))
    if ((batch + 1) % 5 === 0) console.log(`metrics: batch ${batch + 1} of ${BATCHES} done`)
  }
  const on = pairs.find(p => p.arm === 'on')!
  const off = pairs.find(p => p.arm === 'off')!
  const scrapes = []
  if (!AA) for (let i = 0; i < 20; i++) scrapes.push(await scrape(on))
  const rss = { on: await rssMiB(on.holder), off: await rssMiB(off.holder) }
  const f = (v: number): string => v.toFixed(0).padStart(6)
  const row = (what: string, k: keyof typeof figures): string => {
    const a = median(figures[k].on); const b = median(figures[k].off)
    return `${what.padEnd(30)} on ${f(a)}   off ${f(b)}   on/off ${(a / b).toFixed(2)}`
  }
  console.log(`\nmetrics${AA ? ' (A/A: both arms off)' : ''}, on vs off side by side, medians of ${BATCHES} alternated batches (${SEARCHES} searches, ${JOBS} sequential and ${PIPELINED} pipelined jobs each):\n`)
  console.log(row('searches/s (sequential)', 'searches'))
  console.log(row('no-op jobs/s (sequential)', 'seq'))
  console.log(row(`no-op jobs/s (${PIPELINED} pipelined)`, 'pipe'))
  console.log(`holder RSS after the runs, MiB     on ${rss.on.toFixed(1)}   off ${rss.off.toFixed(1)}`)
  if (!AA) console.log(`one scrape: holder GET /metrics ${median(scrapes.map(s => s.httpMs)).toFixed(1)} ms (${(median(scrapes.map(s => s.bytes)) / 1024).toFixed(0)} KiB), requester registry render ${median(scrapes.map(s => s.renderMs)).toFixed(1)} ms`)
  console.log(`failed: ${failed.searches} searches, ${failed.jobs} jobs; ${failed.busy} pipelined jobs answered busy and sent again`)
} finally {
  for (const pair of pairs) {
    pair.metrics?.close()
    await pair.requester.stop().catch(() => {})
    pair.holder.kill('SIGINT')
  }
  await new Promise(resolve => setTimeout(resolve, 1_000))
  await rm(dir, { recursive: true, force: true })
}
process.exit(0)
