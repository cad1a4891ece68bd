/**
 * Which addresses the DHT keeps: the one decision between "a grid on one host or one LAN",
 * where private and loopback addresses are the only ones there are, and "a grid on public
 * addresses", whose DHT must never spread them (a 10.x or 127.x address means another machine,
 * or nothing, to whoever dials it).
 *
 * `lan: 'auto'` (the default) decides from what the node sees: its own addresses (listeners
 * resolved to interface addresses), its bootstrap addresses and the grid peers it has reached.
 * All private or loopback: a single-host or LAN grid, and the DHT keeps private addresses. One
 * of them public: a public grid, and private addresses are stripped, as kad-dht does by
 * default, for good (a node does not flip back while it runs). `lan: true` and `lan: false`
 * force one side.
 *
 * One kad-dht with a mapper that follows this decision, rather than Helia's two DHTs (a LAN one
 * and a WAN one): one routing table and one set of provider records is all a grid needs, and
 * both DHTs would have to be queried and provided to on every search and announce.
 */
import { PublicRanges } from './public-ranges.js'
import type { Connection, IdentifyResult, Libp2pEvents, PeerInfo, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** `true`: keep private addresses; `false`: strip them; `'auto'`: decide from what the node sees. */
export type LanSetting = boolean | 'auto'

/** What the DHT does now: `lan` keeps private and loopback addresses, `public` strips them. */
export type AddressMode = 'lan' | 'public'

export type AddressScope = 'loopback' | 'private' | 'public'

export interface AddressPolicyStatus {
  /** What was asked for: `lan: true` / `--lan`, `lan: false` / `--public-only`, or the default. */
  setting: LanSetting
  mode: AddressMode
  /** What decided the mode, for a person. */
  reason: string
}

/** Announced addresses that the peers of this node cannot use: nobody can dial it from them. */
export interface AddressWarning {
  code: 'private-only' | 'loopback-only'
  message: string
}

/**
 * Where an address leads: its first host, for a relayed address the relay's. Undefined: no IP
 * or DNS host. `ranges` says which IP ranges count as public (the internet's by default).
 */
export function addressScope (addr: Multiaddr, ranges: PublicRanges = PublicRanges.internet): AddressScope | undefined {
  const host = addr.getComponents()[0]
  if (host == null || host.value == null) return undefined
  if (host.name.startsWith('dns')) return host.value === 'localhost' ? 'loopback' : 'public'
  if (host.name !== 'ip4' && host.name !== 'ip6') return undefined
  return ranges.scopeOf(host.value)
}

export interface PolicyFacts {
  /** This node's own addresses, listeners resolved to interface addresses. */
  ownAddrs: Multiaddr[]
  bootstrap: Multiaddr[]
  /** The first grid peer reached over a public address, if any. */
  publicPeer?: { peerId: string, addr: Multiaddr }
  /** Which IP ranges count as public. @default the internet's */
  ranges?: PublicRanges
}

/** The mode a setting gives, with the facts that decided it. */
export function decideMode (setting: LanSetting, facts: PolicyFacts): AddressPolicyStatus {
  if (setting === true) return { setting, mode: 'lan', reason: 'asked for with --lan (lan: true)' }
  if (setting === false) return { setting, mode: 'public', reason: 'asked for with --public-only (lan: false)' }
  const own = facts.ownAddrs.find(a => addressScope(a, facts.ranges) === 'public')
  if (own != null) return { setting, mode: 'public', reason: `this node has a public address (${own.toString()})` }
  const boot = facts.bootstrap.find(a => addressScope(a, facts.ranges) === 'public')
  if (boot != null) return { setting, mode: 'public', reason: `a bootstrap address is public (${boot.toString()})` }
  if (facts.publicPeer != null) {
    return { setting, mode: 'public', reason: `peer ${facts.publicPeer.peerId} was reached on a public address (${facts.publicPeer.addr.toString()})` }
  }
  return { setting, mode: 'lan', reason: 'every address of this node, its bootstrap list and its peers is private or loopback (one host or one LAN)' }
}

/**
 * What is wrong with the addresses this node announces, if anything: in public mode, none of
 * them public (peers strip every one, so its DHT records carry nothing to dial); or only
 * loopback ones while it is connected to a peer at a LAN or public address, which from another
 * machine cannot dial 127.0.0.1 back.
 */
export function addressWarning (mode: AddressMode, ownAddrs: Multiaddr[], connections: Array<Pick<Connection, 'remoteAddr' | 'remotePeer'>>, ranges: PublicRanges = PublicRanges.internet): AddressWarning | undefined {
  const scopes = ownAddrs.map(a => addressScope(a, ranges)).filter(s => s != null)
  if (scopes.length === 0) return undefined
  const listed = ownAddrs.slice(0, 3).map(a => a.toString().replace(/\/p2p\/[^/]+$/, '')).join(', ') + (ownAddrs.length > 3 ? ', …' : '')
  if (mode === 'public' && !scopes.includes('public')) {
    return {
      code: 'private-only',
      message: `every address this node announces is private or loopback (${listed}), but it shares public addresses only: nodes that do the same (this one included) drop such addresses, so through them nobody can dial this node or find its datasets. On one host or one LAN, leave the default or use --lan (lan: true); on the internet this node needs a public address`
    }
  }
  if (scopes.every(s => s === 'loopback')) {
    const remote = connections.find(c => { const s = addressScope(c.remoteAddr, ranges); return s != null && s !== 'loopback' })
    if (remote != null) {
      return {
        code: 'loopback-only',
        message: `this node announces only loopback addresses (${listed}), but it reached peer ${remote.remotePeer.toString()} at ${remote.remoteAddr.toString()}: from another machine, that peer and its DHT neighbours cannot dial this node back. Listen on 0.0.0.0 or a LAN address (--listen /ip4/0.0.0.0/tcp/7400)`
      }
    }
  }
  return undefined
}

/** The parts of libp2p the policy watches. */
export interface AddressPolicyComponents {
  getMultiaddrs(): Multiaddr[]
  getConnections(): Connection[]
  addEventListener: TypedEventTarget<Libp2pEvents>['addEventListener']
  removeEventListener: TypedEventTarget<Libp2pEvents>['removeEventListener']
}

export interface AddressPolicyInit {
  lan: LanSetting
  bootstrap: Multiaddr[]
  /** The grid's DHT protocol: only peers that speak it count as the grid's peers. */
  kadProtocol: string
  /** Which IP ranges count as public. @default the internet's */
  ranges?: PublicRanges
}

/**
 * The policy of one node. Built before libp2p (kad-dht takes `peerInfoMapper` when it is
 * created), watching libp2p from `start()`.
 */
export class AddressPolicy {
  private readonly init: AddressPolicyInit
  private components?: AddressPolicyComponents
  private ownAddrs: Multiaddr[] = []
  private publicPeer?: { peerId: string, addr: Multiaddr }
  private decided: AddressPolicyStatus

  readonly ranges: PublicRanges

  constructor (init: AddressPolicyInit) {
    this.init = init
    this.ranges = init.ranges ?? PublicRanges.internet
    this.decided = decideMode(init.lan, { ownAddrs: [], bootstrap: init.bootstrap, ranges: this.ranges })
  }

  /** The grid's DHT protocol. */
  get kadProtocol (): string { return this.init.kadProtocol }

  /**
   * kad-dht's `peerInfoMapper`: every peer it stores or hands out passes through it. In public
   * mode only public addresses (by this grid's ranges; a relayed address by its relay's) pass.
   */
  readonly peerInfoMapper = (peer: PeerInfo): PeerInfo => {
    if (this.decided.mode === 'lan') return peer
    return { ...peer, multiaddrs: peer.multiaddrs.filter(a => { const s = addressScope(a, this.ranges); return s !== 'private' && s !== 'loopback' }) }
  }

  /** Whether an address leads to the grid's public side. */
  isPublic (addr: Multiaddr): boolean {
    return addressScope(addr, this.ranges) === 'public'
  }

  /** Call it before libp2p starts, so no grid peer goes unseen; then `update()` once it listens. */
  start (components: AddressPolicyComponents): void {
    this.components = components
    components.addEventListener('self:peer:update', this.update)
    components.addEventListener('peer:identify', this.onIdentify)
    this.update()
  }

  stop (): void {
    this.components?.removeEventListener('self:peer:update', this.update)
    this.components?.removeEventListener('peer:identify', this.onIdentify)
  }

  status (): AddressPolicyStatus { return this.decided }

  warning (): AddressWarning | undefined {
    if (this.components == null) return undefined
    return addressWarning(this.decided.mode, this.components.getMultiaddrs(), this.components.getConnections(), this.ranges)
  }

  /** Reads this node's own addresses again: they change when a listener starts or a relay reservation comes or goes. */
  readonly update = (): void => {
    this.ownAddrs = this.components?.getMultiaddrs() ?? []
    this.decide()
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { connection, protocols, peerId } = event.detail
    if (this.publicPeer != null || !protocols.includes(this.init.kadProtocol)) return
    if (!this.isPublic(connection.remoteAddr)) return
    this.publicPeer = { peerId: peerId.toString(), addr: connection.remoteAddr }
    this.decide()
  }

  /** Once public, public for good: a node does not start spreading private addresses again. */
  private decide (): void {
    if (this.init.lan === 'auto' && this.decided.mode === 'public') return
    this.decided = decideMode(this.init.lan, {
      ownAddrs: this.ownAddrs,
      bootstrap: this.init.bootstrap,
      ranges: this.ranges,
      ...(this.publicPeer != null ? { publicPeer: this.publicPeer } : {})
    })
  }
}
