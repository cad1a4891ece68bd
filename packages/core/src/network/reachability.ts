/**
 * Whether peers can dial this node, and what it does about it when they cannot.
 *
 * - On one host or one LAN (the address policy's `lan` mode) peers dial its own addresses: direct.
 * - In a public grid, a node with a public address (by the grid's `publicRanges`) asks 3 peers
 *   to dial it back; 2 agreeing answers decide, so one lying or broken peer cannot. Until then
 *   it serves as a public node would (a lone bootstrap node has nobody to ask yet).
 * - A node with no public address is behind NAT, and one that a majority could not dial is
 *   behind a firewall: it reserves slots on 2 relays on the grid's public side (its relayed
 *   addresses then go into its DHT records) and only queries the DHT, never serves it.
 *
 * Every change is one `onChange` call with the new status, for the console, `status` and the
 * DHT's mode.
 */
import { multiaddr } from '@multiformats/multiaddr'
import * as c from '../constants.js'
import { lanDiscovery } from '#platform'
import { DialBack } from './dial-back.js'
import type { DialBackAnswer } from './dial-back.js'
import { addressScope } from './address-policy.js'
import type { AddressPolicy } from './address-policy.js'
import type { Connection, IdentifyResult, Logger, PeerDiscovery, PeerInfo, Startable } from '@libp2p/interface'
import type { NetworkServiceComponents } from './service-components.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export type ReachabilityState = 'direct' | 'relayed' | 'unreachable' | 'checking'

export interface ReachabilityStatus {
  /**
   * `direct`: peers dial this node's own addresses. `relayed`: through its relays only.
   * `unreachable`: nobody can dial it now (`reason` says why). `checking`: it has a public
   * address and is asking peers to dial it.
   */
  state: ReachabilityState
  /** Peer IDs of the relays holding a reservation for this node. */
  relays: string[]
  /** Whether it serves the DHT (only a node that peers can dial directly does). */
  dhtServer: boolean
  /** For a person: what decided the state. */
  reason: string
}

export type ReachabilityComponents = NetworkServiceComponents

export interface ReachabilityInit {
  network: string
  policy: AddressPolicy
  /** A short-lived client (a one-off CLI search) never reserves relays nor serves the DHT. */
  client?: boolean
  /** It was asked to listen on addresses of its own (TCP, WebSockets), not only through relays. */
  listens: boolean
  /** Test-only fault: answer every dial-back request with "not reached". */
  lieOnDialBack?: boolean
}

interface Check {
  /** The addresses asked about, as one key: a new address set starts a new check. */
  key: string
  addrs: Multiaddr[]
  /** Peers asked in this check, answered or not: nobody is asked twice. */
  asked: Set<string>
  inFlight: number
  answers: Array<{ peer: string } & DialBackAnswer>
  verdict?: 'reachable' | 'unreachable'
  at: number
}

export class Reachability {
  private readonly components: ReachabilityComponents
  private readonly init: ReachabilityInit
  private readonly log: Logger
  private readonly dialBack: DialBack
  private readonly listeners = new Set<(status: ReachabilityStatus) => void>()
  private timer?: ReturnType<typeof setInterval>
  private check?: Check
  private relayListening = false
  private lan?: PeerDiscovery & Startable
  private current: ReachabilityStatus

