/**
 * PublicRelayFilter (src/network/relay-filter.ts): libp2p's relay transport skips a peer when
 * `has(peer)` is true. On one host or one LAN every peer may hold a reservation; in a public grid
 * only a peer this node reached directly at a public address (by the grid's ranges) may.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { AddressPolicy } from '../src/network/address-policy.js'
import { PublicRanges } from '../src/network/public-ranges.js'
import { PeerRoles } from '../src/network/peer-roles.js'
import { PublicRelayFilter } from '../src/network/relay-filter.js'
import type { LanSetting } from '../src/network/address-policy.js'
import type { RelayFilterSources } from '../src/network/relay-filter.js'
import type { Connection, PeerId } from '@libp2p/interface'

const SELF = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const PUBLIC_RELAY = peerIdFromString('12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz')
const LAN_RELAY = peerIdFromString('12D3KooWBWX4Ga8wr8APCbAuPhXnWeE22cqPSLsiYR59ZDQwGPdP')
const RELAYED_PEER = peerIdFromString('12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN')
const WAN_RELAY = peerIdFromString('12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5')
const STRANGER = peerIdFromString('12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x')

const conn = (peer: PeerId, remoteAddr: string, direct = true, direction: 'inbound' | 'outbound' = 'outbound'): Connection =>
  ({ remotePeer: peer, remoteAddr: multiaddr(remoteAddr), direct, direction }) as unknown as Connection

const CONNECTIONS = [
  conn(PUBLIC_RELAY, '/ip4/8.8.4.4/tcp/7400'),
  conn(LAN_RELAY, '/ip4/192.168.1.30/tcp/7400'),
  conn(LAN_RELAY, '/ip4/127.0.0.1/tcp/7400'),
  // reached through a relay at a public address: not a direct connection to it
  conn(RELAYED_PEER, `/ip4/8.8.4.4/tcp/7400/p2p/${PUBLIC_RELAY.toString()}/p2p-circuit/p2p/${RELAYED_PEER.toString()}`, false),
  conn(WAN_RELAY, '/ip4/10.99.0.10/tcp/7400')
]

const KAD = '/grid/lab/kad/1.0.0'

/** libp2p as the filter reads it: these connections, and identify saying which peers serve the grid's DHT. */
function sources (connections: Connection[], dhtServers: PeerId[] = connections.map(c => c.remotePeer)): RelayFilterSources & { addEventListener: EventTarget['addEventListener'], identify: () => void, disconnect: (peer: PeerId) => void } {
  const events = new EventTarget()
  return {
    getConnections: peer => connections.filter(c => c.remotePeer.equals(peer)),
    addEventListener: events.addEventListener.bind(events),
    identify: () => {
      for (const peerId of new Set(connections.map(c => c.remotePeer))) {
        const protocols = ['/ipfs/id/1.0.0', ...dhtServers.some(p => p.equals(peerId)) ? [KAD] : []]
        events.dispatchEvent(new CustomEvent('peer:identify', { detail: { peerId, protocols } }))
      }
    },
    disconnect: peer => { events.dispatchEvent(new CustomEvent('peer:disconnect', { detail: peer })) }
  }
}

/** A filter and the identify record it reads (attached with libp2p by `attached`). */
const rolesOf = new WeakMap<PublicRelayFilter, PeerRoles>()
function newFilter (policy: AddressPolicy): PublicRelayFilter {
  const roles = new PeerRoles(KAD)
  const f = new PublicRelayFilter(policy, roles)
  rolesOf.set(f, roles)
  return f
}

function attached (f: PublicRelayFilter, connections: Connection[], dhtServers?: PeerId[], punched?: (c: Connection) => boolean): ReturnType<typeof sources> {
  const libp2p = sources(connections, dhtServers)
  rolesOf.get(f)!.attach(libp2p)
  f.attach(libp2p, punched)
  libp2p.identify()
  return libp2p
}

function filter (lan: LanSetting, ranges = PublicRanges.internet, attach = true): PublicRelayFilter {
  const policy = new AddressPolicy({ lan, bootstrap: [], kadProtocol: KAD, ranges })
  const f = newFilter(policy)
  if (attach) attached(f, CONNECTIONS)
  return f
}

