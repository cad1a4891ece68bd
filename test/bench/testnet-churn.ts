// The testnet part, churn: for a few minutes, whole runner processes (20 % of the nodes) are
// killed with kill -9 and restarted on their data dirs, one after another, while searches and
// jobs go on. Search success is the share of live holders found; every job must be answered
// exactly once (results counted per job id).
import { median, percentile } from './stats.ts'
import { nth, seconds, sleep, type BenchGrid } from './testnet-grid.ts'
import { SITES } from './testnet-layout.ts'
import type { SwarmNode, SwarmRunner } from '../testnet/swarm.ts'

export interface ChurnInit {
  durationMs: number
  /** share of the nodes killed over the run */
  share: number
  downMs: number
  /** nodes that must not be killed nor hold #churn (e.g. other parts' holders) */
  avoid: Set<string>
}

const TAG = '#churn'
/** A holder counts as live for a search once joined this long before it began (re-announced, relays reserved). */
const LIVE_GRACE_MS = 10_000
const SEARCH_TIMEOUT_MS = 25_000
const RUN_TIMEOUT_MS = 75_000
const RESTART_TIMEOUT_MS = 150_000
const PAUSE_MS = 1_000
const SPIN = 'export default ({ data }) => { const end = Date.now() + 200; while (Date.now() < end) {} return data.length }'

/** One life of a runner process: spawned, joined, killed (performance.now()). */
interface Life { spawnedAt: number, readyAt: number, killedAt?: number }
interface SearchRecord { start: number, end: number, found: string[] }
interface JobTally { results: number, errors: number, dispatched: number }

export async function measureChurn (grid: BenchGrid, init: ChurnInit): Promise<string[]> {
  const victims = pickVictims(grid, Math.round(grid.size * init.share), init.avoid)
  if (victims.length === 0) return [`churn, N=${grid.size}: every site runner holds another part's holders; nothing to kill`]
  const holders = await placeChurnHolders(grid, victims, init.avoid)
  const lives = new Map<SwarmRunner, Life[]>(grid.swarm.runners.map(r => [r, [{ spawnedAt: -Infinity, readyAt: -Infinity }]]))
  const holderIds = new Set(holders.map(h => h.peerId))
  const requesters = grid.nodes(n => n.site != null && !victims.includes(n.runner) && !holderIds.has(n.peerId) && !init.avoid.has(n.peerId))
  const started = performance.now()
  const until = started + init.durationMs
  const work = workload(grid, requesters, until)
  await killAndRestart(grid, victims, lives, init, started)
  const { searches, jobs, runs } = await work
  const victimNodes = victims.reduce((n, r) => n + r.peerIds.length, 0)
  return [
    `churn, N=${grid.size}, ${seconds(started)} s: ${victimNodes} nodes (${(100 * victimNodes / grid.size).toFixed(0)} %; ${victims.length} runner processes, sites ${victims.map(r => r.host.site).join(' ')}) killed with kill -9 one after another, each restarted on its data dirs ${init.downMs / 1000} s later`,
    ...searchLines(searches, holders.map(h => ({ peerId: h.peerId, lives: lives.get(h.runner)! }))),
    jobLine(jobs, runs, holders.length / 2)
  ]
}

interface Workload { searches: SearchRecord[], jobs: JobTally[], runs: { done: number, failed: number, notFound: number } }

/** Searches and runs for #churn, each back to back from rotating requesters, until `until`. */
async function workload (grid: BenchGrid, requesters: SwarmNode[], until: number): Promise<Workload> {
  const out: Workload = { searches: [], jobs: [], runs: { done: 0, failed: 0, notFound: 0 } }
  const searching = async (): Promise<void> => {
    for (let i = 0; performance.now() < until; i++) {
      const start = performance.now()
      const r = await grid.askNode(nth(requesters, i * 5), 'search', { tags: [TAG] }, SEARCH_TIMEOUT_MS, 'churn search')
      out.searches.push({ start, end: performance.now(), found: r?.found ?? [] })
      await sleep(PAUSE_MS)
    }
  }
  const running = async (): Promise<void> => {
    for (let i = 0; performance.now() < until; i++) {
      const r = await grid.askNode(nth(requesters, i * 3 + 1), 'run', { tags: [TAG], code: SPIN, timeoutMs: 10_000 }, RUN_TIMEOUT_MS, 'churn run')
      out.runs.done++
      if (r == null) out.runs.failed++
      if (r?.notFound != null) out.runs.notFound++
      out.jobs.push(...(r?.jobs ?? []))
      await sleep(PAUSE_MS)
    }
  }
  await Promise.all([searching(), running()])
  return out
}

