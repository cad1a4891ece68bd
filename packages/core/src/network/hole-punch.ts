/**
 * A direct connection to a peer first met over a relay: hole punching in the way of libp2p's
 * DCUtR (exchange addresses over the relayed connection, measure its round trip, then both
 * sides dial at once), with the two things js-libp2p's DCUtR cannot do over TCP:
 *
 * - Each side predicts its NAT's mapping of a fresh local port (its observed public IP, that
 *   port) and dials the other's prediction from that very port. Two NATs that map a port the
 *   same way whatever the destination (endpoint-independent mapping) then each see an outbound
 *   SYN before the other's arrives, and the two SYNs become one connection (TCP simultaneous
 *   open). DCUtR dials from an ephemeral port, so its SYN meets a NAT with no mapping for it.
 * - Which addresses count as public follows the grid's `publicRanges`, not libp2p's fixed list.
 *
 * Listeners are exchanged too: a public peer's is dialled outright (a connection reversal) and a
 * peer on the same LAN is reached at its private address. A symmetric NAT maps every
 * destination to a new port, so the prediction fails and the relay keeps carrying the traffic.
 *
 * Browser tabs take part with what a page can do: a tab has no listener and no TCP, but it
 * dials the WebSocket listeners a Node.js peer offers (a Node peer asking over the relay then
 * waits for the tab's connection, rather than dialling), and two tabs that both listen on
 * `/webrtc` upgrade to a WebRTC connection, signalled over the relayed one.
 */