  constructor (components: ReachabilityComponents, init: ReachabilityInit) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('grid:reachability')
    this.dialBack = new DialBack(components, { network: init.network, ranges: init.policy.ranges, log: this.log, ...(init.lieOnDialBack === true ? { lie: true } : {}) })
    this.current = { state: 'checking', relays: [], dhtServer: init.client !== true, reason: 'starting' }
  }

  async start (): Promise<void> {
    await this.dialBack.start()
  }

  /** Once the listeners are up: the first state, then re-derived on every change and every 2 s. */
  afterStart (): void {
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.events.addEventListener('self:peer:update', this.evaluate)
    this.timer = setInterval(this.evaluate, c.REACHABILITY_TICK)
    this.evaluate()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    if (this.lan != null) {
      this.lan.removeEventListener('peer', this.onLanPeer)
      await this.lan.stop()
    }
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.events.removeEventListener('self:peer:update', this.evaluate)
    await this.dialBack.stop()
  }

  status (): ReachabilityStatus { return this.current }

  /** Called with every new status; returns the unsubscribe. */
  onChange (listener: (status: ReachabilityStatus) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    if (event.detail.protocols.includes(c.dialBackProtocol(this.init.network))) this.askMore()
  }

  /** Derives the state from addresses, reservations and verdicts; calls the listeners on a change. */
  readonly evaluate = (): void => {
    const next = this.derive()
    const changed = next.state !== this.current.state || next.reason !== this.current.reason ||
      next.relays.join() !== this.current.relays.join() || next.dhtServer !== this.current.dhtServer
    this.current = next
    if (!changed) return
    this.log('%s - %s', next.state, next.reason)
    for (const listener of this.listeners) listener(next)
  }

  private derive (): ReachabilityStatus {
    const relays = this.relays()
    if (this.init.client === true) {
      return { state: 'unreachable', relays, dhtServer: false, reason: 'a short-lived client: it only dials out' }
    }
    const own = this.directAddrs()
    if (own.length === 0 && this.init.listens) {
      return { state: 'checking', relays, dhtServer: this.current.dhtServer, reason: 'its listeners have no address yet' }
    }
    if (this.init.policy.status().mode === 'lan') {
      if (own.length === 0) return this.behindNat(relays, 'it cannot listen (a browser tab)')
      return { state: 'direct', relays, dhtServer: true, reason: 'a grid on one host or one LAN: peers dial this node\'s own addresses' }
    }
    const shown = own.find(a => this.init.policy.isPublic(a))
    if (shown != null) {
      const check = this.checkFor(own.filter(a => this.init.policy.isPublic(a)))
      if (check.verdict === 'reachable') {
        return { state: 'direct', relays, dhtServer: true, reason: `peers dialled ${shown.toString()} (${this.tally(check)})` }
      }
      if (check.verdict == null) {
        return { state: 'checking', relays, dhtServer: true, reason: `asking peers to dial ${shown.toString()} (${this.tally(check)}; ${c.DIAL_BACK_MAJORITY} agreeing answers decide)` }
      }
      return this.behindNat(relays, `a majority of peers could not dial ${shown.toString()} (${this.tally(check)}): a firewall or NAT is in the way`)
    }
    const listed = own.slice(0, 2).map(a => a.toString()).join(', ')
    return this.behindNat(relays, own.length === 0 ? 'it has no address of its own' : `every address of this node is private (${listed}): it is behind NAT`)
  }

  private behindNat (relays: string[], why: string): ReachabilityStatus {
    this.listenOnRelays()
    if (relays.length > 0) {
      return { state: 'relayed', relays, dhtServer: false, reason: `${why}; peers reach it through relay${relays.length > 1 ? 's' : ''} ${relays.join(' and ')}` }
    }
    const publicPeers = this.publicConnections().length
    const hint = publicPeers === 0
      ? 'no peer on the grid\'s public side is connected to offer a relay (check --bootstrap and that this node can dial out)'
      : `none of the ${publicPeers} connected public peer${publicPeers === 1 ? '' : 's'} holds a relay reservation for it yet (relays may be full or refusing)`
    return { state: 'unreachable', relays, dhtServer: false, reason: `${why}, and ${hint}` }
  }

  /**
   * Two `/p2p-circuit` listeners (the relay transport reserves a slot on one relay for each),
   * and multicast DNS on the LAN: peers behind the same NAT connect directly, and stay
   * connected when the link to the public side goes down.
   */
  private listenOnRelays (): void {
    if (this.relayListening) return
    this.relayListening = true
    this.startLanDiscovery()
    const already = this.components.transportManager.getListeners().some(l => l.getAddrs().some(a => a.toString().includes('/p2p-circuit')))
    if (already) return
    const wanted = Array.from({ length: c.RELAY_RESERVATIONS_WANTED }, () => multiaddr('/p2p-circuit'))
    this.components.transportManager.listen(wanted).catch(err => { this.log('could not listen on relays - %e', err) })
  }

  /** Only with an address on a LAN: a node on loopback alone has no neighbours to multicast to. */
  private startLanDiscovery (): void {
    if (!this.directAddrs().some(a => addressScope(a, this.init.policy.ranges) === 'private')) return
    const lan = lanDiscovery(this.init.network, this.components)
    if (lan == null) return
    this.lan = lan
    lan.addEventListener('peer', this.onLanPeer)
    Promise.resolve(lan.start()).catch(err => { this.log('no LAN discovery - %e', err) })
  }

  private readonly onLanPeer = (event: CustomEvent<PeerInfo>): void => {
    const { id, multiaddrs } = event.detail
    if (this.components.connectionManager.getConnections(id).some(conn => conn.direct)) return
    const local = multiaddrs.filter(a => a.getComponents()[0]?.name === 'ip4' && !a.toString().includes('/p2p-circuit'))
    if (local.length === 0) return
    this.components.connectionManager.openConnection(local.map(a => a.toString().includes('/p2p/') ? a : a.encapsulate(`/p2p/${id.toString()}`)), { force: true })
      .catch(err => { this.log('LAN peer %p not reached - %e', id, err) })
  }

  private relays (): string[] {
    const ids = new Set<string>()
    for (const addr of this.components.addressManager.getAddresses()) {
      const parts = addr.getComponents()
      const circuit = parts.findIndex(p => p.name === 'p2p-circuit')
      const relay = circuit > 0 ? parts[circuit - 1] : undefined
      if (relay?.name === 'p2p' && relay.value != null) ids.add(relay.value)
    }
    return [...ids].sort()
  }

  private directAddrs (): Multiaddr[] {
    return this.components.addressManager.getAddresses()
      .filter(a => !a.toString().includes('/p2p-circuit') && a.getComponents()[0]?.name?.startsWith('ip') === true)
      .map(a => a.decapsulateCode(421))
  }

  private publicConnections (): Connection[] {
    return this.components.connectionManager.getConnections().filter(conn => conn.direct && this.init.policy.isPublic(conn.remoteAddr))
  }

  /** The check for this address set: a new one when the addresses changed or the last verdict is old. */
  private checkFor (addrs: Multiaddr[]): Check {
    const key = addrs.map(a => a.toString()).sort().join(' ')
    const stale = this.check?.verdict != null && Date.now() - this.check.at > c.REACHABILITY_RECHECK
    if (this.check?.key !== key || stale) {
      this.check = { key, addrs, asked: new Set(), inFlight: 0, answers: [], at: Date.now() }
    }
    this.askMore()
    return this.check
  }

  /** Keeps up to 3 questions in flight to connected public peers, each asked once, until a verdict. */
  private askMore (): void {
    const check = this.check
    if (check == null || check.verdict != null) return
    for (const conn of this.publicConnections()) {
      if (check.inFlight >= c.DIAL_BACK_ASKED) return
      const peer = conn.remotePeer.toString()
      if (check.asked.has(peer)) continue
      check.asked.add(peer)
      check.inFlight++
      void this.ask(check, conn, peer)
    }
  }

  private async ask (check: Check, conn: Connection, peer: string): Promise<void> {
    try {
      const answer = await this.dialBack.ask(conn, check.addrs)
      check.answers.push({ peer, ...answer })
      this.log('%s says %s about %s: %s', peer, answer.reached ? 'reached' : 'not reached', answer.addr?.toString() ?? '-', answer.message)
    } catch (err) {
      // an answer that never came counts for neither side; the next peer is asked instead
      this.log('%s gave no dial-back answer - %e', peer, err)
    } finally {
      check.inFlight--
    }
    const reached = check.answers.filter(a => a.reached).length
    const missed = check.answers.length - reached
    if (check.verdict == null && reached >= c.DIAL_BACK_MAJORITY) check.verdict = 'reachable'
    if (check.verdict == null && missed >= c.DIAL_BACK_MAJORITY) check.verdict = 'unreachable'
    if (check.verdict != null) check.at = Date.now()
    queueMicrotask(() => { this.evaluate(); this.askMore() })
  }

  private tally (check: Check): string {
    const reached = check.answers.filter(a => a.reached).length
    return `${reached} of ${check.answers.length} answer${check.answers.length === 1 ? '' : 's'} reached it`
  }
}
