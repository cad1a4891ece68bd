import { peerIdFromString } from '@libp2p/peer-id'
import * as c from '../constants.js'
import type { Searcher, SearchResult } from './search.js'
import type { LoadBook } from '../compute/load-book.js'
import type { AbortOptions, ComponentLogger, Libp2p, Logger, PeerId } from '@libp2p/interface'

/** Where jobs should run: holders of tags, named peers, or — neither given — any data-free worker. */
export interface TargetQuery {
  /** One target per distinct dataset held by a live holder of these tags. */
  tags?: string[]
  /** @default 'any' */
  match?: 'any' | 'all'
  /** One target per peer, taken as named (no search). */
  peers?: Array<PeerId | string>
  /** With `peers`: the dataset (by name) each of them runs the job on. */
  dataset?: string
}

/**
 * One job to place: the dataset it runs on (none for a data-free job) and the peers that can
 * take it, in the order to try them. `anyWorker`: the candidates are live `#compute:js`
 * workers, any of which may refuse, and then the next is asked.
 */
export interface JobTarget {
  dataset?: string
  /** The dataset's content hash (sha256, hex), for holders found by tags: every candidate holds these bytes. */
  hash?: string
  /** The dataset's name at each candidate (by peer ID) where it differs from `dataset`: holders of the same bytes may name them differently. */
  names?: Record<string, string>
  candidates: PeerId[]
  anyWorker?: boolean
}

export interface JobTargetsComponents {
  libp2p: Pick<Libp2p, 'peerId' | 'getConnections'>
  searcher: Pick<Searcher, 'search'>
  /** Where each answer's claimed load goes, for the scheduler's least-loaded placement. */
  load?: Pick<LoadBook, 'claim'>
  logger: ComponentLogger
}

/**
 * Chooses job targets, every one from the liveness-checked search (or named by the caller):
 * the holders of the same bytes (by content hash) are the candidates for one job, and data-free
 * jobs go to live `#compute:js` workers, rotated round-robin (the scheduler takes the least
 * loaded of them; the rotation breaks ties). Every answer's claimed load is noted.
 */
export class JobTargets {
  private readonly components: JobTargetsComponents
  private readonly log: Logger
  /** Round-robin from a random start, so many one-off requesters do not all pick the same first worker. */
  private nextWorker = Math.floor(Math.random() * 1024)

  constructor (components: JobTargetsComponents) {
    this.components = components
    this.log = components.logger.forComponent('grid:targets')
  }

  async find (query: TargetQuery, options: AbortOptions = {}): Promise<JobTarget[]> {
    if (query.peers != null && query.peers.length > 0) return this.named(query.peers, query.dataset)
    if (query.tags != null && query.tags.length > 0) return this.holders(query.tags, query.match ?? 'any', options)
    return [{ candidates: await this.workers(options), anyWorker: true }]
  }

  private named (peers: Array<PeerId | string>, dataset?: string): JobTarget[] {
    return peers.map(p => ({ ...(dataset != null ? { dataset } : {}), candidates: [typeof p === 'string' ? peerIdFromString(p) : p] }))
  }

  /** One target per distinct dataset content; every holder of the same bytes can take it over. */
  private async holders (tags: string[], match: 'any' | 'all', options: AbortOptions): Promise<JobTarget[]> {
    const byHash = new Map<string, JobTarget & { dataset: string }>()
    for await (const holder of this.components.searcher.search(tags, { match, cache: false, signal: options.signal })) {
      this.noteLoad(holder)
      for (const d of holder.datasets) {
        const target = byHash.get(d.hash) ?? { dataset: d.name, hash: d.hash, candidates: [] }
        target.candidates.push(holder.peerId)
        if (d.name !== target.dataset) target.names = { ...target.names, [holder.peerId.toString()]: d.name }
        byHash.set(d.hash, target)
      }
    }
    return [...byHash.values()]
  }

  /** Live peers offering `#compute:js` (never this node), rotated so successive data-free jobs spread round-robin. */
  private async workers (options: AbortOptions): Promise<PeerId[]> {
    const { libp2p, searcher } = this.components
    const found: PeerId[] = []
    // alone (a tab that lost its relay): nobody to ask, so do not wait for a lookup to time out
    if (libp2p.getConnections().length === 0) return found
    try {
      for await (const r of searcher.search([c.COMPUTE_CAPABILITY_TAG], { cache: false, signal: options.signal })) {
        this.noteLoad(r)
        if (r.capabilities.includes(c.COMPUTE_CAPABILITY_TAG) && !r.peerId.equals(libp2p.peerId)) found.push(r.peerId)
      }
    } catch (err) {
      this.log('worker search ended - %e', err)
    }
    const start = found.length === 0 ? 0 : this.nextWorker++ % found.length
    return [...found.slice(start), ...found.slice(0, start)]
  }

  private noteLoad (result: SearchResult): void {
    if (result.load != null) this.components.load?.claim(result.peerId.toString(), result.load)
  }
}
