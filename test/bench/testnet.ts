// `pnpm bench`, part 7: the grid across NATs, on a testnet of network namespaces (test/testnet/).
// ~12 % of the nodes on the public segment, the rest in three sites (a and b behind
// endpoint-independent NATs, c behind a symmetric one), up to four nodes per runner process.
//
// Two grids, one after the other, because this machine has two cores and an idle grid costs
// more than N times an idle node (each part prints the CPU its processes used):
// 1. As shipped, N = 50: search, hole punching, churn (kill -9 and restart), a partition
//    healing, liveness of a frozen process, a fresh dataset found by the farthest node. With
//    multicast DNS on, every node behind NAT hears every LAN peer answer every LAN peer's query:
//    in trial runs 100 nodes as shipped kept both cores busy while idle, and nothing settled.
// 2. Multicast DNS dropped at the site hosts (LAN discovery off, all else as shipped), grown
//    50 → 100 → 150 while the idle grid uses under 60 % of the cores: search, memory and CPU at
//    each; liveness and a fresh dataset at the largest. A size past that limit is not grown to,
//    and the run says why with its own figures.
// 3. The same at N = 200, started from empty: on two cores a running grid of 150 (idle at about
//    one core) did not absorb 50 more starting nodes — it saturated and never settled.
// GRID_BENCH_TESTNET_QUICK=1: a shorter run (50, and 20 → 40 nodes; one minute of churn).
// GRID_BENCH_TESTNET_PLAN=1, 2 or 3: only that grid.
import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Swarm } from '../testnet/swarm.ts'
import { Testnet } from '../testnet/testnet.ts'
import { measureChurn } from './testnet-churn.ts'
import { BenchGrid, seconds } from './testnet-grid.ts'
import { hostsNeeded, PUBLIC_RANGES, SITES } from './testnet-layout.ts'
import { measureAddToFound, measureFreeze } from './testnet-liveness.ts'
import { blockMulticastDns, idleLoad } from './testnet-load.ts'
import { measurePartition } from './testnet-partition.ts'
import { measurePunching } from './testnet-punch.ts'
import { measureScale, placeHolders } from './testnet-scale.ts'
import type { SwarmNode } from '../testnet/swarm.ts'

const QUICK = process.env.GRID_BENCH_TESTNET_QUICK === '1'

interface Plan {
  title: string
  blockMdns: boolean
  /** grown through in order; search is measured at the sizes `searchRuns` names */
  sizes: number[]
  searchRuns: Record<number, number>
  /** hole punching, churn, partition at the last size */
  everything: boolean
}

const PLANS: Plan[] = QUICK
  ? [
      { title: 'as shipped', blockMdns: false, sizes: [50], searchRuns: { 50: 6 }, everything: true },
      { title: 'multicast DNS dropped at the site hosts', blockMdns: true, sizes: [20, 40], searchRuns: { 20: 6, 40: 6 }, everything: false }
    ]
  : [
      { title: 'as shipped', blockMdns: false, sizes: [50], searchRuns: { 50: 18 }, everything: true },
      { title: 'multicast DNS dropped at the site hosts', blockMdns: true, sizes: [50, 100, 150], searchRuns: { 50: 9, 100: 9, 150: 9 }, everything: false },
      { title: 'multicast DNS dropped at the site hosts, 200 nodes started from empty', blockMdns: true, sizes: [200], searchRuns: { 200: 9 }, everything: false }
    ]
const ONLY_PLAN = process.env.GRID_BENCH_TESTNET_PLAN
const CHURN = { durationMs: QUICK ? 60_000 : 300_000, share: 0.2, downMs: QUICK ? 10_000 : 25_000 }
const SETTLE_DEADLINE_MS = { step: 45_000, measured: 90_000 }
const IDLE_WINDOW_MS = 10_000
const ADD_RUNS = 3
/** No larger grid once the idle one uses this share of the cores: it would only measure the machine. */
const GROW_LIMIT = 0.6

const started = performance.now()
const lines: string[] = []
const failures: string[] = []
const say = (line: string): void => { console.log(`testnet: ${line}`) }

