/**
 * Reachability (src/network/reachability.ts) with fake components and scripted dial-back peers
 * speaking the real protocol over in-memory stream pairs: no sockets. On a LAN its own addresses
 * make it direct; in a public grid a node with only private addresses listens on two relays and
 * is unreachable until reservations show up in its addresses, then relayed; a public address is
 * checked by asking peers, and 2 agreeing answers decide (one dissenter does not); a short-lived
 * client never reserves relays; `onChange` fires once per change. Real NATs: test/testnet-grid.spec.ts.
 */
import { TypedEventEmitter } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream, streamPair } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as c from '../src/constants.js'
import { AddressPolicy } from '../src/network/address-policy.js'
import { PublicRanges } from '../src/network/public-ranges.js'
import { Reachability } from '../src/network/reachability.js'
import { DialBackRequest, DialBackResponse, Status } from '../src/pb/grid.js'
import type { LanSetting } from '../src/network/address-policy.js'
import type { ReachabilityComponents, ReachabilityInit, ReachabilityStatus } from '../src/network/reachability.js'
import type { Connection, Libp2pEvents, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** LAN discovery (multicast DNS) opens sockets: a fake records whether it was started. */
const lan = vi.hoisted(() => ({ started: 0, stopped: 0 }))
vi.mock('#platform', () => ({
  lanDiscovery: () => ({
    addEventListener: () => {},
    removeEventListener: () => {},
    start: () => { lan.started++ },
    stop: () => { lan.stopped++ }
  })
}))

const SELF = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const RELAY_A = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'
const RELAY_B = '12D3KooWBWX4Ga8wr8APCbAuPhXnWeE22cqPSLsiYR59ZDQwGPdP'
const PEER_1 = peerIdFromString('12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN')
const PEER_2 = peerIdFromString('12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5')
const PEER_3 = peerIdFromString('12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x')
const PEER_4 = peerIdFromString('12D3KooWLRPJAA5o6Z6pzaPT8U93V2fH7Fb2FcMGQTtf3tEcWfaT')
const PEERS = [PEER_1, PEER_2, PEER_3, PEER_4]
const PRIVATE = `/ip4/192.168.1.20/tcp/7400/p2p/${SELF}`
const PUBLIC = `/ip4/8.8.4.4/tcp/7400/p2p/${SELF}`
const ma = (text: string): Multiaddr => multiaddr(text)
const circuit = (relay: string, ip: string): Multiaddr => ma(`/ip4/${ip}/tcp/7400/p2p/${relay}/p2p-circuit/p2p/${SELF}`)

/** A connected peer that answers dial-back requests when the test says so. */
interface FakePeer {
  id: PeerId
  connection: Connection
  /** The addresses each request asked about. */
  asked: string[][]
  /** Answers the pending request (the next one, if none is pending yet). */
  answer(reached: boolean): void
}

function fakePeer (id: PeerId, remoteAddr: string, direct = true): FakePeer {
  const asked: string[][] = []
  const pending: Array<(reached: boolean) => void> = []
  const early: boolean[] = []
  const answerer = async (stream: Stream): Promise<void> => {
    const pb = pbStream(stream)
    const request = await pb.read(DialBackRequest)
    asked.push(request.addrs.map(b => multiaddr(b).toString()))
    const reached = early.length > 0 ? early.shift() as boolean : await new Promise<boolean>(resolve => { pending.push(resolve) })
    await pb.write({ status: Status.OK, reached, addr: request.addrs[0], message: reached ? 'reached' : 'dial failed: timeout' }, DialBackResponse)
    await stream.close()
  }
  const connection = {
    remotePeer: id,
    remoteAddr: ma(remoteAddr),
    direct,
    newStream: async () => {
      const [asker, answering] = await streamPair()
      void answerer(answering).catch(err => { answering.abort(err) })
      return asker
    }
  } as unknown as Connection
  return {
    id,
    connection,
    asked,
    answer: (reached) => {
      const next = pending.shift()
      if (next != null) next(reached)
      else early.push(reached)
    }
  }
}

/** libp2p as Reachability sees it: its addresses, its connections, its listeners and events. */
class FakeComponents {
  addrs: Multiaddr[] = []
  connections: Connection[] = []
  listened: Multiaddr[][] = []
  readonly events = new TypedEventEmitter<Libp2pEvents>()
  readonly logger = defaultLogger()
  readonly upgrader = {}
  readonly registrar = { handle: async () => {}, unhandle: async () => {} }
  readonly addressManager = { getAddresses: () => this.addrs }
  readonly connectionManager = {
    getConnections: (peer?: PeerId) => peer == null ? this.connections : this.connections.filter(conn => conn.remotePeer.equals(peer)),
    openConnection: async () => { throw new Error('no dials in this test') }
  }

  readonly transportManager = {
    getListeners: () => [],
    listen: async (addrs: Multiaddr[]) => { this.listened.push(addrs) }
  }

  /** Own addresses changed (a listener or a relay reservation came or went). */
  update (addrs: Multiaddr[]): void {
    this.addrs = addrs
    this.events.safeDispatchEvent('self:peer:update', { detail: {} as any })
  }
}

const running: Reachability[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async r => { await r.stop() }))
  lan.started = 0
  lan.stopped = 0
})

