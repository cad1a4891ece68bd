// The testnet part, scale: searches from every site for tags held in the other sites, beside
// kad-dht's raw findProviders + ping from the same requester (as bench/search.ts), with lookup
// hops, messages per search next to a gateway's fan-out, success, and memory per node.
import { mean, median, percentile } from './stats.ts'
import { nth, type BenchGrid } from './testnet-grid.ts'
import { PUBLIC_RANGES, SITES } from './testnet-layout.ts'
import type { SwarmNode } from '../testnet/swarm.ts'

const MIB = 1024 * 1024
/** Holders of each site's tag, on the site's first runners (one holder per runner). */
export const HOLDERS_PER_SITE = 3
/** The runner's deadline for one search or lookup; the grid's search ends by 10 s itself. */
const REQUEST_TIMEOUT_MS = 30_000

export const heldTag = (site: string): string => `#held-${site}`

/** Who holds each site's tag: node 0 of the site's first three runners. Adds the datasets. */
export async function placeHolders (grid: BenchGrid): Promise<Map<string, SwarmNode[]>> {
  const holders = new Map<string, SwarmNode[]>()
  for (const site of SITES) {
    const runners = grid.swarm.runners.filter(r => r.host.site === site.name).slice(0, HOLDERS_PER_SITE)
    const nodes = runners.map(r => r.nodes()[0]!)
    await Promise.all(nodes.map(async (node, k) => grid.askNode(node, 'add', { name: `held-${site.name}-${k}`, rows: [{ site: site.name, k }], tags: [heldTag(site.name)] }, 30_000, 'add')))
    holders.set(heldTag(site.name), nodes)
  }
  return holders
}

interface Sample {
  ours?: { ms: number, ok: boolean, neighbours: string[] }
  raw?: { ms: number, hops: number[], queries: number, providers: string[] }
}

/** `runs` searches, rotating requester sites, target sites and requesters; ours and the raw baseline alternate. */
export async function measureScale (grid: BenchGrid, holders: Map<string, SwarmNode[]>, runs: number): Promise<string[]> {
  const holderIds = new Set([...holders.values()].flat().map(n => n.peerId))
  const samples: Sample[] = []
  const misses: string[] = []
  for (let i = 0; i < runs; i++) {
    const from = nth(SITES, i).name
    const tag = heldTag(nth(SITES.filter(s => s.name !== from), Math.floor(i / SITES.length)).name)
    const requester = nth(grid.nodes(n => n.site === from && !holderIds.has(n.peerId) && n.runner.alive), i * 7 + Math.floor(i / SITES.length))
    const expected = holders.get(tag)!.map(n => n.peerId)
    const sample: Sample = {}
    for (const which of i % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours']) {
      if (which === 'ours') {
        const r = await grid.askNode(requester, 'search', { tags: [tag], publicRanges: PUBLIC_RANGES }, REQUEST_TIMEOUT_MS, `search N=${grid.size}`)
        if (r == null) continue
        const found = new Set(r.found as string[])
        const missing = expected.filter(id => !found.has(id)).length
        if (missing > 0) misses.push(`${requester.name} → ${tag}: ${missing} of ${expected.length} holders missing after ${(r.ms as number).toFixed(0)} ms`)
        sample.ours = { ms: r.ms, ok: missing === 0, neighbours: r.neighbours }
      } else {
        const r = await grid.askNode(requester, 'lookup', { tag }, REQUEST_TIMEOUT_MS, `lookup N=${grid.size}`)
        if (r != null) sample.raw = { ms: r.ms, hops: r.hops, queries: r.messages, providers: r.providers }
      }
    }
    samples.push(sample)
  }
  return report(grid, holders, samples, misses, runs)
}

/** The grid's search asks every provider and every LAN neighbour once: a catalog request each. */
function asked (sample: Sample): number {
  return new Set([...(sample.raw?.providers ?? []), ...(sample.ours?.neighbours ?? [])]).size
}

async function report (grid: BenchGrid, holders: Map<string, SwarmNode[]>, samples: Sample[], misses: string[], runs: number): Promise<string[]> {
  const ours = samples.flatMap(s => s.ours != null ? [s.ours.ms] : [])
  const raw = samples.flatMap(s => s.raw != null ? [s.raw.ms] : [])
  const hops = samples.flatMap(s => s.raw?.hops ?? [])
  const counted = samples.filter(s => s.raw != null && s.ours != null)
  const queries = counted.map(s => s.raw!.queries)
  const requests = counted.map(asked)
  const messages = counted.map(s => s.raw!.queries + asked(s))
  const successes = samples.filter(s => s.ours?.ok === true).length
  const memory = await memoryLine(grid)
  const ms = (v: number): string => v.toFixed(0).padStart(6)
  return [
    `N=${String(grid.size).padEnd(4)} ${runs} searches: p50 ${ms(median(ours))} ms  p95 ${ms(percentile(ours, 95))} ms | raw findProviders+ping p50 ${ms(median(raw))} ms  p95 ${ms(percentile(raw, 95))} ms | ratio p50 ${(median(ours) / median(raw)).toFixed(2)}`,
    `        success ${successes}/${runs} (${(100 * successes / runs).toFixed(0)} %: every holder of another site's tag found, ${[...new Set([...holders.values()].map(h => h.length))].join('/')} per site) | hops mean ${mean(hops).toFixed(2)}  p99 ${percentile(hops, 99)}`,
    `        messages per search median ${median(messages)} (DHT queries ${median(queries)} + catalog requests ${median(requests)} to providers and LAN neighbours) vs gateway fan-out ${grid.size}`,
    memory,
    ...misses.map(m => `        missed: ${m}`)
  ]
}

async function memoryLine (grid: BenchGrid): Promise<string> {
  const perNode = { public: [] as number[], site: [] as number[] }
  const peers: number[] = []
  for (const [runner, status] of await grid.statuses()) {
    perNode[runner.host.site == null ? 'public' : 'site'].push(status.rss / status.nodes.length)
    peers.push(...status.nodes.map(n => n.peers))
  }
  const all = [...perNode.public, ...perNode.site]
  const mib = (v: number): string => (v / MIB).toFixed(1)
  return `        RSS per node median ${mib(median(all))} MiB (public ${mib(median(perNode.public))}, behind NAT ${mib(median(perNode.site))}; process RSS / its nodes, ${all.length} processes) | peers per node median ${median(peers)}  max ${Math.max(...peers)}`
}
