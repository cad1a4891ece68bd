/**
 * "Can you dial me here?" — both sides of the grid's reachability check. The asker sends the
 * addresses it believes public; the answering peer dials those at the IP the request came from
 * on a new connection, closes it again and says whether it reached the asker. One answer is one
 * peer's word: `Reachability` decides only on a majority of answers.
 *
 * The grid's own protocol rather than libp2p's AutoNAT v2 because AutoNAT refuses, on both
 * sides, every address in a private range, and a grid whose public side is an organisation's
 * 10.0.0.0/8 WAN (`publicRanges`) must verify exactly those.
 */
import { RateLimiter, pbStream } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import { multiaddr } from '@multiformats/multiaddr'
import * as c from '../constants.js'
import { DialBackRequest, DialBackResponse, Status } from '../pb/grid.js'
import type { PublicRanges } from './public-ranges.js'
import type { AbortOptions, Connection, Logger, Stream } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface DialBackComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
}

export interface DialBackInit {
  network: string
  ranges: PublicRanges
  log: Logger
  /** Test-only fault: answer "not reached" without dialling, as a lying or broken peer would. */
  lie?: boolean
}

export interface DialBackAnswer {
  reached: boolean
  addr?: Multiaddr
  message: string
}

export class DialBack {
  private readonly components: DialBackComponents
  private readonly init: DialBackInit
  private readonly protocol: string
  private readonly limiter = new RateLimiter({ points: c.DIAL_BACK_RATE.points, duration: c.DIAL_BACK_RATE.durationS })

  constructor (components: DialBackComponents, init: DialBackInit) {
    this.components = components
    this.init = init
    this.protocol = c.dialBackProtocol(init.network)
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(this.protocol, (stream, connection) => {
      void this.answer(stream, connection)
    }, { maxInboundStreams: 2, maxOutboundStreams: 2 })
  }

  async stop (): Promise<void> {
    await this.components.registrar.unhandle(this.protocol)
  }

  /** Asks the peer at the other end of `connection` to dial `addrs`; throws when it does not answer. */
  async ask (connection: Connection, addrs: Multiaddr[], options: AbortOptions = {}): Promise<DialBackAnswer> {
    const signal = anySignal([options.signal, AbortSignal.timeout(c.DIAL_BACK_TIMEOUT)])
    let stream: Stream | undefined
    try {
      stream = await connection.newStream(this.protocol, { signal })
      const pb = pbStream(stream, { maxDataLength: c.DIAL_BACK_MAX_MESSAGE_BYTES })
      await pb.write({ addrs: addrs.slice(0, c.DIAL_BACK_MAX_ADDRS).map(a => a.bytes) }, DialBackRequest, { signal })
      const response = await pb.read(DialBackResponse, { signal })
      await stream.close({ signal })
      if (response.status !== Status.OK) throw new Error(`peer refused to dial back: ${response.message}`)
      return {
        reached: response.reached,
        ...(response.addr.byteLength > 0 ? { addr: multiaddr(response.addr) } : {}),
        message: response.message
      }
    } catch (err) {
      stream?.abort(err as Error)
      throw err
    } finally {
      signal.clear()
    }
  }

  private async answer (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(c.DIAL_BACK_TIMEOUT)
    const pb = pbStream(stream, { maxDataLength: c.DIAL_BACK_MAX_MESSAGE_BYTES })
    try {
      const request = await pb.read(DialBackRequest, { signal })
      const response = await this.respond(request, connection, signal)
      await pb.write(response, DialBackResponse, { signal })
      await stream.close({ signal })
    } catch (err) {
      this.init.log('dial-back request from %p failed - %e', connection.remotePeer, err)
      stream.abort(err as Error)
    }
  }

  private async respond (request: DialBackRequest, connection: Connection, signal: AbortSignal): Promise<DialBackResponse> {
    const refuse = (status: Status, message: string): DialBackResponse => ({ status, reached: false, addr: new Uint8Array(), message })
    if (connection.limits != null || connection.remoteAddr.getComponents().some(x => x.name === 'p2p-circuit')) {
      return refuse(Status.BAD_REQUEST, 'ask over a direct connection: a relayed one shows the relay\'s address, not yours')
    }
    try {
      this.limiter.consume('all')
    } catch {
      return refuse(Status.BUSY, 'too many dial-back requests here right now; ask another peer')
    }
    const from = hostOf(connection.remoteAddr)
    if (from == null) return { status: Status.OK, reached: false, addr: new Uint8Array(), message: 'ask over a connection with an IP address: only addresses at your IP are dialled' }
    const candidates = request.addrs.slice(0, c.DIAL_BACK_MAX_ADDRS).flatMap(bytes => {
      try { return [multiaddr(bytes)] } catch { return [] }
    }).filter(a => hostOf(a) === from && a.getComponents().every(x => x.name !== 'p2p-circuit'))
    const first = candidates[0]
    if (first == null) return { status: Status.OK, reached: false, addr: new Uint8Array(), message: `no address at ${from}, the address your request came from` }
    if (this.init.lie === true) return { status: Status.OK, reached: false, addr: first.bytes, message: 'dial failed' }
    // each address in turn until one reaches the asker: one closed listener must not make it look unreachable
    let last = ''
    for (const target of candidates) {
      const withPeer = target.getComponents().some(x => x.name === 'p2p') ? target : target.encapsulate(`/p2p/${connection.remotePeer.toString()}`)
      try {
        const back = await this.components.connectionManager.openConnection(withPeer, { signal, force: true })
        const reached = back.remotePeer.equals(connection.remotePeer)
        await back.close().catch(() => {})
        if (reached) return { status: Status.OK, reached, addr: target.bytes, message: 'reached' }
        last = 'another peer answered there'
      } catch (err: any) {
        last = `dial failed: ${String(err?.message ?? err).slice(0, 200)}`
      }
      if (signal.aborted) break
    }
    return { status: Status.OK, reached: false, addr: first.bytes, message: last }
  }
}

function hostOf (addr: Multiaddr): string | undefined {
  const first = addr.getComponents()[0]
  return first?.name === 'ip4' || first?.name === 'ip6' ? first.value : undefined
}