function reachability (lanSetting: LanSetting, addrs: string[], init: Partial<ReachabilityInit> = {}) {
  const components = new FakeComponents()
  components.addrs = addrs.map(ma)
  const policy = new AddressPolicy({ lan: lanSetting, bootstrap: [], kadProtocol: '/grid/lab/kad/1.0.0', ranges: PublicRanges.internet })
  const r = new Reachability(components as unknown as ReachabilityComponents, { network: 'lab', policy, listens: true, ...init })
  const changes: ReachabilityStatus[] = []
  r.onChange(status => { changes.push(status) })
  running.push(r)
  return { r, components, changes }
}

async function started (r: Reachability): Promise<void> {
  await r.start()
  r.afterStart()
}

/** Public peers that the node is directly connected to. */
function publicPeers (components: FakeComponents, count: number): FakePeer[] {
  const peers = PEERS.slice(0, count).map((id, i) => fakePeer(id, `/ip4/1.1.1.${i + 1}/tcp/7400`))
  components.connections.push(...peers.map(p => p.connection))
  return peers
}

/** Lets queued stream and microtask work run. */
async function settle (): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
}

/** Three public peers, by position. */
function threePublicPeers (components: FakeComponents): [FakePeer, FakePeer, FakePeer] {
  const [one, two, three] = [PEER_1, PEER_2, PEER_3].map((id, i) => fakePeer(id, `/ip4/1.1.1.${i + 1}/tcp/7400`)) as [FakePeer, FakePeer, FakePeer]
  components.connections.push(one.connection, two.connection, three.connection)
  return [one, two, three]
}

const askedCount = (peers: FakePeer[]): number => peers.filter(p => p.asked.length > 0).length

describe('Reachability: one host or one LAN', () => {
  it('is direct on its own addresses, serves the DHT, asks nobody and reserves no relay', async () => {
    const { r, components } = reachability(true, [PRIVATE, `/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`])
    const peers = threePublicPeers(components)
    await started(r)
    expect(r.status()).toMatchObject({ state: 'direct', relays: [], dhtServer: true, reason: expect.stringMatching(/one host or one LAN/) })
    await settle()
    expect(askedCount(peers)).toBe(0)
    expect(components.listened).toEqual([])
  })

  it('without an address of its own yet, it is still checking', async () => {
    const { r } = reachability(true, [])
    await started(r)
    expect(r.status()).toMatchObject({ state: 'checking', reason: expect.stringMatching(/no address yet/) })
  })
})

