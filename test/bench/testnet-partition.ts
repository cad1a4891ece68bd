// The testnet part, partition: one site's WAN link is cut for a while and then healed; how long
// until searches from the other sites (and from the cut site) find every holder again.
import { seconds, sleep, type BenchGrid } from './testnet-grid.ts'
import { heldTag } from './testnet-scale.ts'
import type { SwarmNode } from '../testnet/swarm.ts'

const CUT_MS = 45_000
const SEE_CUT_DEADLINE_MS = 30_000
const HEAL_DEADLINE_MS = 90_000
/** Relays come back within seconds when they come back at all (see the quick runs): a shorter wait. */
const RELAYS_DEADLINE_MS = 60_000
const BEFORE_DEADLINE_MS = 60_000
const SEARCH_TIMEOUT_MS = 25_000
const POLL_MS = 500

interface Watcher { node: SwarmNode, tag: string, expected: string[] }

export async function measurePartition (grid: BenchGrid, holders: Map<string, SwarmNode[]>, avoid: Set<string>, cut: string, otherSites: string[]): Promise<string[]> {
  const pick = (site: string, i: number): SwarmNode => grid.nodes(n => n.site === site && n.runner.alive && !avoid.has(n.peerId))[i]!
  const expected = (site: string): string[] => holders.get(heldTag(site))!.map(n => n.peerId)
  const watchers: Watcher[] = [
    ...otherSites.map(site => ({ node: pick(site, 2), tag: heldTag(cut), expected: expected(cut) })),
    { node: pick(cut, 2), tag: heldTag(otherSites[0]!), expected: expected(otherSites[0]!) }
  ]
  const before = await Promise.all(watchers.map(async w => untilFound(grid, w, w.expected, BEFORE_DEADLINE_MS)))
  const lines = [`partition, N=${grid.size}: site ${cut} cut off from the public segment for ${CUT_MS / 1000} s, then healed`]
  if (before.some(t => t == null)) lines.push('  (not every watcher found every holder before the cut)')
  await grid.net.cutSite(cut)
  const cutAt = performance.now()
  try {
    const away = await untilFound(grid, watchers[0]!, [], SEE_CUT_DEADLINE_MS)
    lines.push(`  cut → a search from ${watchers[0]!.node.name} returns none of site ${cut}'s holders: ${away == null ? 'not within the deadline' : `${(away / 1000).toFixed(1)} s`}`)
    await sleep(Math.max(0, cutAt + CUT_MS - performance.now()))
    lines.push(`  end of the cut, site ${cut}'s holders say of themselves: ${await reachability(grid, holders.get(heldTag(cut))!)}`)
  } finally {
    await grid.net.healSite(cut)
  }
  const healedAt = performance.now()
  const [healed, relayed] = await Promise.all([
    Promise.all(watchers.map(async w => untilFound(grid, w, w.expected, HEAL_DEADLINE_MS))),
    untilRelayed(grid, cut, RELAYS_DEADLINE_MS)
  ])
  lines.push(`  heal → a search finds every holder again (end of the first complete search; searches back to back): ${watchers.map((w, i) => `${w.node.name} → ${w.tag} ${healed[i] == null ? `not within ${HEAL_DEADLINE_MS / 1000} s` : `${(healed[i]! / 1000).toFixed(1)} s`}`).join(', ')}`)
  lines.push(`  heal → every node of site ${cut} relayed by 2 public nodes again: ${relayed.at == null ? `not within ${RELAYS_DEADLINE_MS / 1000} s` : `${relayed.at} s`}; then ${relayed.summary} (${seconds(healedAt)} s after the heal)`)
  return lines
}

/**
 * Searches back to back until the result holds exactly the `expected` holders among the watched
 * tag's holders (all of them, or with [] none); the ms from the first search's start to the end of
 * that search, or undefined past the deadline.
 */
async function untilFound (grid: BenchGrid, w: Watcher, expected: string[], deadlineMs: number): Promise<number | undefined> {
  const started = performance.now()
  while (performance.now() - started < deadlineMs) {
    const r = await grid.askNode(w.node, 'search', { tags: [w.tag] }, SEARCH_TIMEOUT_MS, 'partition search')
    const found = new Set((r?.found as string[] | undefined) ?? [])
    const seen = w.expected.filter(id => found.has(id))
    if (r != null && seen.length === expected.length && expected.every(id => found.has(id))) return performance.now() - started
    await sleep(POLL_MS)
  }
  return undefined
}

async function reachability (grid: BenchGrid, nodes: SwarmNode[]): Promise<string> {
  const statuses = await grid.statuses()
  const states = nodes.map(n => statuses.get(n.runner)?.nodes[n.index]?.state ?? 'no answer')
  const counts = new Map<string, number>()
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1)
  return [...counts].map(([state, n]) => `${state} ${n}/${nodes.length}`).join(', ')
}

async function untilRelayed (grid: BenchGrid, site: string, deadlineMs: number): Promise<{ at?: string, summary: string }> {
  const started = performance.now()
  for (;;) {
    const check = grid.relayCheck(await grid.statuses(), runner => runner.host.site === site)
    if (check.onTwo === check.total && check.onNat === 0) return { at: seconds(started), summary: check.text }
    if (performance.now() - started > deadlineMs) return { summary: check.text }
    await sleep(1_000)
  }
}
