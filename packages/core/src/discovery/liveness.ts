import { anySignal } from 'any-signal'
import * as c from '../constants.js'
import type { GridServices } from '../network/libp2p-options.js'
import type { ComponentLogger, Libp2p, Logger, PeerId, Startable } from '@libp2p/interface'

export interface LivenessInit {
  /** @default LIVENESS_INTERVAL (10 s) */
  intervalMs?: number
  /** @default LIVENESS_TIMEOUT (5 s) */
  timeoutMs?: number
  /** Misses in a row before a peer is down. @default LIVENESS_MISSES (3) */
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
}

/**
 * Every node checks its own peers: on an interval it pings each connected peer (and each
 * recently disconnected one not yet down), keeping last-seen and round-trip time, and marks a
 * peer down after a few misses in a row, closing any connection left to it. A new connection
 * marks it up again. It stands in for libp2p's connection monitor, which is switched off.
 */
export class LivenessMonitor implements Startable {
  private readonly components: LivenessComponents
  private readonly init: Required<LivenessInit>
  private readonly log: Logger
  private readonly peers = new Map<string, PeerLiveness>()
  private timer?: ReturnType<typeof setTimeout>
  private readonly stopping = new AbortController()

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
    // nodes started together would otherwise ping in lockstep
    this.schedule(Math.random() * this.init.intervalMs)
  }

  private schedule (delay: number): void {
    this.timer = setTimeout(() => {
      void this.tick().finally(() => {
        if (!this.stopping.signal.aborted) this.schedule(this.init.intervalMs)
      })
    }, delay)
  }

  stop (): void {
    this.stopping.abort()
    clearTimeout(this.timer)
    this.components.libp2p.removeEventListener('peer:connect', this.onConnect)
  }

  /** Every tracked peer, up or down. */
  snapshot (): PeerLiveness[] {
    return [...this.peers.values()].map(p => ({ ...p }))
  }

  get (peer: PeerId): PeerLiveness | undefined {
    const p = this.peers.get(peer.toString())
    return p != null ? { ...p } : undefined
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const entry = this.entry(evt.detail)
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
    await Promise.all([...this.peers.values()].filter(p => p.state === 'up').map(async p => { await this.check(p) }))
  }

  private async check (p: PeerLiveness): Promise<void> {
    const signal = anySignal([this.stopping.signal, AbortSignal.timeout(this.init.timeoutMs)])
    try {
      // @libp2p/ping measures the round trip: the one place RTT is measured
      p.rttMs = await this.components.libp2p.services.ping.ping(p.peerId, { signal })
      p.lastSeen = Date.now()
      p.misses = 0
    } catch (err) {
      if (this.stopping.signal.aborted) return
      p.misses++
      if (p.misses >= this.init.misses) {
        p.state = 'down'
        this.log('%p is down after %d missed pings - %e', p.peerId, p.misses, err)
        await this.components.libp2p.hangUp(p.peerId).catch(() => {})
      }
    } finally {
      signal.clear()
    }
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
