import { anySignal } from 'any-signal'
import * as c from '../constants.js'
import type { IndirectProbe, ProbeVerdict } from './probe.js'
import type { GridServices } from '../network/libp2p-options.js'
import type { ComponentLogger, Libp2p, Logger, PeerId, Startable } from '@libp2p/interface'

export interface LivenessInit {
  /** @default LIVENESS_INTERVAL (10 s) */
  intervalMs?: number
  /** @default LIVENESS_TIMEOUT (5 s) */
  timeoutMs?: number
  /**
   * Misses in a row before a peer is down when no other peer could be asked about it (after a
   * miss, other peers are asked first). @default LIVENESS_MISSES (3)
   */
  misses?: number
}

export interface PeerLiveness {
  peerId: PeerId
  state: 'up' | 'down'
  /** ms since the epoch of the last answered ping or new connection */
  lastSeen?: number
  rttMs?: number
  misses: number
}

export interface LivenessComponents {
  libp2p: Pick<Libp2p<GridServices>, 'getPeers' | 'services' | 'addEventListener' | 'removeEventListener' | 'hangUp'>
  logger: ComponentLogger
  /** Asks other peers about a peer that missed a ping; without it, only the misses rule decides. */
  probe?: IndirectProbe
}

/**
 * Every node checks its own peers: every interval it pings each connected peer (and each
 * recently disconnected one not yet down), keeping last-seen and round-trip time. A peer that
 * misses a ping is probed through up to 3 other peers (SWIM's ping-req, see probe.ts): one of
 * them reaching it keeps it up; all that tried failing marks it down at once; when none could be
 * asked or none answered, it is down after a few misses in a row. Down, any connection left to it
 * is closed; a new connection marks it up again. It stands in for libp2p's connection monitor,
 * which is switched off.
 *
 * A miss timed while this node itself was stalled (its own deadline fired late: a blocked event
 * loop, a starved process) is not counted towards the misses rule: it says nothing of the peer.
 */
export class LivenessMonitor implements Startable {
  private readonly components: LivenessComponents
  private readonly init: Required<LivenessInit>
  private readonly log: Logger
  private readonly peers = new Map<string, PeerLiveness>()
  /** Checks under way; `again` asks for another as soon as this one ends (a tick came meanwhile). */
  private readonly checking = new Map<string, { again: boolean, done: Promise<void> }>()
  private timer?: ReturnType<typeof setTimeout>
  private readonly stopping = new AbortController()
  private readonly changeListeners = new Set<(peer: PeerId, state: 'up' | 'down', reason: string) => void>()

  constructor (components: LivenessComponents, init: LivenessInit = {}) {
    this.components = components
    this.log = components.logger.forComponent('grid:liveness')
    this.init = {
      intervalMs: init.intervalMs ?? c.LIVENESS_INTERVAL,
      timeoutMs: init.timeoutMs ?? c.LIVENESS_TIMEOUT,
      misses: init.misses ?? c.LIVENESS_MISSES
    }
  }

  start (): void {
    this.components.libp2p.addEventListener('peer:connect', this.onConnect)
    Promise.resolve(this.components.probe?.start()).catch(err => { this.log.error('not serving indirect probes - %e', err) })
    // nodes started together would otherwise ping in lockstep
    this.schedule(Math.random() * this.init.intervalMs)
  }

  /**
   * A tick every interval, whatever the last one still waits for: a dead peer's check (a missed
   * ping, then a probe) must not push back the next ping of every other peer.
   */
  private schedule (delay: number): void {
    this.timer = setTimeout(() => {
      if (this.stopping.signal.aborted) return
      this.schedule(this.init.intervalMs)
      void this.tick()
    }, delay)
  }

  stop (): void {
    this.stopping.abort()
    clearTimeout(this.timer)
    this.components.libp2p.removeEventListener('peer:connect', this.onConnect)
    Promise.resolve(this.components.probe?.stop()).catch(() => {})
  }

  /** Every tracked peer, up or down. */
  snapshot (): PeerLiveness[] {
    return [...this.peers.values()].map(p => ({ ...p }))
  }

  get (peer: PeerId): PeerLiveness | undefined {
    const p = this.peers.get(peer.toString())
    return p != null ? { ...p } : undefined
  }

  /** Called once when a peer comes up (connects, new or after being down) and once when it goes down. */
  onChange (listener: (peer: PeerId, state: 'up' | 'down', reason: string) => void): () => void {
    this.changeListeners.add(listener)
    return () => { this.changeListeners.delete(listener) }
  }

