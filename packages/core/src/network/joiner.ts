import { anySignal } from 'any-signal'
import * as c from '../constants.js'
import type { GridServices } from './libp2p-options.js'
import type { AbortOptions, ComponentLogger, Libp2p, Logger, PeerId, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** kad-dht dispatches this on the libp2p node after each self-query. */
const DHT_SELF_QUERY_EVENT = 'kad-dht:query:self'

export interface JoinerComponents {
  libp2p: Pick<Libp2p<GridServices>, 'peerId' | 'dial' | 'getConnections' | 'peerStore' | 'services' | 'addEventListener' | 'removeEventListener'>
  logger: ComponentLogger
}

export interface JoinerInit {
  bootstrap: Multiaddr[]
  /** @default REBOOTSTRAP_INITIAL_DELAY */
  initialDelay?: number
  /** @default REBOOTSTRAP_MAX_DELAY */
  maxDelay?: number
  /** @default KNOWN_PEERS_TO_DIAL */
  knownPeersToDial?: number
  /** @default SELF_LOOKUP_TIMEOUT */
  selfLookupTimeout?: number
  /** Called each time the node (re)joins the grid, e.g. to announce what it holds. */
  onJoined?: () => void
  /** Called when the node becomes ready, and when it loses its last peer (not ready). */
  onReadyChange?: (ready: boolean) => void
}

/**
 * Joins the grid and stays joined: dials the bootstrap list and remembered peers, runs a
 * DHT self-lookup to fill the routing table, and only then reports ready. A node that ends
 * up with zero peers retries with exponential backoff instead of sitting alone. A node with
 * nobody to dial (the first of a grid) is ready at once.
 */
export class Joiner implements Startable {
  private readonly components: JoinerComponents
  private readonly init: Required<Omit<JoinerInit, 'onJoined' | 'onReadyChange'>>
  private readonly onJoined: () => void
  private readonly onReadyChange: (ready: boolean) => void
  private readonly log: Logger
  private readonly events = new EventTarget()
  private running = false
  private attempting = false
  private failures = 0
  private timer?: ReturnType<typeof setTimeout>
  private stopController = new AbortController()
  /** kad-dht's first self-query has finished (it announces each one with an event). */
  private dhtSelfQueried = false
  private readonly dhtSelfQuery = new EventTarget()
  ready = false

  constructor (components: JoinerComponents, init: JoinerInit) {
    this.components = components
    this.log = components.logger.forComponent('grid:join')
    this.onJoined = init.onJoined ?? (() => {})
    this.onReadyChange = init.onReadyChange ?? (() => {})
    this.init = {
      bootstrap: init.bootstrap,
      initialDelay: init.initialDelay ?? c.REBOOTSTRAP_INITIAL_DELAY,
      maxDelay: init.maxDelay ?? c.REBOOTSTRAP_MAX_DELAY,
      knownPeersToDial: init.knownPeersToDial ?? c.KNOWN_PEERS_TO_DIAL,
      selfLookupTimeout: init.selfLookupTimeout ?? c.SELF_LOOKUP_TIMEOUT
    }
  }

  start (): void {
    this.running = true
    this.stopController = new AbortController()
    this.components.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.components.libp2p.addEventListener('peer:connect', this.onConnect)
    this.components.libp2p.addEventListener(DHT_SELF_QUERY_EVENT as 'peer:connect', this.onDhtSelfQuery)
    void this.attempt()
  }

  stop (): void {
    this.running = false
    this.stopController.abort()
    clearTimeout(this.timer)
    this.components.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    this.components.libp2p.removeEventListener('peer:connect', this.onConnect)
    this.components.libp2p.removeEventListener(DHT_SELF_QUERY_EVENT as 'peer:connect', this.onDhtSelfQuery)
  }

  private readonly onDhtSelfQuery = (): void => {
    this.dhtSelfQueried = true
    this.dhtSelfQuery.dispatchEvent(new Event('done'))
  }

  /** Resolves once the node has joined (or founded) the grid. */
  async whenReady (options: AbortOptions = {}): Promise<void> {
    if (this.ready) return
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.events.removeEventListener('ready', onReady)
        reject(options.signal?.reason ?? new Error('aborted'))
      }
      const onReady = (): void => {
        options.signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      if (options.signal?.aborted === true) { onAbort(); return }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.events.addEventListener('ready', onReady, { once: true })
    })
  }

  /** Someone dialled a node that was waiting out its backoff: join through them now. */
  private readonly onConnect = (): void => {
    if (!this.running || this.ready || this.attempting) return
    clearTimeout(this.timer)
    void this.attempt()
  }

  private readonly onDisconnect = (): void => {
    if (!this.running || this.components.libp2p.getConnections().length > 0) return
    this.log('no peers left, re-bootstrapping')
    this.setReady(false)
    this.failures = 0
    this.scheduleRetry()
  }

  private async attempt (): Promise<void> {
    if (!this.running || this.attempting) return
    this.attempting = true
    try {
      if (await this.join()) {
        this.failures = 0
        this.setReady(true)
      } else {
        this.scheduleRetry()
      }
    } catch (err) {
      this.log.error('join attempt failed - %e', err)
      this.scheduleRetry()
    } finally {
      this.attempting = false
    }
  }

  private async join (): Promise<boolean> {
    const { libp2p } = this.components
    const known = await this.knownPeers()
    if (libp2p.getConnections().length === 0) {
      if (this.init.bootstrap.length === 0 && known.length === 0) {
        this.log('nobody to dial: this node founds the grid')
        return true
      }
      await Promise.all([
        ...this.init.bootstrap.map(async addr => this.dial(addr)),
        ...known.map(async peer => this.dial(peer))
      ])
    }
    if (libp2p.getConnections().length === 0) return false
    await this.selfLookup()
    return this.running
  }

  private async dial (target: Multiaddr | PeerId): Promise<void> {
    const signal = anySignal([this.stopController.signal, AbortSignal.timeout(c.DIAL_TIMEOUT)])
    try {
      await this.components.libp2p.dial(target, { signal })
    } catch (err) {
      this.log('could not dial %s - %e', target.toString(), err)
    } finally {
      signal.clear()
    }
  }

  /** Peers remembered in the persistent peer store, most useful first, capped. */
  private async knownPeers (): Promise<PeerId[]> {
    const { libp2p } = this.components
    const peers = await libp2p.peerStore.all({
      filters: [peer => peer.addresses.length > 0 && !peer.id.equals(libp2p.peerId)]
    })
    return shuffle(peers.map(p => p.id)).slice(0, this.init.knownPeersToDial)
  }

  /**
   * Fills the routing table with the peers closest to this node. The first time, kad-dht is
   * already running exactly that query (and holds every other query until it is done), so wait
   * for it rather than start a second one; after that, look up again ourselves.
   */
  private async selfLookup (): Promise<void> {
    const signal = anySignal([this.stopController.signal, AbortSignal.timeout(this.init.selfLookupTimeout)])
    try {
      if (!this.dhtSelfQueried && await this.waitForDhtSelfQuery(signal)) return
      const key = this.components.libp2p.peerId.toMultihash().bytes
      for await (const event of this.components.libp2p.services.dht.getClosestPeers(key, { signal })) {
        if (event.name === 'FINAL_PEER') this.log.trace('self-lookup found %p', event.peer.id)
      }
    } catch (err) {
      this.log('self-lookup ended early - %e', err)
    } finally {
      signal.clear()
    }
  }

  /** True once kad-dht's self-query finished; false if it did not within DHT_SELF_QUERY_WAIT. */
  private async waitForDhtSelfQuery (signal: AbortSignal): Promise<boolean> {
    const wait = anySignal([signal, AbortSignal.timeout(c.DHT_SELF_QUERY_WAIT)])
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.dhtSelfQueried) { resolve(); return }
        wait.addEventListener('abort', () => { reject(new Error('no self-query yet')) }, { once: true })
        this.dhtSelfQuery.addEventListener('done', () => { resolve() }, { once: true })
      })
      return true
    } catch {
      return false
    } finally {
      wait.clear()
    }
  }

  private scheduleRetry (): void {
    if (!this.running) return
    clearTimeout(this.timer)
    const backoff = Math.min(this.init.initialDelay * 2 ** this.failures, this.init.maxDelay)
    const delay = backoff / 2 + Math.random() * backoff / 2
    this.failures++
    this.log('retrying the bootstrap list in %d ms', Math.round(delay))
    this.timer = setTimeout(() => { void this.attempt() }, delay)
  }

  private setReady (ready: boolean): void {
    if (this.ready === ready) return
    this.ready = ready
    this.onReadyChange(ready)
    if (!ready) return
    this.events.dispatchEvent(new Event('ready'))
    this.onJoined()
  }
}

function shuffle<T> (items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const tmp = items[i] as T
    items[i] = items[j] as T
    items[j] = tmp
  }
  return items
}