/** A phase that throws is reported and the run goes on; its lines are printed at once and again at the end. */
async function phase (name: string, measure: () => Promise<string[]>): Promise<void> {
  say(`${name}…`)
  const at = performance.now()
  try {
    const got = await measure()
    for (const line of got) console.log(line)
    lines.push(...got)
  } catch (err: any) {
    failures.push(`${name}: ${String(err?.stack ?? err).slice(0, 600)}`)
  }
  say(`${name} done in ${seconds(at)} s`)
}

async function run (plan: Plan): Promise<void> {
  const hosts = hostsNeeded(plan.sizes)
  const net = await Testnet.create({ publicHosts: hosts.public, sites: SITES.map(s => ({ ...s, hosts: hosts.perSite })) })
  const workDir = await mkdtemp(join(tmpdir(), 'grid-bench-testnet-'))
  const removeWork = (): void => { rmSync(workDir, { recursive: true, force: true }) }
  process.once('exit', removeWork)
  const grid = new BenchGrid(net, new Swarm(net, { workDir, publicRanges: PUBLIC_RANGES }))
  lines.push('', `— ${plan.title} —`)
  try {
    if (plan.blockMdns) await blockMulticastDns(grid)
    let holders: Map<string, SwarmNode[]> | undefined
    let lastLoad = 0
    const avoid = new Set<string>()
    for (const size of plan.sizes) {
      if (lastLoad > GROW_LIMIT * availableParallelism()) {
        lines.push(`N=${size} and up: not grown to, the idle grid already used ${lastLoad.toFixed(2)} cores of ${availableParallelism()} at N=${grid.size}`)
        break
      }
      const runs = plan.searchRuns[size]
      await phase(`${plan.title}: grow to ${size}`, async () => {
        const grew = await grid.grow(size)
        const settled = await grid.settle(runs == null ? SETTLE_DEADLINE_MS.step : SETTLE_DEADLINE_MS.measured)
        if (runs == null) return [`${grew}; ${settled}`]
        const load = await idleLoad(grid, IDLE_WINDOW_MS)
        lastLoad = load.cores
        return [`${grew}; ${settled}`, load.text]
      })
      holders ??= await placeHolders(grid)
      for (const n of [...holders.values()].flat()) avoid.add(n.peerId)
      if (runs != null) await phase(`search at N=${size}`, async () => measureScale(grid, holders!, runs))
    }
    if (plan.everything) {
      await phase('hole punching', async () => [`hole punching, N=${grid.size}:`, ...await measurePunching(grid, avoid)])
      await phase('churn', async () => measureChurn(grid, { ...CHURN, avoid }))
      await phase('partition', async () => measurePartition(grid, holders!, avoid, 'a', ['b', 'c']))
    }
    await phase('liveness', async () => measureFreeze(grid, 'b', avoid))
    await phase('add → found', async () => [await measureAddToFound(grid, ADD_RUNS, avoid)])
  } finally {
    failures.push(...grid.failures.map(f => `${plan.title}: ${f}`))
    const crashed = grid.swarm.runners.flatMap(r => r.crashes.map(c => `${r.host.name} ${c}`))
    if (crashed.length > 0) lines.push(`runner processes that died unasked (not by this part's kill -9): ${crashed.length}`, ...crashed.map(c => `  ${c.replace(/\s+/g, ' ')}`))
    await net.destroy()
    removeWork()
    process.off('exit', removeWork)
  }
}

try {
  for (const [i, plan] of PLANS.entries()) if (ONLY_PLAN == null || ONLY_PLAN === String(i + 1)) await run(plan)
} catch (err: any) {
  if (err?.name !== 'TestnetUnavailableError') throw err
  console.error(`testnet: not run: ${String(err.message)}`)
  process.exit(1)
}
console.log(`\ntestnet (network namespaces; ${SITES.map(s => `site ${s.name} ${s.nat}`).join(', ')}; public segment ${PUBLIC_RANGES.join()})${QUICK ? ' — QUICK run' : ''}; ${seconds(started)} s in all:`)
for (const line of lines) console.log(line)
if (failures.length > 0) console.log(`\n${failures.length} requests or measurements failed (each counted where it belongs above):\n  ${failures.join('\n  ')}`)
process.exit(0)