  private changed (peer: PeerId, state: 'up' | 'down', reason: string): void {
    for (const listener of [...this.changeListeners]) {
      try { listener(peer, state, reason) } catch (err) { this.log.error('a liveness listener failed - %e', err) }
    }
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const known = this.peers.get(evt.detail.toString())
    const entry = this.entry(evt.detail)
    if (known == null || known.state === 'down') this.changed(evt.detail, 'up', 'connected')
    entry.state = 'up'
    entry.misses = 0
    entry.lastSeen = Date.now()
  }

  /** One round: ping connected peers and the not-yet-down ones, forget the long gone. */
  async tick (): Promise<void> {
    for (const peer of this.components.libp2p.getPeers()) this.entry(peer)
    const now = Date.now()
    for (const [key, p] of this.peers) {
      if (p.state === 'down' && now - (p.lastSeen ?? 0) > c.LIVENESS_FORGET_AFTER) this.peers.delete(key)
    }
    await Promise.all([...this.peers.values()].filter(p => p.state === 'up').map(async p => { await this.checkSoon(p) }))
  }

  /** Checks `p` now, or once more right after the check of it under way. */
  private async checkSoon (p: PeerLiveness): Promise<void> {
    const key = p.peerId.toString()
    const running = this.checking.get(key)
    if (running != null) {
      running.again = true
      return running.done
    }
    const run = { again: false, done: Promise.resolve() }
    this.checking.set(key, run)
    run.done = (async () => {
      do {
        run.again = false
        await this.check(p)
      } while (run.again && p.state === 'up' && !this.stopping.signal.aborted)
    })().finally(() => { this.checking.delete(key) })
    return run.done
  }

  private async check (p: PeerLiveness): Promise<void> {
    const seen = p.lastSeen
    const started = Date.now()
    const signal = anySignal([this.stopping.signal, AbortSignal.timeout(this.init.timeoutMs)])
    let missed: unknown
    try {
      // @libp2p/ping measures the round trip: the one place RTT is measured
      p.rttMs = await this.components.libp2p.services.ping.ping(p.peerId, { signal })
      p.lastSeen = Date.now()
      p.misses = 0
      return
    } catch (err) {
      missed = err
    } finally {
      signal.clear()
    }
    if (this.stopping.signal.aborted) return
    const late = Date.now() - started - this.init.timeoutMs > this.stallMargin()
    const verdict = await this.probe(p)
    // stopped, or a new connection to it while the helpers were asked: this check is stale
    if (this.stopping.signal.aborted || p.state !== 'up' || p.lastSeen !== seen) return
    if (verdict === 'alive') {
      this.log('%p missed a ping but another peer reached it - %e', p.peerId, missed)
      p.misses = 0
      return
    }
    if (verdict === 'unknown' && late) {
      this.log('%p missed a ping timed while this node was stalled: not counted - %e', p.peerId, missed)
      return
    }
    p.misses++
    if (verdict === 'down') await this.down(p, 'it missed a ping and no peer asked could reach it', missed)
    else if (p.misses >= this.init.misses) await this.down(p, `after ${p.misses} missed pings in a row`, missed)
  }

  /** Asks up to 3 other connected peers that are up whether they reach `p`. */
  private async probe (p: PeerLiveness): Promise<ProbeVerdict> {
    const probe = this.components.probe
    if (probe == null) return 'unknown'
    const candidates = this.components.libp2p.getPeers().filter(peer => this.peers.get(peer.toString())?.state === 'up')
    const timeoutMs = Math.min(this.init.timeoutMs, this.init.intervalMs * c.PROBE_INTERVAL_SHARE)
    return probe.probe(p.peerId, candidates, { timeoutMs, signal: this.stopping.signal }).catch(err => {
      this.log.error('probing %p failed - %e', p.peerId, err)
      return 'unknown' as const
    })
  }

  /** How late this node's own ping deadline may fire before the miss is put down to its own stall. */
  private stallMargin (): number {
    return Math.max(c.LIVENESS_STALL_MIN, this.init.timeoutMs * c.LIVENESS_STALL_SHARE)
  }

  private async down (p: PeerLiveness, why: string, err: unknown): Promise<void> {
    p.state = 'down'
    this.log('%p is down: %s - %e', p.peerId, why, err)
    this.changed(p.peerId, 'down', why)
    await this.components.libp2p.hangUp(p.peerId).catch(() => {})
  }

  private entry (peer: PeerId): PeerLiveness {
    const key = peer.toString()
    let p = this.peers.get(key)
    if (p == null) {
      p = { peerId: peer, state: 'up', misses: 0, lastSeen: Date.now() }
      this.peers.set(key, p)
    }
    return p
  }
}
