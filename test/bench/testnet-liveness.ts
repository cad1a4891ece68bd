// The testnet part, liveness at scale: how long until the peers of a silently frozen process
// (SIGSTOP: no connection closes, nothing answers) mark its nodes down with the default
// liveness settings; and how long a fresh dataset takes to be found by the farthest node.
import { LIVENESS_INTERVAL, LIVENESS_MISSES, LIVENESS_TIMEOUT } from '@grid-node/core'
import { peerIdFromString } from '@libp2p/peer-id'
import { median, percentile } from './stats.ts'
import { nth, sleep, type BenchGrid } from './testnet-grid.ts'
import { SITES } from './testnet-layout.ts'
import type { SwarmNode, SwarmRunner } from '../testnet/swarm.ts'

const DOWN_DEADLINE_MS = 100_000
const POLL_MS = 1_000
const FOUND_DEADLINE_MS = 30_000
const SEARCH_TIMEOUT_MS = 25_000

/** One node's view of one frozen node: when it said "down" (ms after the freeze). */
interface Observer { runner: SwarmRunner, index: number, peer: string, sameSite: boolean, publicSide: boolean, downMs?: number }

export async function measureFreeze (grid: BenchGrid, site: string, avoid: Set<string>): Promise<string[]> {
  const eligible = grid.swarm.runners.filter(r => r.host.site === site && r.alive && !r.peerIds.some(id => avoid.has(id)))
  const victim = eligible.at(-2) ?? eligible.at(-1)
  if (victim == null) return ['liveness: no runner to freeze']
  const observers = await watchers(grid, victim)
  // peers never killed nor frozen: any of them marked down meanwhile is a false positive
  const steady = grid.swarm.runners.filter(r => r !== victim && r.alive && r.downSince == null).flatMap(r => r.peerIds)
  const downBefore = await liveDowns(grid, steady)
  victim.freeze()
  const frozenAt = performance.now()
  try {
    while (performance.now() - frozenAt < DOWN_DEADLINE_MS && observers.some(o => o.downMs == null)) {
      await sleep(POLL_MS)
      const runners = [...new Set(observers.filter(o => o.downMs == null).map(o => o.runner))]
      await Promise.all(runners.map(async runner => {
        const r = await grid.ask(runner, 'liveness', { peers: victim.peerIds }, 5_000, 'liveness poll')
        for (const o of observers.filter(o => o.runner === runner && o.downMs == null)) {
          if (r?.nodes[o.index]?.[o.peer] === 'down') o.downMs = performance.now() - frozenAt
        }
      }))
    }
  } finally {
    victim.thaw()
  }
  const falseDowns = await liveDowns(grid, steady)
  const down = observers.flatMap(o => o.downMs != null ? [o.downMs / 1000] : [])
  const s = (v: number[]): string => v.length === 0 ? '-' : `p50 ${median(v).toFixed(1)} s  p95 ${percentile(v, 95).toFixed(1)} s  max ${Math.max(...v).toFixed(1)} s`
  const kind = (label: string, keep: (o: Observer) => boolean): string => `${label} ${s(observers.filter(o => keep(o) && o.downMs != null).map(o => o.downMs! / 1000))}`
  return [
    `liveness, N=${grid.size}, default settings (a ping every ${LIVENESS_INTERVAL / 1000} s, ${LIVENESS_TIMEOUT / 1000} s to answer, down after ${LIVENESS_MISSES} misses): ${victim.host.name}'s process (${victim.peerIds.length} nodes) frozen with SIGSTOP`,
    `  marked down by the peers that had them up (${observers.length} node pairs): ${s(down)}; not within ${DOWN_DEADLINE_MS / 1000} s: ${observers.length - down.length}`,
    `    by kind: ${kind('same site (LAN)', o => o.sameSite)} | ${kind('public side (relays, DHT)', o => o.publicSide)}`,
    `  live peers marked down (false positives), of ${steady.length} nodes never frozen or killed: ${falseDowns.pairs} node pairs during the freeze (${downBefore.pairs} before it)${falseDowns.unanswered > 0 ? `; ${falseDowns.unanswered} runners did not answer` : ''}`
  ]
}

