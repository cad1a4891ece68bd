/**
 * Indirect liveness probes, SWIM's ping-req: both sides of `/grid/<network>/probe/1.0.0`. After
 * a missed ping the liveness monitor asks a few other grid peers at once "can you reach this
 * peer?". One that reaches it proves it alive (the miss was this node's own slowness or a bad
 * path); answers that all tried and failed prove it gone without waiting for more misses.
 *
 * Serving, every asker is a stranger: the request is one peer ID, and the prober pings that peer
 * over a connection it has or by dialling addresses its own address book holds, never an address
 * anyone names, and never after a routing lookup. Probes served are capped per connection, per
 * asker and in all, each ends by its deadline, and concurrent probes of one peer share a ping.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { RateLimiter, pbStream } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import * as Digest from 'multiformats/hashes/digest'
import * as c from '../constants.js'
import { ProbeRequest, ProbeResponse, Status } from '../pb/grid.js'
import type { GridServices } from '../network/libp2p-options.js'
import type { AbortOptions, ComponentLogger, Connection, Libp2p, Logger, PeerId, Startable, Stream } from '@libp2p/interface'

/** What the helpers said together: one reached it, all who tried failed, or nobody could say. */
export type ProbeVerdict = 'alive' | 'down' | 'unknown'

export interface ProbeOptions extends AbortOptions {
  /** How long the whole probe may take, asking included; helpers get PROBE_HELPER_SHARE of it. */
  timeoutMs: number
}

/** What the liveness monitor needs of indirect probes. */
export interface IndirectProbe extends Startable {
  /** Asks a few of `candidates` (connected peers that speak the protocol) whether they reach `suspect`. */
  probe(suspect: PeerId, candidates: PeerId[], options: ProbeOptions): Promise<ProbeVerdict>
}

export interface ProbeComponents {
  libp2p: Pick<Libp2p<GridServices>, 'peerId' | 'handle' | 'unhandle' | 'dialProtocol' | 'getConnections' | 'peerStore' | 'services'>
  logger: ComponentLogger
}

export interface ProbeInit {
  /** The grid (`--network`) whose protocol IDs this speaks. @default DEFAULT_NETWORK ('main') */
  network?: string
  /** Helpers asked per probe. @default PROBE_HELPERS (3) */
  helpers?: number
}

const Outcome = ProbeResponse.Outcome
/** One ping of a suspect: answered, silent, or not sent because of this node's own limits. */
interface Attempt { result: 'reached' | 'unreached' | 'own-limit', rttMs: number, message: string }

/** Errors that are this prober's own limits, not the suspect's silence. */
const OWN_LIMITS = new Set(['TooManyOutboundProtocolStreamsError', 'DialDeniedError'])

export class ProbeService implements IndirectProbe {
  readonly protocol: string
  private readonly components: ProbeComponents
  private readonly helpers: number
  private readonly log: Logger
  private readonly all = new RateLimiter({ points: c.PROBE_RATE.points, duration: c.PROBE_RATE.durationS })
  private readonly perPeer = new RateLimiter({ points: c.PROBE_RATE_PER_PEER.points, duration: c.PROBE_RATE_PER_PEER.durationS })
  /** Probes under way, by suspect: a later request for the same peer shares the ping. */
  private readonly running = new Map<string, { timeoutMs: number, attempt: Promise<Attempt> }>()
  private stopping = new AbortController()

  constructor (components: ProbeComponents, init: ProbeInit = {}) {
    this.components = components
    this.protocol = c.probeProtocol(init.network ?? c.DEFAULT_NETWORK)
    this.helpers = init.helpers ?? c.PROBE_HELPERS
    this.log = components.logger.forComponent('grid:probe')
  }

  async start (): Promise<void> {
    this.stopping = new AbortController()
    await this.components.libp2p.handle(this.protocol, async (stream, connection) => { await this.serve(stream, connection) }, {
      maxInboundStreams: c.PROBE_MAX_STREAMS,
      maxOutboundStreams: c.PROBE_MAX_STREAMS,
      runOnLimitedConnection: true
    })
  }

  async stop (): Promise<void> {
    this.stopping.abort()
    await this.components.libp2p.unhandle(this.protocol)
  }

  async probe (suspect: PeerId, candidates: PeerId[], options: ProbeOptions): Promise<ProbeVerdict> {
    const helpers = await this.pickHelpers(suspect, candidates)
    if (helpers.length === 0) return 'unknown'
    const answered = new AbortController()
    const signal = anySignal([options.signal, answered.signal, this.stopping.signal, AbortSignal.timeout(options.timeoutMs)])
    const helperTimeout = Math.max(c.PROBE_MIN_TIMEOUT, Math.floor(options.timeoutMs * c.PROBE_HELPER_SHARE))
    try {
      const outcomes = await Promise.all(helpers.map(async helper => {
        const outcome = await this.ask(helper, suspect, helperTimeout, { signal }).catch(err => {
          if (!answered.signal.aborted) this.log('%p did not answer a probe of %p - %e', helper, suspect, err)
          return Outcome.NOT_TRIED
        })
        // one helper reaching the suspect settles it: the others need not finish
        if (outcome === Outcome.REACHED) answered.abort()
        return outcome
      }))
      if (outcomes.includes(Outcome.REACHED)) return 'alive'
      return outcomes.includes(Outcome.UNREACHED) ? 'down' : 'unknown'
    } finally {
      signal.clear()
    }
  }