import { RateLimiter, pbStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import * as c from '../constants.js'
import { PunchMessage } from '../pb/grid.js'
import { freeLocalPort } from '#platform'
import { addressScope } from './address-policy.js'
import type { AddressPolicy } from './address-policy.js'
import type { AbortOptions, Connection, DialTransportOptions, IdentifyResult, Logger, MultiaddrConnection, PeerId, Stream, Upgrader, UpgraderOptions } from '@libp2p/interface'
import type { NetworkServiceComponents } from './service-components.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export type HolePunchComponents = NetworkServiceComponents

export interface HolePunchInit {
  network: string
  policy: AddressPolicy
}

/**
 * What one side offers: its listeners, and its NAT's predicted mapping of `localPort`; or, with
 * nothing to offer, that it dials the other's listeners.
 */
interface Offer {
  addrs: Multiaddr[]
  predicted?: Multiaddr
  localPort?: number
  dialsBack?: boolean
}

export class HolePunch {
  private readonly components: HolePunchComponents
  private readonly init: HolePunchInit
  private readonly protocol: string
  private readonly log: Logger
  /** Public IPs peers saw this node's connections come from, newest last: its NAT's address. */
  private readonly observed: string[] = []
  private readonly inFlight = new Map<string, Promise<Connection | undefined>>()
  /** Connections made by punching: their remote address is a NAT's mapping, not a peer's listener. */
  private readonly punchedConnections = new WeakSet<Connection>()
  /** Peers a punch failed to, and when: not tried again for a while (a symmetric NAT stays one). */
  private readonly failed = new Map<string, number>()
  /** Punches answered, in all: each makes this node dial addresses a peer named. */
  private readonly answers = new RateLimiter({ points: c.PUNCH_ANSWER_RATE.points, duration: c.PUNCH_ANSWER_RATE.durationS })

  constructor (components: HolePunchComponents, init: HolePunchInit) {
    this.components = components
    this.init = init
    this.protocol = c.punchProtocol(init.network)
    this.log = components.logger.forComponent('grid:punch')
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(this.protocol, (stream, connection) => {
      void this.answer(stream, connection)
    }, { maxInboundStreams: 2, maxOutboundStreams: 2, runOnLimitedConnection: true })
    this.components.events.addEventListener('peer:identify', this.onIdentify)
  }

  async stop (): Promise<void> {
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    await this.components.registrar.unhandle(this.protocol)
  }

  /**
   * A direct connection to `peer`: one that exists, or one punched through the relayed
   * connection to it. Undefined when there is no connection at all or punching failed (the relay
   * then carries the traffic). Concurrent callers share one attempt.
   */
  async direct (peer: PeerId, options: AbortOptions = {}): Promise<Connection | undefined> {
    const conns = this.components.connectionManager.getConnections(peer).filter(conn => conn.status === 'open')
    const direct = conns.find(conn => conn.direct)
    if (direct != null) return direct
    const relayed = conns.find(conn => !conn.direct)
    if (relayed == null) return undefined
    const key = peer.toString()
    const failedAt = this.failed.get(key)
    if (failedAt != null && Date.now() - failedAt < c.PUNCH_RETRY_AFTER) return undefined
    let attempt = this.inFlight.get(key)
    if (attempt == null) {
      attempt = this.upgrade(relayed).then(conn => {
        this.remember(key, conn)
        return conn
      }).finally(() => { this.inFlight.delete(key) })
      this.inFlight.set(key, attempt)
    }
    if (options.signal == null) return attempt
    return Promise.race([attempt, new Promise<undefined>(resolve => { options.signal?.addEventListener('abort', () => { resolve(undefined) }, { once: true }) })])
  }

  /** A failure is kept (at most PUNCH_FAILURES_KEPT peers, the oldest dropped first); a success forgets it. */
  private remember (key: string, conn: Connection | undefined): void {
    this.failed.delete(key)
    if (conn != null) return
    this.failed.set(key, Date.now())
    if (this.failed.size > c.PUNCH_FAILURES_KEPT) this.failed.delete(this.failed.keys().next().value as string)
  }

  /** Whether this connection was made by a hole punch. */
  isPunched (conn: Connection): boolean {
    return this.punchedConnections.has(conn)
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { connection, observedAddr } = event.detail
    if (observedAddr == null || !connection.direct || !this.init.policy.isPublic(connection.remoteAddr)) return
    const ip = observedAddr.getComponents()[0]
    if (ip?.name !== 'ip4' || ip.value == null || !this.init.policy.isPublic(observedAddr)) return
    this.observed.push(ip.value)
    if (this.observed.length > 8) this.observed.shift()
  }

  /** WebRTC when this node can (a tab), then the punch exchange. */
  private async upgrade (relayed: Connection): Promise<Connection | undefined> {
    const webrtc = await this.webrtcAddresses(relayed)
    if (webrtc.length > 0) {
      try {
        const conn = await this.components.connectionManager.openConnection(webrtc, { signal: AbortSignal.timeout(c.WEBRTC_UPGRADE_TIMEOUT) })
        this.log('WebRTC connection to %p', relayed.remotePeer)
        return conn
      } catch (err) {
        // a peer without WebRTC (a Node.js peer behind NAT) refuses the signalling stream at once
        this.log('WebRTC connection to %p failed - %e', relayed.remotePeer, err)
      }
    }
    return this.punch(relayed)
  }

  /**
   * Where to reach the peer over WebRTC when this node can dial it (a tab): its `/webrtc`
   * addresses, or, before identify has told them, the relayed connection's own address with
   * `/webrtc` — the peer it leads to is asked over the relay either way. None on Node.js.
   */
  private async webrtcAddresses (relayed: Connection): Promise<Multiaddr[]> {
    const peer = relayed.remotePeer
    const viaRelay = withPeerId(relayed.remoteAddr.decapsulateCode(421).encapsulate('/webrtc'), peer)
    if (this.components.transportManager.dialTransportForMultiaddr(viaRelay) == null) return []
    const known = await this.components.peerStore.get(peer).then(p => p.addresses.map(a => a.multiaddr), () => [])
    const webrtc = known.filter(a => a.getComponents().some(part => part.name === 'webrtc')).slice(0, c.PUNCH_MAX_ADDRS).map(a => withPeerId(a, peer))
    return webrtc.length > 0 ? webrtc : [viaRelay]
  }

  /** As the side that wants the direct path: CONNECT, read theirs, SYNC, wait half a round trip, dial. */
  private async punch (relayed: Connection): Promise<Connection | undefined> {
    for (let attempt = 1; attempt <= c.PUNCH_ATTEMPTS; attempt++) {
      const signal = AbortSignal.timeout(c.PUNCH_TIMEOUT)
      let stream: Stream | undefined
      try {
        stream = await relayed.newStream(this.protocol, { signal, runOnLimitedConnection: true })
        const pb = pbStream(stream, { maxDataLength: c.PUNCH_MAX_MESSAGE_BYTES })
        const mine = await this.offer(relayed)
        const sent = performance.now()
        await pb.write(toMessage(PunchMessage.Type.CONNECT, mine), PunchMessage, { signal })
        const theirs = fromMessage(await pb.read(PunchMessage, { signal }))
        const rtt = performance.now() - sent
        // a peer with nothing to offer (a tab) that can dial us: wait for its connection, no second attempt
        const dialledBack = theirs.dialsBack ? this.inboundDirect(relayed.remotePeer, signal) : undefined
        await pb.write({ type: PunchMessage.Type.SYNC, addrs: [], predicted: new Uint8Array(), dialsBack: false }, PunchMessage, { signal })
        await stream.close({ signal }).catch(() => {})
        if (dialledBack != null) {
          const conn = await dialledBack
          this.log('%s from %p after asking over the relay', conn != null ? 'direct connection' : 'no connection', relayed.remotePeer)
          return conn
        }
        await new Promise(resolve => setTimeout(resolve, rtt / 2))
        const conn = await this.dialAll(relayed.remotePeer, mine, theirs, true, signal)
        if (conn != null) {
          this.log('direct connection to %p at %a (attempt %d)', relayed.remotePeer, conn.remoteAddr, attempt)
          return conn
        }
      } catch (err) {
        stream?.abort(err as Error)
        this.log('hole punch to %p, attempt %d, failed - %e', relayed.remotePeer, attempt, err)
      }
    }
    return undefined
  }

  /** As the other side: read CONNECT, answer with our offer, dial the moment SYNC arrives. */
  private async answer (stream: Stream, relayed: Connection): Promise<void> {
    const signal = AbortSignal.timeout(c.PUNCH_TIMEOUT)
    try {
      // a punch makes this node dial what a peer named: only over a relay, and only so often
      if (relayed.direct) throw new Error('a punch is asked over a relayed connection')
      this.answers.consume('all')
      const pb = pbStream(stream, { maxDataLength: c.PUNCH_MAX_MESSAGE_BYTES })
      const connect = await pb.read(PunchMessage, { signal })
      if (connect.type !== PunchMessage.Type.CONNECT) throw new Error('expected CONNECT')
      const theirs = fromMessage(connect)
      const mine = await this.offer(relayed)
      mine.dialsBack = mine.addrs.length === 0 && mine.predicted == null && (await this.reachable(theirs.addrs)).length > 0
      await pb.write(toMessage(PunchMessage.Type.CONNECT, mine), PunchMessage, { signal })
      const sync = await pb.read(PunchMessage, { signal })
      if (sync.type !== PunchMessage.Type.SYNC) throw new Error('expected SYNC')
      await stream.close({ signal }).catch(() => {})
      const conn = await this.dialAll(relayed.remotePeer, mine, theirs, false, signal)
      if (conn != null) this.log('direct connection from %p at %a', relayed.remotePeer, conn.remoteAddr)
    } catch (err) {
      stream.abort(err as Error)
      this.log('hole punch from %p failed - %e', relayed.remotePeer, err)
    }
  }

  /**
   * Dials every address of theirs at once; the first connection wins. Their prediction is
   * dialled from our own predicted port, and only the side that opened the punch stream acts as
   * the initiator on it: a simultaneous open is one TCP connection that both sides dialled.
   */
  private async dialAll (peer: PeerId, mine: Offer, theirs: Offer, initiator: boolean, signal: AbortSignal): Promise<Connection | undefined> {
    // one controller per dial, never aborted once its dial won: libp2p's TCP transport hands the
    // signal to the socket itself, which an abort would destroy after the connection was made
    const dials: Array<{ controller: AbortController, dial: Promise<Connection> }> = []
    const start = (dial: (signal: AbortSignal) => Promise<Connection>): void => {
      const controller = new AbortController()
      dials.push({ controller, dial: dial(controller.signal) })
    }
    for (const a of await this.reachable(theirs.addrs)) start(async s => this.components.connectionManager.openConnection(withPeerId(a, peer), { signal: s, force: true }))
    const transport = theirs.predicted != null ? this.components.transportManager.dialTransportForMultiaddr(theirs.predicted) : undefined
    if (theirs.predicted != null && mine.localPort != null && transport != null) {
      const predicted = withPeerId(theirs.predicted, peer)
      const upgrader = initiator ? this.components.upgrader : asResponder(this.components.upgrader)
      start(async s => transport.dial(predicted, { signal: s, localPort: mine.localPort, upgrader } as unknown as DialTransportOptions))
    }
    if (dials.length === 0) return undefined
    const giveUp = (): void => { for (const d of dials) d.controller.abort(new Error('the hole punch timed out')) }
    signal.addEventListener('abort', giveUp, { once: true })
    try {
      const winner = await Promise.any(dials.map(async (d, i) => ({ conn: await d.dial, i })))
      signal.removeEventListener('abort', giveUp)
      this.punchedConnections.add(winner.conn)
      dials.forEach((d, i) => { if (i !== winner.i) d.controller.abort(new Error('another path won')) })
      return winner.conn
    } catch {
      return undefined
    } finally {
      signal.removeEventListener('abort', giveUp)
    }
  }

  /**
   * Their listeners this node has a transport for and its connection gater allows (a tab's
   * refuses plain `ws` and private hosts unless the page chose `lan: true`): plain TCP where it
   * can, WebSockets otherwise (a tab).
   */
  private async reachable (addrs: Multiaddr[]): Promise<Multiaddr[]> {
    const gater = this.components.connectionGater
    const allowed = await Promise.all(addrs.map(async a => this.components.transportManager.dialTransportForMultiaddr(a) != null && !(await gater?.denyDialMultiaddr?.(a) ?? false)))
    const dialable = addrs.filter((_, i) => allowed[i])
    const tcp = dialable.filter(a => a.getComponents().length === 2)
    return tcp.length > 0 ? tcp : dialable
  }

  /**
   * The first direct connection from `peer` that opens before `signal` ends (one that is open
   * already counts): the peer dialling us back.
   */
  private async inboundDirect (peer: PeerId, signal: AbortSignal): Promise<Connection | undefined> {
    return new Promise(resolve => {
      const done = (conn: Connection | undefined): void => {
        this.components.events.removeEventListener('connection:open', onOpen)
        signal.removeEventListener('abort', onAbort)
        resolve(conn)
      }
      const onOpen = (event: CustomEvent<Connection>): void => { if (event.detail.remotePeer.equals(peer) && event.detail.direct) done(event.detail) }
      const onAbort = (): void => { done(undefined) }
      this.components.events.addEventListener('connection:open', onOpen)
      signal.addEventListener('abort', onAbort, { once: true })
      const already = this.components.connectionManager.getConnections(peer).find(conn => conn.direct && conn.status === 'open')
      if (already != null) done(already)
    })
  }

  /**
   * Our listeners that another machine could dial — TCP, and WebSockets for tabs — and our
   * NAT's mapping of a fresh port. Loopback listeners only to a peer met through a relay on
   * this very host.
   */
  private async offer (relayed: Connection): Promise<Offer> {
    const sameHost = addressScope(relayed.remoteAddr) === 'loopback'
    const addrs = this.components.addressManager.getAddresses()
      .map(a => a.decapsulateCode(421))
      .filter(a => isDialable(a) && (sameHost || addressScope(a) !== 'loopback'))
      .slice(0, c.PUNCH_MAX_ADDRS)
    const ip = this.natAddress()
    if (ip == null || addrs.some(a => a.getComponents()[0]?.value === ip)) return { addrs }
    const localPort = await freeLocalPort()
    if (localPort == null) return { addrs }
    return { addrs, predicted: multiaddr(`/ip4/${ip}/tcp/${localPort}`), localPort }
  }

  /** The public IP most peers saw us at, if any. */
  private natAddress (): string | undefined {
    const counts = new Map<string, number>()
    for (const ip of this.observed) counts.set(ip, (counts.get(ip) ?? 0) + 1)
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0]
  }
}

