// Where the testnet part's nodes go: ~12 % on the public segment (bootstrap nodes and relays),
// the rest spread over three sites behind NAT (a and b endpoint-independent, c symmetric), a
// few nodes per runner process and one runner per host. The grid grows in steps, each step's
// runners on new hosts, so the nodes of a smaller grid stay in the larger one.
import type { SiteInit } from '../testnet/topology.ts'

export const SITES: SiteInit[] = [
  { name: 'a', nat: 'eim' },
  { name: 'b', nat: 'eim' },
  { name: 'c', nat: 'symmetric' }
]
export const PUBLIC_RANGES = ['10.99.0.0/16']
const PUBLIC_SHARE = 0.12
/** Nodes per runner process: small enough that killing one runner is a small, real kill -9. */
export const NODES_PER_RUNNER = 4

export interface Placement {
  /** undefined: the public segment */
  site?: string
  /** nodes in each new runner */
  runners: number[]
}

/** How many nodes of a grid of `size` go public and into each site. */
export function shares (size: number): { public: number, sites: Record<string, number> } {
  const publicCount = Math.round(size * PUBLIC_SHARE)
  const behind = size - publicCount
  const sites: Record<string, number> = {}
  SITES.forEach((site, i) => { sites[site.name] = Math.floor(behind / SITES.length) + (i < behind % SITES.length ? 1 : 0) })
  return { public: publicCount, sites }
}

/** The runners to add to grow a grid of `from` nodes to `to`: public ones first. */
export function growth (from: number, to: number): Placement[] {
  const before = shares(from)
  const after = shares(to)
  return [
    { runners: split(after.public - before.public) },
    ...SITES.map(site => ({ site: site.name, runners: split(after.sites[site.name]! - (before.sites[site.name] ?? 0)) }))
  ]
}

/** Hosts each segment needs to grow through `sizes`, one runner per host. */
export function hostsNeeded (sizes: number[]): { public: number, perSite: number } {
  const steps = sizes.map((size, i) => growth(i === 0 ? 0 : sizes[i - 1]!, size))
  const count = (site?: string): number => steps.reduce((n, step) => n + step.find(p => p.site === site)!.runners.length, 0)
  return { public: count(undefined), perSite: Math.max(...SITES.map(s => count(s.name))) }
}

/** `n` as runners of at most NODES_PER_RUNNER nodes, as even as can be. */
function split (n: number): number[] {
  if (n <= 0) return []
  const runners = Math.ceil(n / NODES_PER_RUNNER)
  return Array.from({ length: runners }, (_, i) => Math.floor(n / runners) + (i < n % runners ? 1 : 0))
}