/** How many (node, peer) pairs have one of `peers` (all alive) marked down. */
async function liveDowns (grid: BenchGrid, peers: string[]): Promise<{ pairs: number, unanswered: number }> {
  let pairs = 0
  let unanswered = 0
  await Promise.all(grid.swarm.runners.filter(r => r.alive).map(async runner => {
    const r = await grid.ask(runner, 'liveness', { peers }, 10_000, 'liveness (false positives)')
    if (r == null) { unanswered++; return }
    for (const view of r.nodes as Array<Record<string, string | undefined>>) pairs += Object.values(view).filter(state => state === 'down').length
  }))
  return { pairs, unanswered }
}

/** Every (node, frozen node) pair where the node's liveness monitor has the frozen node up. */
async function watchers (grid: BenchGrid, victim: SwarmRunner): Promise<Observer[]> {
  const observers: Observer[] = []
  await Promise.all(grid.swarm.runners.filter(r => r !== victim && r.alive).map(async runner => {
    const r = await grid.ask(runner, 'liveness', { peers: victim.peerIds }, 10_000, 'liveness')
    r?.nodes.forEach((view: Record<string, string | undefined>, index: number) => {
      for (const peer of victim.peerIds) {
        if (view[peer] === 'up') observers.push({ runner, index, peer, sameSite: runner.host.site === victim.host.site, publicSide: runner.host.site == null })
      }
    })
  }))
  return observers
}

/** `runs` fresh datasets, each added on a node behind NAT and searched for from the XOR-farthest node in another site. */
export async function measureAddToFound (grid: BenchGrid, runs: number, avoid: Set<string>): Promise<string> {
  const times: string[] = []
  const ms: number[] = []
  for (let run = 0; run < runs; run++) {
    const site = nth(SITES, run).name
    const holder = nth(grid.nodes(n => n.site === site && n.runner.alive && !avoid.has(n.peerId)), run * 5 + 1)
    const farthest = grid.nodes(n => n.site != null && n.site !== site && n.runner.alive)
      .sort((a, b) => distance(b.peerId, holder.peerId) - distance(a.peerId, holder.peerId))[0]!
    const tag = `#fresh-${run}`
    const started = performance.now()
    const added = await grid.askNode(holder, 'add', { name: `fresh-${run}`, rows: [{ run }], tags: [tag] }, 30_000, 'fresh add')
    if (added == null) continue
    let found = false
    while (!found && performance.now() - started < FOUND_DEADLINE_MS) {
      const r = await grid.askNode(farthest, 'search', { tags: [tag], timeoutMs: 5_000 }, SEARCH_TIMEOUT_MS, 'fresh search')
      found = (r?.found as string[] | undefined)?.includes(holder.peerId) === true
    }
    const took = performance.now() - started
    if (found) ms.push(took)
    else grid.failures.push(`add → found: ${holder.name}'s ${tag} not found by ${farthest.name} within ${FOUND_DEADLINE_MS / 1000} s; the holder's reachability: ${await reachabilityOf(grid, holder)}`)
    times.push(`${holder.name}→${farthest.name} ${found ? took.toFixed(0) : 'not found'}`)
  }
  return `datasets add → found by the XOR-farthest node in another site, N=${grid.size}: median ${median(ms).toFixed(0)} ms (${times.join(', ')} ms) — goal ≤ 1000 ms`
}

async function reachabilityOf (grid: BenchGrid, node: SwarmNode): Promise<string> {
  const status = (await grid.ask(node.runner, 'status', {}, 10_000, 'status'))?.nodes[node.index]
  return status == null ? 'no answer' : `${String(status.state)} via ${status.relays.length} relays, ${String(status.peers)} peers`
}

/** XOR distance between two peer IDs' multihashes (the last bytes suffice to rank), as in bench/search.ts. */
function distance (a: string, b: string): number {
  const x = peerIdFromString(a).toMultihash().digest
  const y = peerIdFromString(b).toMultihash().digest
  let d = 0
  for (let i = 0; i < 6; i++) d = d * 256 + ((x[x.length - 1 - i] ?? 0) ^ (y[y.length - 1 - i] ?? 0))
  return d
}