  /** Up to `helpers` candidates, at random, that speak the probe protocol (as identify told). */
  private async pickHelpers (suspect: PeerId, candidates: PeerId[]): Promise<PeerId[]> {
    const shuffled = candidates.filter(p => !p.equals(suspect) && !p.equals(this.components.libp2p.peerId))
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
    }
    const picked: PeerId[] = []
    for (const peer of shuffled) {
      if (picked.length >= this.helpers) break
      const known = await this.components.libp2p.peerStore.get(peer).catch(() => undefined)
      if (known?.protocols.includes(this.protocol) === true) picked.push(peer)
    }
    return picked
  }

  /** Asks one helper, within the probe's deadline; throws when it does not answer, NOT_TRIED when it refuses. */
  private async ask (helper: PeerId, suspect: PeerId, timeoutMs: number, options: Required<AbortOptions>): Promise<ProbeResponse.Outcome> {
    let stream: Stream | undefined
    try {
      stream = await this.components.libp2p.dialProtocol(helper, this.protocol, { ...options, runOnLimitedConnection: true })
      const pb = pbStream(stream, { maxDataLength: c.PROBE_MAX_RESPONSE_BYTES })
      await pb.write({ peer: suspect.toMultihash().bytes, timeoutMs }, ProbeRequest, options)
      const response = await pb.read(ProbeResponse, options)
      await stream.close(options).catch(() => {})
      if (response.status !== Status.OK) {
        this.log('%p refused to probe %p: %s', helper, suspect, response.message)
        return Outcome.NOT_TRIED
      }
      return response.outcome
    } catch (err) {
      stream?.abort(err as Error)
      throw err
    }
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const pb = pbStream(stream, { maxDataLength: c.PROBE_MAX_REQUEST_BYTES })
    const signal = anySignal([this.stopping.signal, AbortSignal.timeout(c.PROBE_READ_TIMEOUT + c.PROBE_MAX_TIMEOUT + c.PROBE_READ_TIMEOUT)])
    try {
      const request = await pb.read(ProbeRequest, { signal: anySignal([signal, AbortSignal.timeout(c.PROBE_READ_TIMEOUT)]) })
      const response = await this.answer(request, connection.remotePeer)
      await pb.write(response, ProbeResponse, { signal })
      await stream.close({ signal })
    } catch (err) {
      this.log('probe request from %p failed, resetting the stream - %e', connection.remotePeer, err)
      stream.abort(err as Error)
    } finally {
      signal.clear()
    }
  }

  private async answer (request: ProbeRequest, asker: PeerId): Promise<ProbeResponse> {
    const refuse = (status: Status, message: string): ProbeResponse => ({ status, outcome: Outcome.NOT_TRIED, rttMs: 0, message })
    let suspect: PeerId
    try {
      suspect = peerIdFromMultihash(Digest.decode(request.peer))
    } catch {
      return refuse(Status.BAD_REQUEST, 'send the peer to probe as the multihash bytes of its peer ID')
    }
    if (suspect.equals(this.components.libp2p.peerId)) return refuse(Status.BAD_REQUEST, 'that is this node: you reached it already')
    if (suspect.equals(asker)) return refuse(Status.BAD_REQUEST, 'that is you: ask about another peer')
    try {
      // per asker first, so one asker's flood does not use up everyone's share
      this.perPeer.consume(asker.toString())
      this.all.consume('all')
    } catch {
      return refuse(Status.BUSY, 'too many probe requests here right now; ask another peer')
    }
    if (!await this.mayTry(suspect)) {
      return { status: Status.OK, outcome: Outcome.NOT_TRIED, rttMs: 0, message: 'not connected to that peer and no address for it here' }
    }
    const timeoutMs = Math.min(Math.max(request.timeoutMs === 0 ? c.PROBE_MAX_TIMEOUT : request.timeoutMs, c.PROBE_MIN_TIMEOUT), c.PROBE_MAX_TIMEOUT)
    const attempt = await this.attempt(suspect, timeoutMs)
    if (attempt.result === 'reached') return { status: Status.OK, outcome: Outcome.REACHED, rttMs: attempt.rttMs, message: '' }
    if (attempt.result === 'own-limit') return refuse(Status.BUSY, `this node cannot ping that peer right now (${attempt.message}); ask another`)
    return { status: Status.OK, outcome: Outcome.UNREACHED, rttMs: 0, message: attempt.message }
  }

  /** Connected, or addresses in this node's own address book: no routing lookup for a stranger. */
  private async mayTry (suspect: PeerId): Promise<boolean> {
    if (this.components.libp2p.getConnections(suspect).length > 0) return true
    const known = await this.components.libp2p.peerStore.get(suspect).catch(() => undefined)
    return (known?.addresses.length ?? 0) > 0
  }

  /** One ping of `suspect`, shared with any probe of it under way that tries at least as long. */
  private async attempt (suspect: PeerId, timeoutMs: number): Promise<Attempt> {
    const key = suspect.toString()
    const running = this.running.get(key)
    if (running != null && running.timeoutMs >= timeoutMs) return running.attempt
    const attempt = this.ping(suspect, timeoutMs)
    this.running.set(key, { timeoutMs, attempt })
    void attempt.finally(() => { if (this.running.get(key)?.attempt === attempt) this.running.delete(key) })
    return attempt
  }

  private async ping (suspect: PeerId, timeoutMs: number): Promise<Attempt> {
    const signal = anySignal([this.stopping.signal, AbortSignal.timeout(timeoutMs)])
    try {
      const rttMs = await this.components.libp2p.services.ping.ping(suspect, { signal })
      return { result: 'reached', rttMs, message: '' }
    } catch (err: any) {
      const name = String(err?.name ?? 'Error')
      if (OWN_LIMITS.has(name)) return { result: 'own-limit', rttMs: 0, message: name }
      return { result: 'unreached', rttMs: 0, message: `no answer within ${timeoutMs} ms (${name})` }
    } finally {
      signal.clear()
    }
  }
}