/**
 * The upgrader as the side that did not open the punch stream uses it: both sides dialled the
 * one TCP connection, and this side must act as the one that answered it — multistream
 * listener, Noise responder and yamux server — or both would be clients.
 */
function asResponder (upgrader: Upgrader): Upgrader {
  return new Proxy(upgrader, {
    get (target, prop) {
      if (prop === 'upgradeOutbound') {
        return async (maConn: MultiaddrConnection, options: UpgraderOptions) => {
          maConn.direction = 'inbound'
          return target.upgradeOutbound(maConn, { ...options, initiator: false } as UpgraderOptions)
        }
      }
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** The address with `/p2p/<peer>` at its end, unless it ends in a peer ID already. */
function withPeerId (a: Multiaddr, peer: PeerId): Multiaddr {
  return a.getComponents().at(-1)?.name === 'p2p' ? a : a.encapsulate(`/p2p/${peer.toString()}`)
}

function toMessage (type: PunchMessage.Type, offer: Offer): PunchMessage {
  return { type, addrs: offer.addrs.map(a => a.bytes), predicted: offer.predicted?.bytes ?? new Uint8Array(), dialsBack: offer.dialsBack === true }
}

/**
 * `/ip4|ip6/…/tcp/…`, optionally with `/ws`, `/tls/ws` or `/wss` after it: a listener reached
 * without resolving a name, neither relayed nor anything else.
 */
function isDialable (a: Multiaddr): boolean {
  const names = a.getComponents().map(part => part.name)
  if ((names[0] !== 'ip4' && names[0] !== 'ip6') || names[1] !== 'tcp') return false
  const rest = names.slice(2).join('/')
  return rest === '' || rest === 'ws' || rest === 'tls/ws' || rest === 'wss'
}

/** Only listener addresses (see isDialable), at most 8; the prediction plain TCP only. */
function fromMessage (message: PunchMessage): Offer {
  const parse = (bytes: Uint8Array, tcpOnly = false): Multiaddr | undefined => {
    try {
      const a = multiaddr(bytes)
      return isDialable(a) && (!tcpOnly || a.getComponents().length === 2) ? a : undefined
    } catch {
      return undefined
    }
  }
  const addrs = message.addrs.slice(0, c.PUNCH_MAX_ADDRS).map(b => parse(b)).filter(a => a != null)
  const predicted = message.predicted.byteLength > 0 ? parse(message.predicted, true) : undefined
  // a peer that offers listeners dials as usual; only one with none waits to be dialled back
  const dialsBack = message.dialsBack && addrs.length === 0 && predicted == null
  return { addrs, ...(predicted != null ? { predicted } : {}), ...(dialsBack ? { dialsBack } : {}) }
}
