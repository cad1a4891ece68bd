import { pbStream } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import * as c from '../constants.js'
import { CatalogError } from '../errors.js'
import { CatalogRequest, CatalogResponse, Status } from '../pb/grid.js'
import { normaliseTags } from '../tags.js'
import { fromPbDataset, toPbDataset } from './convert.js'
import type { DatasetDescriptor } from './descriptor.js'
import type { AccessPolicy } from '../access.js'
import type { DatasetStore } from './datasets.js'
import type { PeerLoad } from '../compute/load-book.js'
import type { AbortOptions, ComponentLogger, Connection, Libp2p, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { StreamOpener } from '../network/grid-streams.js'

export interface CatalogComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle'>
  /** Opens streams to peers: directly when possible, through a relay otherwise. */
  streams: StreamOpener
  datasets: DatasetStore
  /** Which capability tags this node offers right now (`#compute:js` while it runs others' jobs). */
  access: Pick<AccessPolicy, 'capabilities'>
  /** This node's worker pool now, stated in every answer so requesters can place jobs on the least loaded. */
  load?: () => PeerLoad
  logger: ComponentLogger
}

/**
 * A peer's answer: its datasets matching the tags, the asked tags that are capabilities it
 * offers, and its worker pool's load as it claims it (absent from older nodes; a hint, never trusted).
 */
export interface CatalogAnswer { datasets: DatasetDescriptor[], capabilities: string[], load?: PeerLoad }

/**
 * `/grid/<network>/catalog/1.0.0`: a peer asks for the descriptors of the public datasets
 * matching some tags and gets one length-prefixed answer. A frame that does not decode or is
 * too large resets that stream; the node goes on serving everyone else.
 */
export interface CatalogInit {
  /** The grid (`--network`) whose protocol IDs and DHT keys this speaks. @default DEFAULT_NETWORK ('main') */
  network?: string
}

export class CatalogService implements Startable {
  readonly protocol: string
  private readonly components: CatalogComponents
  private readonly log: Logger

  constructor (components: CatalogComponents, init: CatalogInit = {}) {
    this.components = components
    this.protocol = c.catalogProtocol(init.network ?? c.DEFAULT_NETWORK)
    this.log = components.logger.forComponent('grid:catalog')
  }

  async start (): Promise<void> {
    await this.components.libp2p.handle(this.protocol, async (stream, connection) => { await this.serve(stream, connection) }, {
      maxInboundStreams: c.CATALOG_MAX_INBOUND_STREAMS,
      runOnLimitedConnection: true
    })
  }

  async stop (): Promise<void> {
    await this.components.libp2p.unhandle(this.protocol)
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(c.CATALOG_HANDLER_TIMEOUT)
    const pb = pbStream(stream, { maxDataLength: c.MAX_CATALOG_REQUEST_BYTES })
    let request: CatalogRequest
    try {
      request = await pb.read(CatalogRequest, { signal, limits: { tags: c.MAX_CATALOG_TAGS } })
    } catch (err) {
      this.log('bad catalog request from %p, resetting the stream - %e', connection.remotePeer, err)
      stream.abort(err as Error)
      return
    }
    try {
      const response = await this.answer(request, connection.remotePeer.toString())
      await pb.write(response, CatalogResponse, { signal })
      await stream.close({ signal })
    } catch (err) {
      this.log('catalog answer to %p failed - %e', connection.remotePeer, err)
      stream.abort(err as Error)
    }
  }

  private async answer (request: CatalogRequest, peer: string): Promise<CatalogResponse> {
    let tags: string[]
    try {
      tags = normaliseTags(request.tags)
    } catch (err: any) {
      return { status: Status.BAD_REQUEST, message: err.message, datasets: [], capabilities: [] }
    }
    if (tags.length === 0) return { status: Status.BAD_REQUEST, message: 'ask for at least one tag', datasets: [], capabilities: [] }
    const datasets = await this.components.datasets.matching(tags, request.matchAll ? 'all' : 'any', peer)
    const offered = this.components.access.capabilities()
    const load = this.components.load?.()
    return { status: Status.OK, message: '', datasets: datasets.map(toPbDataset), capabilities: tags.filter(t => offered.includes(t)), ...(load != null ? { load } : {}) }
  }

  /** Asks a peer for its public datasets matching the tags, and which of them it offers as capabilities. */
  async query (peer: PeerId, tags: string[], match: 'any' | 'all', options: AbortOptions = {}): Promise<CatalogAnswer> {
    const signal = anySignal([options.signal, AbortSignal.timeout(c.CATALOG_HANDLER_TIMEOUT)])
    let stream: Stream | undefined
    try {
      stream = (await this.components.streams.open(peer, this.protocol, { signal })).stream
      const pb = pbStream(stream, { maxDataLength: c.MAX_CATALOG_RESPONSE_BYTES })
      await pb.write({ tags, matchAll: match === 'all' }, CatalogRequest, { signal })
      const response = await pb.read(CatalogResponse, { signal })
      await stream.close({ signal })
      if (response.status !== Status.OK) throw new CatalogError(response.status, response.message)
      return { datasets: response.datasets.map(fromPbDataset), capabilities: response.capabilities, ...(response.load != null ? { load: response.load } : {}) }
    } catch (err) {
      stream?.abort(err as Error)
      throw err
    } finally {
      signal.clear()
    }
  }
}
