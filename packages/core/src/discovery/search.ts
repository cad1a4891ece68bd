import { Queue } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import { pushable } from 'it-pushable'
import type { Pushable } from 'it-pushable'
import * as c from '../constants.js'
import { SearchInvalidError } from '../errors.js'
import { normaliseTags, tagKey } from '../tags.js'
import type { CatalogService } from '../catalog/catalog-service.js'
import type { DatasetStore } from '../catalog/datasets.js'
import type { DatasetDescriptor } from '../catalog/descriptor.js'
import type { PeerLoad } from '../compute/load-book.js'
import type { GridServices } from '../network/libp2p-options.js'
import type { AbortOptions, ComponentLogger, Libp2p, Logger, PeerId, PeerInfo, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface SearchResult {
  peerId: PeerId
  addrs: Multiaddr[]
  /** Round-trip time of its catalog answer (the liveness check); 0 for this node's own datasets. */
  rttMs: number
  datasets: DatasetDescriptor[]
  /** Searched tags that are capabilities the holder offers, such as `#compute:js` for a worker. */
  capabilities: string[]
  /** The holder's worker pool as it claimed it in its answer (absent from older nodes and for this node): a hint for placing jobs. */
  load?: PeerLoad
}

export interface SearchOptions extends AbortOptions {
  /** A holder must have a dataset with any one of the tags, or one with all of them. @default 'any' */
  match?: 'any' | 'all'
  /** Stop after this many holders. @default unlimited */
  limit?: number
  /** @default SEARCH_TIMEOUT (10 s) */
  timeoutMs?: number
  /** Reuse results from the last few seconds. @default true */
  cache?: boolean
}

export interface SearchComponents {
  libp2p: Pick<Libp2p<GridServices>, 'peerId' | 'contentRouting' | 'peerStore' | 'dial' | 'services' | 'getMultiaddrs' | 'addEventListener' | 'removeEventListener'>
  catalog: CatalogService
  datasets: DatasetStore
  logger: ComponentLogger
}

/**
 * Gateway-free search: find the providers of each tag on the DHT in parallel, merge them by
 * peer, dial each candidate and ask it for its matching descriptors within a short deadline
 * (the answer is the liveness check), and yield each holder as soon as it is confirmed. A provider record
 * whose holder does not answer never reaches the caller.
 */
export interface SearcherInit {
  /** The grid (`--network`) whose protocol IDs and DHT keys this speaks. @default DEFAULT_NETWORK ('main') */
  network?: string
  /**
   * Peers asked besides the DHT's providers: in a public grid, those this node reaches over its
   * own LAN, so a site cut off from the public side still finds its own holders.
   */
  neighbours?: () => PeerId[]
}

export class Searcher implements Startable {
  private readonly components: SearchComponents
  private readonly network: string
  private readonly neighbours: () => PeerId[]
  private readonly log: Logger
  private readonly cache = new Map<string, { at: number, results: SearchResult[] }>()

  constructor (components: SearchComponents, init: SearcherInit = {}) {
    this.components = components
    this.network = init.network ?? c.DEFAULT_NETWORK
    this.neighbours = init.neighbours ?? (() => [])
    this.log = components.logger.forComponent('grid:search')
  }

  start (): void {
    this.components.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
  }

  stop (): void {
    this.components.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    this.cache.clear()
  }

  /** A holder that went away must not come back from the cache. */
  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    for (const [key, entry] of this.cache) {
      if (entry.results.some(r => r.peerId.equals(evt.detail))) this.cache.delete(key)
    }
  }

  async * search (input: string[], options: SearchOptions = {}): AsyncGenerator<SearchResult> {
    const tags = normaliseTags(input)
    if (tags.length === 0) throw new SearchInvalidError('search needs at least one tag, e.g. #cars')
    const match = options.match ?? 'any'
    const limit = options.limit ?? Infinity
    const cacheKey = `${match}|${[...tags].sort().join(',')}`
    const cached = this.cache.get(cacheKey)
    if (options.cache !== false && cached != null && Date.now() - cached.at < c.SEARCH_CACHE_TTL) {
      yield * cached.results.slice(0, limit)
      return
    }

    const done = new AbortController()
    const signal = anySignal([options.signal, done.signal, AbortSignal.timeout(options.timeoutMs ?? c.SEARCH_TIMEOUT)])
    const found = pushable<SearchResult>({ objectMode: true })
    const results: SearchResult[] = []
    let complete = false
    void this.collect(tags, match, found, signal).finally(() => { complete = !signal.aborted; found.end() })
    try {
      for await (const result of found) {
        results.push(result)
        yield result
        if (results.length >= limit) break
      }
      if (complete) this.cache.set(cacheKey, { at: Date.now(), results })
    } finally {
      done.abort()
      signal.clear()
    }
  }

  /** Feeds `found` with every confirmed holder; resolves when lookups and checks are over. */
  private async collect (tags: string[], match: 'any' | 'all', found: Pushable<SearchResult>, signal: AbortSignal): Promise<void> {
    const own = await this.components.datasets.matching(tags, match)
    if (own.length > 0) found.push({ peerId: this.components.libp2p.peerId, addrs: this.components.libp2p.getMultiaddrs(), rttMs: 0, datasets: own, capabilities: [] })
    const seen = new Set<string>([this.components.libp2p.peerId.toString()])
    const checks: Array<Promise<void>> = []
    const slots = new Queue<void>({ concurrency: c.VERIFY_CONCURRENCY })
    // for all-match a holder must provide every tag, so the providers of one tag are the candidates
    const lookupTags = match === 'all' ? tags.slice(0, 1) : tags
    const check = (provider: PeerInfo): void => {
      if (seen.has(provider.id.toString())) return
      seen.add(provider.id.toString())
      checks.push(slots.add(async () => { await this.verify(provider, tags, match, found, signal) }))
    }
    for (const id of this.neighbours()) check({ id, multiaddrs: [] })
    await Promise.all(lookupTags.map(async tag => {
      try {
        for await (const provider of this.components.libp2p.contentRouting.findProviders(await tagKey(this.network, tag), { signal })) check(provider)
      } catch (err) {
        if (!signal.aborted) this.log('provider lookup for %s ended - %e', tag, err)
      }
    }))
    await Promise.all(checks)
  }

  private async verify (provider: PeerInfo, tags: string[], match: 'any' | 'all', found: Pushable<SearchResult>, outer: AbortSignal): Promise<void> {
    if (outer.aborted) return
    const signal = anySignal([outer, AbortSignal.timeout(c.VERIFY_TIMEOUT)])
    const { libp2p, catalog } = this.components
    try {
      if (provider.multiaddrs.length > 0) await libp2p.peerStore.merge(provider.id, { multiaddrs: provider.multiaddrs })
      const connection = await libp2p.dial(provider.id, { signal })
      // the catalog's answer is the liveness check: a round trip that also proves the holder serves
      // the grid. A separate ping stream per search would cost a round trip, and rapid searches
      // filled libp2p's per-connection ping streams (a closed ping stream can linger until the
      // responder's 10 s timeout), so that later searches found nobody.
      const started = performance.now()
      const { datasets, capabilities, load } = await catalog.query(provider.id, tags, match, { signal })
      const rttMs = Math.round((performance.now() - started) * 10) / 10
      if (datasets.length > 0 || capabilities.length > 0) found.push({ peerId: provider.id, addrs: [connection.remoteAddr], rttMs, datasets, capabilities, ...(load != null ? { load } : {}) })
    } catch (err) {
      this.log('provider %p is not live or not answering - %e', provider.id, err)
    } finally {
      signal.clear()
    }
  }
}
