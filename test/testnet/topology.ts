// The plan of a testnet: every namespace's name and every address, worked out before anything
// is built, so building is a list of commands and a host's address is known without asking.

/**
 * `eim`: endpoint-independent mapping (MASQUERADE keeps the local port when it can), so a hole
 * punched towards one peer is the same port every peer sees. `symmetric`: a new random external
 * port per connection (MASQUERADE --random-fully), so a punched hole is useless to anyone else.
 * Both filter like a home router: unsolicited inbound from the WAN is dropped.
 */
export type NatKind = 'eim' | 'symmetric'

export interface SiteInit {
  /** 1 to 4 lowercase letters: part of namespace and host names */
  name: string
  nat: NatKind
  /** @default 2 */
  hosts?: number
}

export interface TestnetInit {
  /** hosts on the public segment, e.g. bootstrap or relay nodes. @default 3 */
  publicHosts?: number
  /** @default DEFAULT_SITES: a and b 'eim', c 'symmetric', two hosts each */
  sites?: SiteInit[]
}

/** Where a command runs: a host's or a router's network namespace. */
export interface Namespaced { ns: string }

export interface Host extends Namespaced {
  /** `p1`, `p2`… on the public segment; `<site>-1`, `<site>-2`… behind a site's NAT */
  name: string
  ip: string
  /** the site whose NAT it sits behind; absent for a public host */
  site?: string
}

export interface Site extends Namespaced {
  name: string
  nat: NatKind
  /** the router's address on the public segment: the source the public sees for the site's traffic */
  wanIp: string
  /** the router's LAN address, the site hosts' gateway */
  lanIp: string
  hosts: Host[]
  /** the router's WAN veth, as named at its other end in the switch namespace */
  switchPort: string
}

export interface Topology {
  /** `gt` and a run id: every namespace of the run starts with it and a dash */
  prefix: string
  /** holds the public segment's bridge */
  switchNs: string
  publicHosts: Host[]
  sites: Site[]
}

const DEFAULT_SITES: SiteInit[] = [
  { name: 'a', nat: 'eim' },
  { name: 'b', nat: 'eim' },
  { name: 'c', nat: 'symmetric' }
]
const DEFAULT_PUBLIC_HOSTS = 3
const DEFAULT_SITE_HOSTS = 2

/** The public segment; public hosts get .0.10 and up, site routers .1.<site number>. */
export const PUBLIC_SEGMENT = '10.99.0.0/16'
export const PUBLIC_PREFIX_LENGTH = 16
/** A site's LAN, 192.168.<site number>.0/24. */
export const SITE_PREFIX_LENGTH = 24
/** Host numbers start at 10 in every subnet, leaving the low ones to routers. */
const FIRST_HOST = 10
/** Keeps every address inside its /24 (192.168.n.10 – .254) and /16 (10.99.0.10 – .254). */
const MAX_HOSTS = 245
/** Sites are numbered 1.., the third octet of their LAN and the last one of their WAN address. */
const MAX_SITES = 254
const SITE_NAME = /^[a-z]{1,4}$/

export function planTopology (init: TestnetInit, prefix: string): Topology {
  const sites = init.sites ?? DEFAULT_SITES
  const publicCount = init.publicHosts ?? DEFAULT_PUBLIC_HOSTS
  checkPlan(sites, publicCount)
  const ns = (name: string): string => `${prefix}-${name}`
  return {
    prefix,
    switchNs: ns('sw'),
    publicHosts: numbers(publicCount).map(n => ({ name: `p${n}`, ns: ns(`p${n}`), ip: `10.99.0.${FIRST_HOST + n - 1}` })),
    sites: sites.map((site, i) => {
      const number = i + 1
      const hosts = numbers(site.hosts ?? DEFAULT_SITE_HOSTS).map(n => ({
        name: `${site.name}-${n}`, ns: ns(`${site.name}-${n}`), ip: `192.168.${number}.${FIRST_HOST + n - 1}`, site: site.name
      }))
      return { name: site.name, nat: site.nat, ns: ns(`${site.name}-r`), wanIp: `10.99.1.${number}`, lanIp: `192.168.${number}.1`, hosts, switchPort: `r-${site.name}` }
    })
  }
}

function checkPlan (sites: SiteInit[], publicCount: number): void {
  if (sites.length > MAX_SITES) throw new RangeError(`${sites.length} sites: at most ${MAX_SITES}`)
  const counts = [publicCount, ...sites.map(s => s.hosts ?? DEFAULT_SITE_HOSTS)]
  if (counts.some(n => !Number.isInteger(n) || n < 0 || n > MAX_HOSTS)) throw new RangeError(`host counts ${counts.join(', ')}: each a whole number from 0 to ${MAX_HOSTS}`)
  for (const site of sites) {
    if (!SITE_NAME.test(site.name)) throw new RangeError(`site name "${site.name}": use 1 to 4 lowercase letters`)
    if (site.nat !== 'eim' && site.nat !== 'symmetric') throw new RangeError(`site ${site.name}: nat "${String(site.nat)}" is neither 'eim' nor 'symmetric'`)
  }
  const names = sites.map(s => s.name)
  const twice = names.find((name, i) => names.indexOf(name) !== i)
  if (twice != null) throw new RangeError(`site name "${twice}" is used twice`)
}

/** 1..count */
function numbers (count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1)
}