const ALL = [PUBLIC_RELAY, LAN_RELAY, RELAYED_PEER, WAN_RELAY, STRANGER]
const skipped = (f: PublicRelayFilter): string[] => ALL.filter(p => f.has(p)).map(String)

describe('PublicRelayFilter', () => {
  it('in a public grid, a peer that dialled us or that we reached by hole punching is no relay: its address is its NAT\'s', () => {
    const filter = newFilter(new AddressPolicy({ lan: false, bootstrap: [], kadProtocol: KAD }))
    const inbound = conn(STRANGER, '/ip4/8.8.8.8/tcp/40000', true, 'inbound')
    const punched = conn(WAN_RELAY, '/ip4/8.8.8.9/tcp/40001')
    attached(filter, [inbound, punched], undefined, c => c === punched)
    expect(filter.has(STRANGER)).toBe(true)
    expect(filter.has(WAN_RELAY)).toBe(true)
  })

  it('in a public grid, a peer that does not serve the DHT (behind NAT, met at its NAT\'s mapping) is no relay, nor one that left', () => {
    const filter = newFilter(new AddressPolicy({ lan: false, bootstrap: [], kadProtocol: KAD }))
    const mapped = conn(STRANGER, '/ip4/8.8.8.8/tcp/40000')
    const relay = conn(PUBLIC_RELAY, '/ip4/8.8.4.4/tcp/7400')
    const libp2p = attached(filter, [mapped, relay], [PUBLIC_RELAY])
    expect(filter.has(STRANGER)).toBe(true)
    expect(filter.has(PUBLIC_RELAY)).toBe(false)
    libp2p.disconnect(PUBLIC_RELAY)
    expect(filter.has(PUBLIC_RELAY)).toBe(true)
  })

  it('on one host or one LAN, every peer may be a relay', () => {
    expect(skipped(filter(true))).toEqual([])
    expect(skipped(filter(true, PublicRanges.internet, false))).toEqual([])
  })

  it('auto on a LAN (nothing public seen) lets every peer be a relay too', () => {
    expect(skipped(filter('auto'))).toEqual([])
  })

  it('in a public grid, only a peer with a direct connection at a public address may be a relay', () => {
    const f = filter(false)
    expect(f.has(PUBLIC_RELAY)).toBe(false)
    expect(f.has(LAN_RELAY)).toBe(true)
    expect(f.has(RELAYED_PEER)).toBe(true)
    expect(f.has(WAN_RELAY)).toBe(true)
    expect(f.has(STRANGER)).toBe(true)
  })

  it('declared ranges count: a relay at 10.99.0.10 is public in 10.99.0.0/16', () => {
    const f = filter(false, new PublicRanges(['10.99.0.0/16']))
    expect(skipped(f)).toEqual([LAN_RELAY, RELAYED_PEER, STRANGER].map(String))
  })

  it('in a public grid before libp2p is attached, no peer may be a relay', () => {
    expect(skipped(filter(false, PublicRanges.internet, false))).toEqual(ALL.map(String))
  })

  it('follows the policy when it turns public', () => {
    const policy = new AddressPolicy({ lan: 'auto', bootstrap: [], kadProtocol: KAD })
    const f = newFilter(policy)
    attached(f, CONNECTIONS)
    let addrs = [multiaddr(`/ip4/192.168.1.20/tcp/7400/p2p/${SELF}`)]
    policy.start({ getMultiaddrs: () => addrs, getConnections: () => [], addEventListener: () => {}, removeEventListener: () => {} })
    expect(f.has(LAN_RELAY)).toBe(false)
    addrs = [...addrs, multiaddr(`/ip4/8.8.8.8/tcp/7400/p2p/${SELF}`)]
    policy.update()
    expect(policy.status().mode).toBe('public')
    expect(f.has(LAN_RELAY)).toBe(true)
    expect(f.has(PUBLIC_RELAY)).toBe(false)
  })

  it('add and remove are no-ops the topology interface asks for', () => {
    const f = filter(false)
    f.add()
    expect(f.has(LAN_RELAY)).toBe(true)
    f.remove()
    expect(f.has(PUBLIC_RELAY)).toBe(false)
  })
})
