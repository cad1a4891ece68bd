import { anySignal } from 'any-signal'
import { DEFAULT_NETWORK, PROVIDE_FAILED_RETRY_DELAY, PROVIDE_RETRY_DELAY, PROVIDE_TIMEOUT } from '../constants.js'
import { tagKey } from '../tags.js'
import type { DatasetStore } from '../catalog/datasets.js'
import type { GridServices } from '../network/libp2p-options.js'
import type { AbortOptions, ComponentLogger, Libp2p, Logger, PeerId, Startable } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface AnnouncerComponents {
  libp2p: Pick<Libp2p<GridServices>, 'peerId' | 'contentRouting' | 'services' | 'getConnections' | 'getMultiaddrs' | 'addEventListener' | 'removeEventListener'>
  datasets: DatasetStore
  logger: ComponentLogger
}

/**
 * Puts this node on the DHT as a provider of every tag of its public datasets (plus any
 * capability tags): all of them whenever the node joins, new ones on every add. kad-dht
 * re-provides them before they expire; tags no node dataset carries any more stop being
 * re-provided. Private datasets are never announced.
 */
export interface AnnouncerInit {
  /** The grid (`--network`) whose protocol IDs and DHT keys this speaks. @default DEFAULT_NETWORK ('main') */
  network?: string
  /** Capability tags provided beside the datasets' tags, such as `#compute:js`. @default [] */
  extraTags?: string[]
}

export class Announcer implements Startable {
  private readonly components: AnnouncerComponents
  private readonly network: string
  private readonly extraTags: Set<string>
  private readonly log: Logger
  private readonly announced = new Set<string>()
  /** Tags that could not be announced yet (no peers, or the provide failed): retried on connect. */
  private readonly pending = new Set<string>()
  private retryTimer?: ReturnType<typeof setTimeout>
  /** The relay addresses the last announcement carried (a browser tab's only addresses). */
  private relayAddrs = ''

  constructor (components: AnnouncerComponents, init: AnnouncerInit = {}) {
    this.components = components
    this.network = init.network ?? DEFAULT_NETWORK
    this.extraTags = new Set(init.extraTags ?? [])
    this.log = components.logger.forComponent('grid:announce')
  }

  start (): void {
    this.components.libp2p.addEventListener('peer:connect', this.onConnect)
    this.components.libp2p.addEventListener('self:peer:update', this.onAddressesChanged)
  }

  stop (): void {
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    this.components.libp2p.removeEventListener('peer:connect', this.onConnect)
    this.components.libp2p.removeEventListener('self:peer:update', this.onAddressesChanged)
  }

  /** Adds or drops a capability tag (such as `#compute:js`) and announces the change. */
  async setCapability (tag: string, on: boolean): Promise<void> {
    if (on === this.extraTags.has(tag)) return
    if (on) this.extraTags.add(tag)
    else this.extraTags.delete(tag)
    await this.announceAll()
  }

  /** Tags this node is a provider of now. */
  announcedTags (): string[] {
    return [...this.announced].sort()
  }

  /**
   * A peer reached through a relay (a browser tab) has no address until its reservation is
   * made, and a new one when it moves to another relay: provide again, so the records carry
   * an address others can dial.
   */
  private readonly onAddressesChanged = (): void => {
    const relayAddrs = this.components.libp2p.getMultiaddrs().map(a => a.toString()).filter(a => a.includes('/p2p-circuit')).sort().join(' ')
    if (relayAddrs === this.relayAddrs) return
    this.relayAddrs = relayAddrs
    if (relayAddrs !== '') void this.announceAll()
  }

  /**
   * A first peer (after none) makes a pending announcement possible: retry shortly after.
   * Only the first: retrying on every connection turns a busy grid's failures into a storm.
   * Announcements that fail with peers around are retried on a slow schedule instead.
   */
  private readonly onConnect = (): void => {
    if (this.components.libp2p.getConnections().length > 1) return
    this.scheduleRetry(PROVIDE_RETRY_DELAY)
  }

  private scheduleRetry (delay: number): void {
    if (this.pending.size === 0 || this.retryTimer != null) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      void this.announce([...this.pending])
    }, delay)
  }

  /** Provides every current tag; stops re-providing the ones that went away. */
  async announceAll (options: AbortOptions = {}): Promise<void> {
    let publicTags: string[]
    try {
      publicTags = await this.components.datasets.publicTags()
    } catch (err) {
      // called without waiting (on start, on join): a store that cannot be read must not crash the node
      this.log.error('cannot read the datasets to announce - %e', err)
      return
    }
    const tags = new Set([...publicTags, ...this.extraTags])
    for (const gone of [...this.pending].filter(t => !tags.has(t))) this.pending.delete(gone)
    for (const gone of [...this.announced].filter(t => !tags.has(t))) {
      await this.components.libp2p.services.dht.cancelReprovide(await tagKey(this.network, gone)).catch(() => {})
      this.announced.delete(gone)
    }
    await this.announce([...tags], options)
  }

  /**
   * With no peer to send a record to, this node still keeps its own (the first half of
   * kad-dht's provide), so a peer that connects and asks it at once (a short `search
   * --bootstrap` at a lone holder) finds it before the announcement goes out.
   */
  private async keepOwnRecord (tag: string): Promise<void> {
    const dht = this.components.libp2p.services.dht as unknown as { providers?: { addProvider: (key: CID, peer: PeerId) => Promise<void> } }
    try {
      await dht.providers?.addProvider(await tagKey(this.network, tag), this.components.libp2p.peerId)
    } catch (err) {
      this.log('could not keep the record of %s - %e', tag, err)
    }
  }

  /** Provides these tags now, in parallel; failures are logged, never thrown. */
  async announce (tags: string[], options: AbortOptions = {}): Promise<void> {
    if (this.components.libp2p.getConnections().length === 0 || this.components.libp2p.getMultiaddrs().length === 0) {
      for (const tag of tags) this.pending.add(tag)
      this.log('no peers or no address yet: %d tags wait', tags.length)
      await Promise.all(tags.map(async tag => { await this.keepOwnRecord(tag) }))
      return
    }
    await Promise.all(tags.map(async tag => {
      const signal = anySignal([options.signal, AbortSignal.timeout(PROVIDE_TIMEOUT)])
      try {
        await this.components.libp2p.contentRouting.provide(await tagKey(this.network, tag), { signal })
        this.announced.add(tag)
        this.pending.delete(tag)
        this.log('announced %s', tag)
      } catch (err) {
        this.pending.add(tag)
        this.log('could not announce %s yet - %e', tag, err)
      } finally {
        signal.clear()
      }
    }))
    this.scheduleRetry(PROVIDE_FAILED_RETRY_DELAY * (0.5 + Math.random()))
  }
}