/** Kills the victims one after another, spread over the run, each restarted `downMs` later; records every life. */
async function killAndRestart (grid: BenchGrid, victims: SwarmRunner[], lives: Map<SwarmRunner, Life[]>, init: ChurnInit, started: number): Promise<void> {
  const every = (init.durationMs - init.downMs - 20_000) / victims.length
  const restarts: Array<Promise<void>> = []
  for (const [k, runner] of victims.entries()) {
    await sleep(Math.max(0, started + 10_000 + k * every - performance.now()))
    await runner.kill()
    lives.get(runner)!.at(-1)!.killedAt = performance.now()
    restarts.push((async () => {
      await sleep(init.downMs)
      const life: Life = { spawnedAt: performance.now(), readyAt: Infinity }
      lives.get(runner)!.push(life)
      try {
        await grid.swarm.restart(runner, RESTART_TIMEOUT_MS)
        life.readyAt = performance.now()
      } catch (err: any) {
        grid.failures.push(`churn restart: ${String(err?.message ?? err).slice(0, 300)}`)
      }
    })())
  }
  await Promise.all(restarts)
}

/** Whole runners of site nodes, taken from the sites in turn, newest first, until `count` nodes. */
function pickVictims (grid: BenchGrid, count: number, avoid: Set<string>): SwarmRunner[] {
  const bySite = SITES.map(s => grid.swarm.runners.filter(r => r.host.site === s.name && !r.peerIds.some(id => avoid.has(id))).reverse())
  const victims: SwarmRunner[] = []
  for (let i = 0, n = 0; n < count && i < 100; i++) {
    const runner = bySite[i % bySite.length]!.shift()
    if (runner == null) continue
    // whole runners: stop short rather than overshoot by more
    if (n > 0 && n + runner.peerIds.length - count > count - n) break
    victims.push(runner)
    n += runner.peerIds.length
  }
  return victims
}

/** Two holders per victim runner, each with a replica of the same data on a node that stays up. */
async function placeChurnHolders (grid: BenchGrid, victims: SwarmRunner[], avoid: Set<string>): Promise<SwarmNode[]> {
  const victimIds = new Set(victims.flatMap(r => r.peerIds))
  const stable = grid.nodes(n => n.site != null && !victimIds.has(n.peerId) && !avoid.has(n.peerId))
  const churning = victims.flatMap(r => r.nodes().slice(0, 2))
  const replicas = churning.map((_, k) => nth(stable, k * 7 + 3))
  await Promise.all([...churning, ...replicas].map(async (node, i) => {
    const k = i % churning.length
    await grid.askNode(node, 'add', { name: `churn-${k}`, rows: [{ k }], tags: [TAG] }, 30_000, 'churn add')
  }))
  return [...churning, ...replicas]
}

function searchLines (searches: SearchRecord[], holders: Array<{ peerId: string, lives: Life[] }>): string[] {
  let live = 0
  let found = 0
  let complete = 0
  let dead = 0
  const backAfter: number[] = []
  for (const s of searches) {
    const hit = new Set(s.found)
    const liveHere = holders.filter(h => h.lives.some(l => l.readyAt <= s.start - LIVE_GRACE_MS && (l.killedAt ?? Infinity) >= s.end))
    live += liveHere.length
    found += liveHere.filter(h => hit.has(h.peerId)).length
    if (liveHere.every(h => hit.has(h.peerId))) complete++
    dead += holders.filter(h => hit.has(h.peerId) && !h.lives.some(l => l.spawnedAt <= s.end && (l.killedAt ?? Infinity) >= s.start)).length
  }
  for (const h of holders) {
    for (const life of h.lives.filter(l => l.spawnedAt > -Infinity && l.readyAt < Infinity)) {
      const first = searches.find(s => s.start >= life.readyAt && s.found.includes(h.peerId))
      if (first != null) backAfter.push(first.end - life.readyAt)
    }
  }
  const ms = searches.map(s => s.end - s.start)
  return [
    `  search: live holders found ${found}/${live} (${(100 * found / live).toFixed(2)} %, goal ≥ 99 %; live = joined ≥ ${LIVE_GRACE_MS / 1000} s before the search began and up until it ended)` +
      `; searches finding every live holder ${complete}/${searches.length}; p50 ${median(ms).toFixed(0)} ms  p95 ${percentile(ms, 95).toFixed(0)} ms; dead holders returned ${dead}`,
    `  a restarted holder found again (its runner joined → end of the first search that found it): p50 ${(median(backAfter) / 1000).toFixed(1)} s  max ${(Math.max(...backAfter) / 1000).toFixed(1)} s (${backAfter.length} restarts of holders)`
  ]
}

function jobLine (jobs: JobTally[], runs: { done: number, failed: number, notFound: number }, datasets: number): string {
  const once = jobs.filter(j => j.results === 1 && j.errors === 0).length
  const none = jobs.filter(j => j.results === 0).length
  const more = jobs.filter(j => j.results + j.errors > 1).length
  const again = jobs.filter(j => j.dispatched > 1).length
  const unplaced = (runs.done - runs.failed) * datasets - jobs.length
  return `  jobs: ${jobs.length} jobs in ${runs.done} runs (${datasets} datasets, each on a churning holder and a stable replica): answered exactly once ${once} (${(100 * once / jobs.length).toFixed(2)} %)` +
    `, with no result ${none}, answered more than once ${more}; sent again after a holder failed ${again}; datasets a run found no holder of ${unplaced}; runs that failed ${runs.failed}`
}
