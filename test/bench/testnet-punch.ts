// The testnet part, hole punching: pairs of nodes in two sites that never met, first connected
// through a relay, then upgraded by the grid's hole punch (success, and time from relayed to
// direct); and no-op jobs' round trips between the same pair, direct and through the relay.
import { median, percentile } from './stats.ts'
import { sleep, type BenchGrid } from './testnet-grid.ts'
import { LAN } from '../testnet/router-rules.ts'
import type { SwarmNode } from '../testnet/swarm.ts'

const EIM_PAIRS = 8
const SYMMETRIC_PAIRS = 6
/** Pairs whose jobs are timed direct, then through the relay (a peer whose punch failed is not punched again for 10 min). */
const JOB_PAIRS = 2
const JOBS_PER_PATH = 5
const SYMMETRIC_JOBS = 4
/** The grid gives up a punch after 2 attempts of 5 s; a dial takes up to 10 s. */
const PUNCH_REQUEST_TIMEOUT_MS = 40_000
const JOB_REQUEST_TIMEOUT_MS = 45_000
const NOOP = 'export default () => null'
/** A failed punch takes its two attempts of 5 s to end; a job waits 6 s of it. */
const PUNCH_SETTLE_MS = 5_000

interface Punched { from: SwarmNode, to: SwarmNode, direct: boolean, punchMs: number, dialMs: number }
type Site = 'a' | 'b' | 'c'

export async function measurePunching (grid: BenchGrid, avoid: Set<string>): Promise<string[]> {
  const circuits = new Map<string, string[]>()
  for (const status of (await grid.statuses()).values()) for (const n of status.nodes) circuits.set(n.peerId, n.addrs)
  // each node in one pair at most; consecutive picks from different runners
  const pool = (site: Site): SwarmNode[] => grid.nodes(n => n.site === site && n.runner.alive && !avoid.has(n.peerId) && (circuits.get(n.peerId)?.length ?? 0) > 0)
    .sort((x, y) => x.index - y.index)
  const pools: Record<Site, SwarmNode[]> = { a: pool('a'), b: pool('b'), c: pool('c') }
  const pair = (from: Site, to: Site): [SwarmNode, SwarmNode] | undefined => pools[from].length > 0 && pools[to].length > (from === to ? 1 : 0) ? [pools[from].shift()!, pools[to].shift()!] : undefined
  const punch = async ([from, to]: [SwarmNode, SwarmNode]): Promise<Punched | undefined> => {
    const r = await grid.askNode(from, 'punch', { peer: to.peerId, addrs: circuits.get(to.peerId) }, PUNCH_REQUEST_TIMEOUT_MS, 'punch')
    if (r == null) return undefined
    if (r.already != null) { grid.failures.push(`punch: ${from.name} and ${to.name} were already connected directly (left out)`); return undefined }
    return { from, to, direct: r.direct, punchMs: r.punchMs, dialMs: r.dialMs }
  }
  const eim: Punched[] = []
  for (let i = 0; i < EIM_PAIRS; i++) {
    const p = i % 2 === 0 ? pair('a', 'b') : pair('b', 'a')
    const r = p == null ? undefined : await punch(p)
    if (r != null) eim.push(r)
  }
  // each is expected to run its two attempts to their end: all at once
  const symPairs = Array.from({ length: SYMMETRIC_PAIRS }, (_, i) => i % 2 === 0 ? pair('a', 'c') : pair('c', 'a')).filter(p => p != null)
  const symmetric = (await Promise.all(symPairs.map(punch))).filter(r => r != null)
  const lines = [
    punchLine('eim ↔ eim (a ↔ b)', eim, 'goal 100 %'),
    punchLine('eim ↔ symmetric (a ↔ c)', symmetric, 'expected to fail: a symmetric NAT maps each destination to a new port')
  ]
  const jobPairs = eim.filter(p => p.direct).slice(0, JOB_PAIRS)
  if (jobPairs.length > 0) lines.push(...await directThenRelay(grid, jobPairs))
  const fresh = pair('a', 'c')
  if (fresh != null) lines.push(await symmetricJobs(grid, ...fresh))
  return lines
}

function punchLine (label: string, pairs: Punched[], note: string): string {
  if (pairs.length === 0) return `  ${label.padEnd(24)} no pair of nodes left to try`
  const won = pairs.filter(p => p.direct).map(p => p.punchMs)
  const lost = pairs.filter(p => !p.direct).map(p => p.punchMs)
  const share = pairs.length === 0 ? '-' : (100 * won.length / pairs.length).toFixed(0)
  return `  ${label.padEnd(24)} direct ${won.length}/${pairs.length} (${share} %, ${note})` +
    `; relayed → direct ${won.length === 0 ? '-' : `p50 ${median(won).toFixed(0)} ms  p95 ${percentile(won, 95).toFixed(0)} ms`}` +
    `${lost.length === 0 ? '' : `; failed punches gave up after p50 ${median(lost).toFixed(0)} ms`}; relayed dial p50 ${median(pairs.map(p => p.dialMs)).toFixed(0)} ms`
}

