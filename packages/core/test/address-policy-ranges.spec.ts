/**
 * The address policy and address helpers with declared public ranges (`publicRanges`): a grid
 * whose public side is an organisation's 10.99.0.0/16 WAN turns public on a bootstrap there,
 * keeps 10.99.x addresses (and relayed ones through a 10.99.x relay) in its DHT and strips LAN
 * and loopback ones; `addressScope` and `shareableAddrs` follow the same ranges.
 */
import { TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { AddressPolicy, addressScope, decideMode } from '../src/network/address-policy.js'
import { shareableAddrs } from '../src/network/addresses.js'
import { PublicRanges } from '../src/network/public-ranges.js'
import type { AddressPolicyComponents, LanSetting } from '../src/network/address-policy.js'
import type { Connection, Libp2pEvents } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const ID = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const PEER = '12D3KooWBWX4Ga8wr8APCbAuPhXnWeE22cqPSLsiYR59ZDQwGPdP'
const RELAY = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'
const KAD = '/grid/lab/kad/1.0.0'
const WAN = new PublicRanges(['10.99.0.0/16'])
const ma = (text: string): Multiaddr => multiaddr(text)

class FakeLibp2p extends TypedEventEmitter<Libp2pEvents> implements AddressPolicyComponents {
  addrs: Multiaddr[] = [ma(`/ip4/127.0.0.1/tcp/7400/p2p/${ID}`), ma(`/ip4/192.168.1.20/tcp/7400/p2p/${ID}`)]
  connections: Connection[] = []
  getMultiaddrs (): Multiaddr[] { return this.addrs }
  getConnections (): Connection[] { return this.connections }

  identify (remote: string, protocols: string[]): void {
    const connection = { remoteAddr: ma(remote), remotePeer: peerIdFromString(PEER) } as unknown as Connection
    this.connections.push(connection)
    this.safeDispatchEvent('peer:identify', { detail: { peerId: peerIdFromString(PEER), listenAddrs: [], protocols, connection } })
  }
}

function policy (lan: LanSetting, bootstrap: string[] = [], ranges: PublicRanges = WAN): { policy: AddressPolicy, libp2p: FakeLibp2p } {
  const libp2p = new FakeLibp2p()
  const p = new AddressPolicy({ lan, bootstrap: bootstrap.map(ma), kadProtocol: KAD, ranges })
  p.start(libp2p)
  return { policy: p, libp2p }
}

const peer = {
  id: peerIdFromString(PEER),
  multiaddrs: [
    ma('/ip4/10.99.0.21/tcp/7400'),
    ma('/ip4/10.99.0.21/tcp/7401/ws'),
    ma(`/ip4/10.99.0.10/tcp/7400/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`),
    ma(`/ip4/192.168.1.21/tcp/7401/ws/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`),
    ma('/ip4/192.168.1.21/tcp/7400'),
    ma('/ip4/10.1.2.3/tcp/7400'),
    ma('/ip4/127.0.0.1/tcp/7400'),
    ma('/ip6/::1/tcp/7400')
  ]
}

describe('AddressPolicy with declared ranges', () => {
  it('a bootstrap at 10.99.0.10 inside 10.99.0.0/16 makes the grid public, naming it', () => {
    const { policy: p } = policy('auto', [`/ip4/10.99.0.10/tcp/7400/p2p/${RELAY}`])
    expect(p.status()).toMatchObject({ mode: 'public', reason: expect.stringContaining('a bootstrap address is public (/ip4/10.99.0.10/tcp/7400') })
    expect(p.ranges).toBe(WAN)
  })

  it('the same bootstrap without declared ranges is a LAN grid', () => {
    expect(policy('auto', [`/ip4/10.99.0.10/tcp/7400/p2p/${RELAY}`], PublicRanges.internet).policy.status().mode).toBe('lan')
  })

  it('a bootstrap outside the declared range leaves the grid on its LAN', () => {
    expect(policy('auto', [`/ip4/10.98.0.10/tcp/7400/p2p/${RELAY}`]).policy.status().mode).toBe('lan')
  })

  it('the mapper keeps 10.99.x addresses and relayed ones through a 10.99.x relay, and strips 192.168.x, the rest of 10.x and loopback', () => {
    const { policy: p } = policy('auto', [`/ip4/10.99.0.10/tcp/7400/p2p/${RELAY}`])
    expect(p.peerInfoMapper(peer).multiaddrs.map(String)).toEqual([
      '/ip4/10.99.0.21/tcp/7400',
      '/ip4/10.99.0.21/tcp/7401/ws',
      `/ip4/10.99.0.10/tcp/7400/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`
    ])
    expect(p.peerInfoMapper(peer).id).toBe(peer.id)
  })

  it('turns public when a grid peer is identified at a 10.99.x address, not at another 10.x one', () => {
    const { policy: p, libp2p } = policy('auto')
    libp2p.identify('/ip4/10.1.2.3/tcp/7400', [KAD])
    expect(p.status().mode).toBe('lan')
    libp2p.identify('/ip4/10.99.0.21/tcp/7400', [KAD])
    expect(p.status()).toMatchObject({ mode: 'public', reason: expect.stringContaining('/ip4/10.99.0.21/tcp/7400') })
  })

  it('turns public when its own addresses gain a 10.99.x one; it then warns of nothing', () => {
    const { policy: p, libp2p } = policy('auto')
    expect(p.status().mode).toBe('lan')
    libp2p.addrs = [...libp2p.addrs, ma(`/ip4/10.99.0.30/tcp/7400/p2p/${ID}`)]
    libp2p.safeDispatchEvent('self:peer:update', { detail: {} as any })
    expect(p.status()).toMatchObject({ mode: 'public', reason: expect.stringContaining('this node has a public address (/ip4/10.99.0.30/tcp/7400') })
    expect(p.warning()).toBeUndefined()
  })

  it('public with only LAN addresses of its own warns that nobody can dial it', () => {
    const { policy: p } = policy(false)
    expect(p.warning()?.code).toBe('private-only')
  })

  it('isPublic follows the ranges', () => {
    const { policy: p } = policy('auto')
    expect(p.isPublic(ma('/ip4/10.99.0.21/tcp/7400'))).toBe(true)
    expect(p.isPublic(ma('/ip4/10.1.2.3/tcp/7400'))).toBe(false)
    expect(p.isPublic(ma('/ip4/127.0.0.1/tcp/7400'))).toBe(false)
    expect(p.isPublic(ma('/ip4/8.8.4.4/tcp/7400'))).toBe(true)
  })
})

describe('addressScope with declared ranges', () => {
  it.each([
    ['/ip4/10.99.3.4/tcp/7400', 'public', 'private'],
    ['/ip4/10.99.3.4/tcp/7401/ws', 'public', 'private'],
    [`/ip4/10.99.0.10/tcp/7400/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`, 'public', 'private'],
    ['/ip4/10.1.2.3/tcp/7400', 'private', 'private'],
    [`/ip4/192.168.1.21/tcp/7400/p2p/${RELAY}/p2p-circuit`, 'private', 'private'],
    ['/ip4/127.0.0.1/tcp/7400', 'loopback', 'loopback'],
    ['/ip4/8.8.4.4/tcp/7400', 'public', 'public'],
    ['/dns4/grid.example.org/tcp/7400', 'public', 'public']
  ])('%s is %s in 10.99.0.0/16, %s on the internet', (text, declared, internet) => {
    expect(addressScope(ma(text), WAN)).toBe(declared)
    expect(addressScope(ma(text))).toBe(internet)
  })

  it('decideMode follows the facts\' ranges', () => {
    const facts = { ownAddrs: [ma('/ip4/10.99.0.30/tcp/7400')], bootstrap: [] }
    expect(decideMode('auto', facts).mode).toBe('lan')
    expect(decideMode('auto', { ...facts, ranges: WAN }).mode).toBe('public')
  })
})

describe('shareableAddrs with declared ranges', () => {
  // one 0.0.0.0 listener per transport, expanded to the interface addresses
  const expanded = [
    ma(`/ip4/127.0.0.1/tcp/7400/p2p/${ID}`),
    ma(`/ip4/192.168.1.20/tcp/7400/p2p/${ID}`),
    ma(`/ip4/10.99.0.30/tcp/7400/p2p/${ID}`),
    ma(`/ip4/127.0.0.1/tcp/7401/ws/p2p/${ID}`),
    ma(`/ip4/192.168.1.20/tcp/7401/ws/p2p/${ID}`),
    ma(`/ip4/10.99.0.30/tcp/7401/ws/p2p/${ID}`)
  ]

  it('prefers the declared-public address of each listener', () => {
    expect(shareableAddrs(expanded, WAN).map(String)).toEqual([
      `/ip4/10.99.0.30/tcp/7400/p2p/${ID}`,
      `/ip4/10.99.0.30/tcp/7401/ws/p2p/${ID}`
    ])
  })

  it('on the internet\'s ranges both LAN addresses rank alike, and the first one is kept', () => {
    expect(shareableAddrs(expanded).map(String)).toEqual([
      `/ip4/192.168.1.20/tcp/7400/p2p/${ID}`,
      `/ip4/192.168.1.20/tcp/7401/ws/p2p/${ID}`
    ])
  })

  it('an internet address still ranks with a declared-public one, DNS above both', () => {
    const addrs = [ma('/ip4/10.99.0.30/tcp/7400'), ma('/ip4/8.8.4.4/tcp/7400'), ma('/dns4/grid.example.org/tcp/7400')]
    expect(shareableAddrs(addrs, WAN).map(String)).toEqual(['/dns4/grid.example.org/tcp/7400'])
    expect(shareableAddrs(addrs.slice(0, 2), WAN).map(String)).toEqual(['/ip4/10.99.0.30/tcp/7400'])
  })
})
