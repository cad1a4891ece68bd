import { TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { AddressPolicy, addressScope, addressWarning, decideMode } from '../src/network/address-policy.js'
import type { AddressPolicyComponents, LanSetting } from '../src/network/address-policy.js'
import type { Connection, Libp2pEvents } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const ID = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const PEER = '12D3KooWBWX4Ga8wr8APCbAuPhXnWeE22cqPSLsiYR59ZDQwGPdP'
const KAD = '/grid/main/kad/1.0.0'
const ma = (text: string): Multiaddr => multiaddr(text)

describe('addressScope', () => {
  it.each([
    ['/ip4/127.0.0.1/tcp/7400', 'loopback'],
    ['/ip6/::1/tcp/7400', 'loopback'],
    ['/dns4/localhost/tcp/7400', 'loopback'],
    ['/ip4/192.168.1.20/tcp/7400', 'private'],
    ['/ip4/10.1.2.3/tcp/7400/ws', 'private'],
    ['/ip4/100.64.0.9/tcp/7400', 'private'],
    ['/ip4/192.0.2.2/tcp/7400', 'private'],
    ['/ip6/fe80::1/tcp/7400', 'private'],
    ['/ip4/8.8.4.4/tcp/7400', 'public'],
    ['/dns4/grid.example.org/tcp/7403/tls/ws', 'public'],
    [`/ip4/8.8.4.4/tcp/7401/ws/p2p/${ID}/p2p-circuit/p2p/${PEER}`, 'public'],
    [`/ip4/127.0.0.1/tcp/7401/ws/p2p/${ID}/p2p-circuit`, 'loopback']
  ])('%s is %s', (text, scope) => {
    expect(addressScope(ma(text))).toBe(scope)
  })

  it('has nothing to say of an address without a host', () => {
    expect(addressScope(ma('/p2p-circuit'))).toBeUndefined()
    expect(addressScope(ma('/memory/a'))).toBeUndefined()
  })
})

describe('decideMode', () => {
  const local = { ownAddrs: [ma('/ip4/127.0.0.1/tcp/7400'), ma('/ip4/192.168.1.20/tcp/7400')], bootstrap: [] }

  it('auto on one host or one LAN keeps private addresses', () => {
    expect(decideMode('auto', local)).toMatchObject({ setting: 'auto', mode: 'lan', reason: expect.stringMatching(/is private or loopback \(one host or one LAN\)/) })
    expect(decideMode('auto', { ownAddrs: [], bootstrap: [ma(`/ip4/127.0.0.1/tcp/7400/p2p/${ID}`)] }).mode).toBe('lan')
  })

  it('auto with a public address of its own strips them, naming the address', () => {
    const d = decideMode('auto', { ...local, ownAddrs: [...local.ownAddrs, ma('/ip4/8.8.4.4/tcp/7400')] })
    expect(d).toMatchObject({ mode: 'public', reason: expect.stringContaining('public address (/ip4/8.8.4.4/tcp/7400)') })
  })

  it('auto with a public bootstrap address strips them from the start', () => {
    expect(decideMode('auto', { ...local, bootstrap: [ma(`/dns4/grid.example.org/tcp/7400/p2p/${ID}`)] })).toMatchObject({ mode: 'public', reason: expect.stringMatching(/bootstrap address is public/) })
  })

  it('auto after reaching a grid peer on a public address strips them, naming the peer', () => {
    const d = decideMode('auto', { ...local, publicPeer: { peerId: PEER, addr: ma('/ip4/8.8.4.4/tcp/7400') } })
    expect(d).toMatchObject({ mode: 'public', reason: expect.stringContaining(PEER) })
  })

  it('true and false win over every fact', () => {
    const everything = { ownAddrs: [ma('/ip4/8.8.4.4/tcp/7400')], bootstrap: [], publicPeer: { peerId: PEER, addr: ma('/ip4/8.8.4.4/tcp/7400') } }
    expect(decideMode(true, everything).mode).toBe('lan')
    expect(decideMode(false, local).mode).toBe('public')
  })
})

describe('addressWarning', () => {
  const conn = (remote: string): Pick<Connection, 'remoteAddr' | 'remotePeer'> => ({ remoteAddr: ma(remote), remotePeer: peerIdFromString(PEER) })

  it('public mode with only private or loopback addresses: nobody can dial this node', () => {
    const w = addressWarning('public', [ma('/ip4/127.0.0.1/tcp/7400'), ma('/ip4/192.168.1.20/tcp/7400')], [])
    expect(w?.code).toBe('private-only')
    expect(w?.message).toMatch(/every address this node announces is private or loopback \(\/ip4\/127\.0\.0\.1\/tcp\/7400, \/ip4\/192\.168\.1\.20\/tcp\/7400\).*nobody can dial this node.*--lan/)
  })

  it('public mode with one public address: nothing to say', () => {
    expect(addressWarning('public', [ma('/ip4/192.168.1.20/tcp/7400'), ma('/ip4/8.8.4.4/tcp/7400')], [])).toBeUndefined()
  })

  it('lan mode with private addresses: nothing to say', () => {
    expect(addressWarning('lan', [ma('/ip4/192.168.1.20/tcp/7400')], [conn('/ip4/192.168.1.21/tcp/50000')])).toBeUndefined()
  })

  it('only loopback addresses while a peer came from another machine: it cannot dial back', () => {
    const own = [ma('/ip4/127.0.0.1/tcp/7400')]
    expect(addressWarning('lan', own, [conn('/ip4/127.0.0.1/tcp/50000')])).toBeUndefined()
    const w = addressWarning('lan', own, [conn('/ip4/127.0.0.1/tcp/50000'), conn('/ip4/192.168.1.21/tcp/50001')])
    expect(w?.code).toBe('loopback-only')
    expect(w?.message).toContain(`it reached peer ${PEER} at /ip4/192.168.1.21/tcp/50001: from another machine`)
  })

  it('no address at all (a short-lived client, a tab before its relay): reachable says so, not this', () => {
    expect(addressWarning('public', [], [])).toBeUndefined()
  })
})

/** libp2p as the policy sees it: addresses, connections and the two events it watches. */
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

function policy (lan: LanSetting, bootstrap: string[] = []): { policy: AddressPolicy, libp2p: FakeLibp2p } {
  const libp2p = new FakeLibp2p()
  const p = new AddressPolicy({ lan, bootstrap: bootstrap.map(ma), kadProtocol: KAD })
  p.start(libp2p)
  return { policy: p, libp2p }
}

const mixed = { id: peerIdFromString(PEER), multiaddrs: [ma('/ip4/127.0.0.1/tcp/7500'), ma('/ip4/192.168.1.21/tcp/7500'), ma('/ip4/8.8.4.4/tcp/7500')] }

describe('AddressPolicy', () => {
  it('auto on a LAN: the DHT keeps every address of a peer', () => {
    const { policy: p } = policy('auto')
    expect(p.status().mode).toBe('lan')
    expect(p.peerInfoMapper(mixed).multiaddrs).toHaveLength(3)
    expect(p.warning()).toBeUndefined()
  })

  it('auto turns public for good when a grid peer is reached on a public address', () => {
    const { policy: p, libp2p } = policy('auto')
    libp2p.identify('/ip4/8.8.4.4/tcp/7500', ['/ipfs/id/1.0.0', KAD])
    expect(p.status()).toMatchObject({ mode: 'public', reason: expect.stringContaining(PEER) })
    expect(p.peerInfoMapper(mixed).multiaddrs.map(String)).toEqual(['/ip4/8.8.4.4/tcp/7500'])
    // and this node, with only private addresses, now says nobody can dial it
    expect(p.warning()?.code).toBe('private-only')
    // addresses changing later do not turn it back
    libp2p.addrs = [ma('/ip4/127.0.0.1/tcp/7400')]
    libp2p.safeDispatchEvent('self:peer:update', { detail: {} as any })
    expect(p.status().mode).toBe('public')
  })

  it('auto ignores peers that do not speak the grid\'s DHT, and grid peers on private addresses', () => {
    const { policy: p, libp2p } = policy('auto')
    libp2p.identify('/ip4/8.8.4.4/tcp/4001', ['/ipfs/id/1.0.0', '/ipfs/kad/1.0.0'])
    libp2p.identify('/ip4/192.168.1.21/tcp/7500', [KAD])
    expect(p.status().mode).toBe('lan')
  })

  it('auto turns public when its own addresses gain a public one', () => {
    const { policy: p, libp2p } = policy('auto')
    libp2p.addrs = [...libp2p.addrs, ma(`/ip4/8.8.4.4/tcp/7400/p2p/${ID}`)]
    libp2p.safeDispatchEvent('self:peer:update', { detail: {} as any })
    expect(p.status().mode).toBe('public')
    expect(p.warning()).toBeUndefined()
  })

  it('auto with a public bootstrap address is public before anything connects', () => {
    expect(policy('auto', [`/ip4/8.8.4.4/tcp/7400/p2p/${PEER}`]).policy.status().mode).toBe('public')
  })

  it('false strips private addresses even on one host, and warns at once', () => {
    const { policy: p } = policy(false)
    expect(p.peerInfoMapper(mixed).multiaddrs.map(String)).toEqual(['/ip4/8.8.4.4/tcp/7500'])
    expect(p.warning()?.code).toBe('private-only')
  })

  it('true keeps private addresses even after a public peer', () => {
    const { policy: p, libp2p } = policy(true)
    libp2p.identify('/ip4/8.8.4.4/tcp/7500', [KAD])
    expect(p.status().mode).toBe('lan')
    expect(p.peerInfoMapper(mixed).multiaddrs).toHaveLength(3)
  })

  it('stops watching on stop', () => {
    const { policy: p, libp2p } = policy('auto')
    p.stop()
    libp2p.identify('/ip4/8.8.4.4/tcp/7500', [KAD])
    expect(p.status().mode).toBe('lan')
  })
})
