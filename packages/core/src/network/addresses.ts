import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidMultiaddrError } from '../errors.js'
import { PublicRanges } from './public-ranges.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Parses a multiaddr given by a person, with an error that names the culprit. */
export function parseMultiaddr (what: string, value: string | Multiaddr): Multiaddr {
  if (typeof value !== 'string') return value
  const trimmed = value.trim()
  if (!trimmed.startsWith('/')) {
    throw new InvalidMultiaddrError(what, value, 'a multiaddr starts with "/"')
  }
  // a /p2p/ value that is not a peer ID would otherwise surface as a CID decoding error
  for (const [, id = ''] of trimmed.matchAll(/\/p2p\/([^/]*)/g)) {
    try {
      peerIdFromString(id)
    } catch {
      throw new InvalidMultiaddrError(what, value, `"${id}" is not a peer ID`)
    }
  }
  let addr: Multiaddr
  try {
    addr = multiaddr(trimmed)
    // multiaddr validates lazily: encoding it finds a bad component now, not at dial time
    if (addr.bytes.byteLength === 0) throw new Error('it has no components')
  } catch (err: any) {
    throw new InvalidMultiaddrError(what, value, String(err.message ?? err))
  }
  return addr
}

/** The peer ID named by a `/p2p/…` component, if any. */
export function peerIdOf (addr: Multiaddr): string | undefined {
  return addr.getComponents().findLast(c => c.name === 'p2p')?.value
}

/**
 * One address per listener that another machine can paste as `--bootstrap`: of the
 * addresses a listener expands to (one per interface for 0.0.0.0), the most reachable one -
 * public before private before loopback.
 */
export function shareableAddrs (addrs: Multiaddr[], ranges: PublicRanges = PublicRanges.internet): Multiaddr[] {
  return bestPerListener(addrs, (kind, host) => {
    if (kind.startsWith('dns')) return 3
    const scope = ranges.scopeOf(host)
    return scope === 'public' ? 2 : scope === 'private' ? 1 : 0
  })
}

/**
 * One loopback address per listener, for a second node on the same machine: the address
 * another machine needs (`shareableAddrs`) may not even be reachable from this one (a public
 * address behind NAT), and 127.0.0.1 always is. IPv4 before IPv6.
 */
export function sameHostAddrs (addrs: Multiaddr[]): Multiaddr[] {
  return bestPerListener(addrs, (kind, host) => host.startsWith('127.') ? 1 : host === '::1' ? 0 : undefined)
}

/** Of the addresses each listener expands to (one per interface for 0.0.0.0), the best ranked. */
function bestPerListener (addrs: Multiaddr[], rankOf: (kind: string, host: string) => number | undefined): Multiaddr[] {
  const best = new Map<string, { addr: Multiaddr, rank: number }>()
  for (const addr of addrs) {
    const components = addr.getComponents()
    const host = components[0]
    if (host == null || !['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(host.name)) continue
    const listener = components.slice(1).filter(c => c.name !== 'p2p').map(c => `${c.name}/${c.value ?? ''}`).join('/')
    const rank = rankOf(host.name, host.value ?? '')
    if (rank == null) continue
    const current = best.get(listener)
    if (current == null || rank > current.rank) best.set(listener, { addr, rank })
  }
  return [...best.values()].map(b => b.addr)
}