/**
 * For each pair: no-op jobs on their punched direct connection, then through the relay once the
 * direct path is refused at the requester's router (hung up first, so both ends close it).
 */
async function directThenRelay (grid: BenchGrid, pairs: Punched[]): Promise<string[]> {
  const times: Record<'direct' | 'relay', number[]> = { direct: [], relay: [] }
  const firstRelayed: number[] = []
  const wrongPath: string[] = []
  const jobs = async (from: SwarmNode, to: SwarmNode, path: 'direct' | 'relay', count: number): Promise<void> => {
    for (let j = 0; j < count; j++) {
      const r = await grid.askNode(from, 'job', { peer: to.peerId, code: NOOP }, JOB_REQUEST_TIMEOUT_MS, `job (${path})`)
      if (r == null) continue
      if (r.outcome !== 'result') grid.failures.push(`job (${path}): ${String(r.outcome)}`)
      else if (r.via !== path) wrongPath.push(`${String(r.via)} instead of ${path}`)
      else times[path].push(r.ms)
    }
  }
  for (const { from, to } of pairs) {
    // the holder's first job starts its sandbox worker: not timed
    const warm = times.direct.length
    await jobs(from, to, 'direct', 1)
    times.direct.splice(warm)
    await jobs(from, to, 'direct', JOBS_PER_PATH)
    const site = grid.net.site(from.site!)
    // only this requester's host: other pairs' direct connections between the two sites stay up
    const rule = ['FORWARD', '-i', LAN, '-s', from.runner.host.ip, '-d', grid.net.site(to.site!).wanIp, '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset']
    await grid.askNode(from, 'hangUp', { peer: to.peerId }, 10_000, 'hang up')
    await sleep(500)
    await grid.net.exec(site, ['iptables', '-I', ...rule])
    try {
      const before = times.relay.length
      await jobs(from, to, 'relay', 1)
      if (times.relay.length > before) firstRelayed.push(times.relay.pop()!)
      // the punch the first job started runs out its two attempts; then its failure is remembered
      await sleep(PUNCH_SETTLE_MS)
      await jobs(from, to, 'relay', JOBS_PER_PATH)
    } finally {
      await grid.net.exec(site, ['iptables', '-D', ...rule])
    }
  }
  const p = (v: number[]): string => `p50 ${median(v).toFixed(0)} ms  p95 ${percentile(v, 95).toFixed(0)} ms (${v.length} jobs)`
  return [
    `  no-op job round trip, same pairs (${pairs.map(x => `${x.from.name} → ${x.to.name}`).join(', ')}): direct ${p(times.direct)} | relay ${p(times.relay)} | relay/direct p50 ${(median(times.relay) / median(times.direct)).toFixed(2)}`,
    `    (relay: after a hang-up, the direct path refused at the requester's router; the first job then redials and waits for a punch that fails: ${firstRelayed.map(t => t.toFixed(0)).join(', ')} ms, left out)`,
    ...(wrongPath.length > 0 ? [`    jobs on another path than asked, left out: ${wrongPath.join(', ')}`] : [])
  ]
}

/** No-op jobs to a peer behind the symmetric NAT never punched to before: the first waits for the punch, later ones should not. */
async function symmetricJobs (grid: BenchGrid, from: SwarmNode, to: SwarmNode): Promise<string> {
  const times: number[] = []
  const vias = new Set<string>()
  for (let j = 0; j < SYMMETRIC_JOBS; j++) {
    const r = await grid.askNode(from, 'job', { peer: to.peerId, code: NOOP }, JOB_REQUEST_TIMEOUT_MS, 'job (symmetric)')
    if (r?.outcome === 'result') { times.push(r.ms); vias.add(String(r.via)) } else if (r != null) grid.failures.push(`job (symmetric): ${String(r.outcome)}`)
  }
  const [first, ...rest] = times
  return `  no-op job round trip ${from.name} → ${to.name} (behind the symmetric NAT, via ${[...vias].join('/')}): first job ${first?.toFixed(0) ?? '-'} ms (dials, waits for the punch), then p50 ${median(rest).toFixed(0)} ms (${rest.length} jobs)`
}