describe('Reachability: behind NAT in a public grid', () => {
  it('listens on two /p2p-circuit addresses once, and is unreachable, saying no public peer is connected', async () => {
    const { r, components } = reachability(false, [PRIVATE])
    await started(r)
    expect(components.listened.map(addrs => addrs.map(String))).toEqual([Array(c.RELAY_RESERVATIONS_WANTED).fill('/p2p-circuit')])
    expect(c.RELAY_RESERVATIONS_WANTED).toBe(2)
    expect(r.status()).toMatchObject({ state: 'unreachable', relays: [], dhtServer: false })
    expect(r.status().reason).toContain('every address of this node is private (/ip4/192.168.1.20/tcp/7400')
    expect(r.status().reason).toMatch(/no peer on the grid's public side is connected to offer a relay \(check --bootstrap/)
    expect(lan.started).toBe(1)
    r.evaluate()
    r.evaluate()
    expect(components.listened).toHaveLength(1)
  })

  it('with a public peer but no reservation yet, says none holds one', async () => {
    const { r, components } = reachability(false, [PRIVATE])
    publicPeers(components, 1)
    // a relayed connection and one at a private address are not the public side
    components.connections.push(fakePeer(PEER_3, '/ip4/192.168.1.30/tcp/7400').connection, fakePeer(PEER_4, '/ip4/1.1.1.9/tcp/7400', false).connection)
    await started(r)
    expect(r.status()).toMatchObject({ state: 'unreachable', reason: expect.stringContaining('none of the 1 connected public peer holds a relay reservation for it yet') })
  })

  it('turns relayed with both relay IDs when its addresses gain circuit addresses', async () => {
    const { r, components, changes } = reachability(false, [PRIVATE])
    await started(r)
    expect(r.status().state).toBe('unreachable')
    components.update([...components.addrs, circuit(RELAY_B, '1.1.1.2')])
    expect(r.status()).toMatchObject({ state: 'relayed', relays: [RELAY_B], dhtServer: false, reason: expect.stringContaining(`through relay ${RELAY_B}`) })
    components.update([...components.addrs, circuit(RELAY_A, '1.1.1.1')])
    expect(r.status()).toMatchObject({ state: 'relayed', relays: [RELAY_A, RELAY_B].sort(), dhtServer: false })
    expect(r.status().reason).toContain(`through relays ${[RELAY_A, RELAY_B].sort().join(' and ')}`)
    expect(changes.map(s => s.state)).toEqual(['unreachable', 'relayed', 'relayed'])
    // and back to unreachable when both reservations are gone
    components.update([ma(PRIVATE)])
    expect(r.status()).toMatchObject({ state: 'unreachable', relays: [] })
    expect(components.listened).toHaveLength(1)
  })

  it('with no address at all and no listener asked for, it is behind NAT too', async () => {
    const { r, components } = reachability(false, [], { listens: false })
    await started(r)
    expect(r.status()).toMatchObject({ state: 'unreachable', reason: expect.stringContaining('it has no address of its own') })
    expect(components.listened).toHaveLength(1)
  })

  it('a short-lived client never listens on relays nor asks for a dial back', async () => {
    const { r, components } = reachability(false, [PRIVATE], { client: true })
    const peers = threePublicPeers(components)
    await started(r)
    expect(r.status()).toMatchObject({ state: 'unreachable', dhtServer: false, reason: expect.stringMatching(/short-lived client/) })
    components.update([PUBLIC].map(ma))
    await settle()
    expect(r.status().state).toBe('unreachable')
    expect(components.listened).toEqual([])
    expect(askedCount(peers)).toBe(0)
    expect(lan.started).toBe(0)
  })
})

describe('Reachability: a public address, checked by dial-back', () => {
  it(`asks ${c.DIAL_BACK_ASKED} connected public peers about its public addresses only, and is checking meanwhile`, async () => {
    const { r, components } = reachability(false, [PRIVATE, PUBLIC])
    const peers = publicPeers(components, 4)
    await started(r)
    expect(r.status()).toMatchObject({ state: 'checking', dhtServer: true, reason: expect.stringContaining('asking peers to dial /ip4/8.8.4.4/tcp/7400') })
    await settle()
    expect(askedCount(peers)).toBe(c.DIAL_BACK_ASKED)
    for (const p of peers.filter(p => p.asked.length > 0)) expect(p.asked).toEqual([['/ip4/8.8.4.4/tcp/7400']])
    expect(components.listened).toEqual([])
  })

  it('turns direct after 2 reached answers', async () => {
    const { r, components, changes } = reachability(false, [PUBLIC])
    const peers = threePublicPeers(components)
    await started(r)
    await settle()
    peers[0].answer(true)
    await settle()
    expect(r.status().state).toBe('checking')
    peers[1].answer(true)
    await vi.waitFor(() => { expect(r.status().state).toBe('direct') })
    expect(r.status()).toMatchObject({ dhtServer: true, reason: 'peers dialled /ip4/8.8.4.4/tcp/7400 (2 of 2 answers reached it)' })
    expect(components.listened).toEqual([])
    expect(changes.filter(s => s.state === 'direct')).toHaveLength(1)
  })

  it('is not direct after 2 not-reached answers: it listens on relays, then is relayed', async () => {
    const { r, components } = reachability(false, [PUBLIC])
    const peers = threePublicPeers(components)
    await started(r)
    await settle()
    peers[0].answer(false)
    peers[1].answer(false)
    await vi.waitFor(() => { expect(r.status().state).toBe('unreachable') })
    expect(r.status()).toMatchObject({ dhtServer: false, reason: expect.stringContaining('a majority of peers could not dial /ip4/8.8.4.4/tcp/7400 (0 of 2 answers reached it): a firewall or NAT is in the way') })
    expect(components.listened).toHaveLength(1)
    components.update([ma(PUBLIC), circuit(RELAY_A, '1.1.1.1'), circuit(RELAY_B, '1.1.1.2')])
    expect(r.status()).toMatchObject({ state: 'relayed', relays: [RELAY_A, RELAY_B].sort(), dhtServer: false })
    // the third answer, reached, does not overturn the verdict
    peers[2].answer(true)
    await settle()
    expect(r.status().state).toBe('relayed')
  })

  it.each([
    ['not reached, then reached twice', [false, true, true], 'direct'],
    ['reached, not reached, reached', [true, false, true], 'direct'],
    ['not reached, reached, not reached', [false, true, false], 'unreachable']
  ] as const)('one dissenting answer among 3 does not change the majority: %s', async (_what, answers, state) => {
    const { r, components } = reachability(false, [PUBLIC])
    const peers = threePublicPeers(components)
    await started(r)
    await settle()
    peers[0].answer(answers[0])
    await settle()
    peers[1].answer(answers[1])
    await settle()
    expect(r.status().state).toBe('checking')
    expect(r.status().reason).toContain('(1 of 2 answers reached it; 2 agreeing answers decide)')
    peers[2].answer(answers[2])
    await vi.waitFor(() => { expect(r.status().state).toBe(state) })
    expect(r.status().reason).toContain(`(${answers.filter(Boolean).length} of 3 answers reached it)`)
  })

  it('a late dissenting answer after a 2-answer verdict leaves it direct', async () => {
    const { r, components } = reachability(false, [PUBLIC])
    const peers = threePublicPeers(components)
    await started(r)
    await settle()
    peers[0].answer(true)
    peers[1].answer(true)
    await vi.waitFor(() => { expect(r.status().state).toBe('direct') })
    peers[2].answer(false)
    await settle()
    expect(r.status().state).toBe('direct')
    expect(components.listened).toEqual([])
  })

  it('a peer that gives no answer counts for neither side, and another peer is asked instead', async () => {
    const { r, components } = reachability(false, [PUBLIC])
    const broken = fakePeer(PEER_4, '/ip4/1.1.1.4/tcp/7400')
    const refusing = { ...broken.connection, newStream: async () => { throw new Error('protocol selection failed') } } as unknown as Connection
    components.connections.push(refusing)
    const peers = threePublicPeers(components)
    await started(r)
    await settle()
    // the peer that gave no answer is replaced at once
    await vi.waitFor(() => { expect(askedCount(peers)).toBe(3) }, { timeout: 1_000 })
    peers[0].answer(true)
    peers[2].answer(true)
    await vi.waitFor(() => { expect(r.status().state).toBe('direct') })
    expect(r.status().reason).toContain('(2 of 2 answers reached it)')
  })

  it('asks nobody twice about the same addresses', async () => {
    const { r, components } = reachability(false, [PUBLIC])
    const peers = threePublicPeers(components)
    await started(r)
    await settle()
    for (let i = 0; i < 5; i++) r.evaluate()
    components.update([ma(PUBLIC)])
    await settle()
    expect(peers.map(p => p.asked.length)).toEqual([1, 1, 1])
  })
})

describe('Reachability: onChange', () => {
  it('fires once per change, not on every evaluation, and stops after unsubscribing', async () => {
    const { r, components, changes } = reachability(true, [PRIVATE])
    await started(r)
    for (let i = 0; i < 5; i++) r.evaluate()
    components.update([ma(PRIVATE)])
    components.update([ma(PRIVATE)])
    expect(changes.map(s => s.state)).toEqual(['direct'])
    components.update([])
    expect(changes.map(s => s.state)).toEqual(['direct', 'checking'])
    r.evaluate()
    expect(changes).toHaveLength(2)
    const seen: ReachabilityStatus[] = []
    const unsubscribe = r.onChange(s => { seen.push(s) })
    components.update([ma(PRIVATE)])
    unsubscribe()
    components.update([])
    expect(seen.map(s => s.state)).toEqual(['direct'])
    expect(changes.map(s => s.state)).toEqual(['direct', 'checking', 'direct', 'checking'])
  })

  it('stops listening for address updates on stop', async () => {
    const { r, components, changes } = reachability(true, [PRIVATE])
    await started(r)
    await r.stop()
    components.update([])
    expect(changes.map(s => s.state)).toEqual(['direct'])
  })
})
