/**
 * `/grid/<network>/catalog/1.0.0` (src/catalog/catalog-service.ts) over an in-memory stream pair,
 * with narrow fakes for its components: no sockets, no libp2p node. The holder's handler answers
 * with descriptors only and hides private datasets from peers not on their allow-list; a frame
 * that does not decode, carries too many tags or is too large resets the stream, and the handler
 * goes on serving. The requester's `query` reads an answer and turns a refusal into a
 * CatalogError. Real sockets: test/search.spec.ts, test/hostile-datasets.spec.ts, test/wire-fuzz.spec.ts.
 */
import { defaultLogger } from '@libp2p/logger'
import { lpStream, pbStream, streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { AccessPolicy, maySee } from '../src/access.js'
import { CatalogService } from '../src/catalog/catalog-service.js'
import { matches } from '../src/catalog/descriptor.js'
import * as c from '../src/constants.js'
import { CatalogError } from '../src/errors.js'
import { CatalogRequest, CatalogResponse, Status } from '../src/pb/grid.js'
import { connectionFrom, ending, fakeLibp2p, FRIEND, HOLDER, STRANGER } from './helpers/protocol-harness.js'
import type { CatalogComponents } from '../src/catalog/catalog-service.js'
import type { DatasetDescriptor } from '../src/catalog/descriptor.js'
import type { DatasetStore } from '../src/catalog/datasets.js'
import type { PeerId, Stream } from '@libp2p/interface'

function descriptor (name: string, tags: string[], visibility: 'public' | 'private' = 'public', allow: string[] = []): DatasetDescriptor {
  return { name, tags, description: `${name} rows`, format: 'csv', rows: 3, columns: [{ name: 'a', type: 'number' }], hash: 'ab'.repeat(32), bytes: 42, visibility, allow, addedAt: 1, status: 'ok' }
}

const DATASETS = [
  descriptor('cars', ['#cars']),
  descriptor('secret-cars', ['#cars', '#private'], 'private', [FRIEND.toString()]),
  descriptor('iris', ['#iris', '#flowers'])
]

/** The part of a DatasetStore the catalog asks: what a peer may see among the datasets with the tags. */
function fakeDatasets (datasets = DATASETS): Pick<DatasetStore, 'matching'> & { asked: Array<{ tags: string[], match: string, peer?: string }> } {
  const asked: Array<{ tags: string[], match: string, peer?: string }> = []
  return {
    asked,
    matching: async (tags: string[], match: 'any' | 'all', peer?: string) => {
      asked.push({ tags, match, peer })
      return datasets.filter(d => maySee(d, peer) && matches(d, tags, match))
    }
  }
}

async function holderService (init: { access?: AccessPolicy, datasets?: ReturnType<typeof fakeDatasets> } = {}) {
  const libp2p = fakeLibp2p()
  const datasets = init.datasets ?? fakeDatasets()
  const service = new CatalogService({
    libp2p: libp2p as unknown as CatalogComponents['libp2p'],
    streams: libp2p,
    datasets: datasets as unknown as DatasetStore,
    access: init.access ?? new AccessPolicy(),
    logger: defaultLogger()
  }, { network: 'lab' })
  await service.start()
  const registered = libp2p.handlers.get(service.protocol)
  if (registered == null) throw new Error('the catalog registered no handler')
  /** Opens a stream from `peer` to the handler; the test holds the requester's end. */
  const open = async (peer: PeerId): Promise<{ requester: Stream, served: Promise<void> }> => {
    const [requester, holder] = await streamPair()
    const served = Promise.resolve(registered.handler(holder, connectionFrom(peer)))
    return { requester, served }
  }
  return { service, libp2p, datasets, registered, open }
}

async function ask (requester: Stream, request: CatalogRequest): Promise<CatalogResponse> {
  const pb = pbStream(requester)
  await pb.write(request, CatalogRequest)
  const response = await pb.read(CatalogResponse)
  await requester.close()
  return response
}

describe('catalog protocol: the holder', () => {
  it('registers /grid/<network>/catalog/1.0.0, on limited (relayed) connections too, and unregisters on stop', async () => {
    const { service, libp2p, registered } = await holderService()
    expect(service.protocol).toBe('/grid/lab/catalog/1.0.0')
    expect(registered.options).toMatchObject({ maxInboundStreams: c.CATALOG_MAX_INBOUND_STREAMS, runOnLimitedConnection: true })
    await service.stop()
    expect(libp2p.handlers.size).toBe(0)
  })

  it('answers with the descriptors of the public datasets matching any tag, and nothing else', async () => {
    const { open, datasets } = await holderService()
    const { requester, served } = await open(STRANGER)
    const response = await ask(requester, { tags: ['#cars', '#flowers'], matchAll: false })
    await served
    expect(response.status).toBe(Status.OK)
    expect(response.datasets.map(d => d.name)).toEqual(['cars', 'iris'])
    // the wire carries the descriptor only: no allow-list, visibility or time added, never rows
    expect(Object.keys(response.datasets[0] ?? {}).sort()).toEqual(['bytes', 'columns', 'description', 'format', 'hash', 'name', 'rows', 'status', 'tags'])
    expect(response.datasets[0]).toEqual({ name: 'cars', tags: ['#cars'], description: 'cars rows', rows: 3n, columns: [{ name: 'a', type: 'number' }], format: 'csv', hash: 'ab'.repeat(32), bytes: 42n, status: 'ok' })
    // the store is asked on behalf of the peer at the other end of the connection
    expect(datasets.asked).toEqual([{ tags: ['#cars', '#flowers'], match: 'any', peer: STRANGER.toString() }])
  })

  it('hides a private dataset from a stranger and shows it to a peer on its allow-list', async () => {
    const { open } = await holderService()
    const stranger = await open(STRANGER)
    expect((await ask(stranger.requester, { tags: ['#cars'], matchAll: false })).datasets.map(d => d.name)).toEqual(['cars'])
    expect((await ask((await open(STRANGER)).requester, { tags: ['#private'], matchAll: false })).datasets).toEqual([])
    const friend = await open(FRIEND)
    expect((await ask(friend.requester, { tags: ['#cars'], matchAll: false })).datasets.map(d => d.name)).toEqual(['cars', 'secret-cars'])
  })

  it('matches every tag with matchAll, normalising the tags asked', async () => {
    const { open, datasets } = await holderService()
    const { requester } = await open(FRIEND)
    expect((await ask(requester, { tags: [' #CARS ', 'private'], matchAll: true })).datasets.map(d => d.name)).toEqual(['secret-cars'])
    expect(datasets.asked[0]).toMatchObject({ tags: ['#cars', '#private'], match: 'all' })
  })

  it('names the capabilities asked for that it offers: #compute:js only while compute is open to all', async () => {
    const open = await holderService()
    const answer = await ask((await open.open(STRANGER)).requester, { tags: ['#compute:js', '#cars'], matchAll: false })
    expect(answer.capabilities).toEqual(['#compute:js'])
    const closed = await holderService({ access: new AccessPolicy({ allow: [FRIEND.toString()] }) })
    expect((await ask((await closed.open(STRANGER)).requester, { tags: ['#compute:js'], matchAll: false })).capabilities).toEqual([])
    const off = await holderService({ access: new AccessPolicy({ offer: false }) })
    expect((await ask((await off.open(STRANGER)).requester, { tags: ['#compute:js'], matchAll: false })).capabilities).toEqual([])
  })

  it.each([
    ['no tags', [], 'ask for at least one tag'],
    ['a tag that is not one', ['#no spaces'], 'no spaces']
  ])('answers a request with %s BAD_REQUEST with a message, without asking the store', async (_what, tags, message) => {
    const { open, datasets } = await holderService()
    const response = await ask((await open(STRANGER)).requester, { tags, matchAll: false })
    expect(response.status).toBe(Status.BAD_REQUEST)
    expect(response.message).toContain(message)
    expect(response.datasets).toEqual([])
    expect(datasets.asked).toEqual([])
  })

  it.each([
    // field 1 (tags) with wire type 7, which does not exist
    ['a frame that does not decode', Uint8Array.from([0x0f, 0x01])],
    ['a frame with more tags than MAX_CATALOG_TAGS', CatalogRequest.encode({ tags: Array.from({ length: c.MAX_CATALOG_TAGS + 1 }, (_, i) => `#t${i}`), matchAll: false })],
    ['a frame over MAX_CATALOG_REQUEST_BYTES', CatalogRequest.encode({ tags: ['#' + 'x'.repeat(c.MAX_CATALOG_REQUEST_BYTES)], matchAll: false })]
  ])('resets the stream on %s, answers nothing, and goes on serving', async (_what, frame) => {
    const { open, datasets } = await holderService()
    const { requester, served } = await open(STRANGER)
    const ended = ending(requester)
    // the holder may reset while we write or close; a holder that answered would end the stream cleanly
    await lpStream(requester).write(frame).catch(() => {})
    await requester.close().catch(() => {})
    const end = await ended
    await served
    expect(end.error).toBeDefined()
    expect(end.received).toBe(0)
    expect(requester.status).toBe('reset')
    expect(datasets.asked).toEqual([])
    // the next peer is served as before
    expect((await ask((await open(STRANGER)).requester, { tags: ['#cars'], matchAll: false })).datasets.map(d => d.name)).toEqual(['cars'])
  })
})

describe('catalog protocol: the requester', () => {
  const requesterService = (holder: (stream: Stream) => void) => {
    const libp2p = fakeLibp2p(holder)
    const service = new CatalogService({
      libp2p: libp2p as unknown as CatalogComponents['libp2p'],
      streams: libp2p,
      datasets: fakeDatasets([]) as unknown as DatasetStore,
      access: new AccessPolicy(),
      logger: defaultLogger()
    }, { network: 'lab' })
    return { service, libp2p }
  }

  it('query() asks the holder over its catalog protocol and reads descriptors and capabilities back', async () => {
    const holder = await holderService()
    const { service, libp2p } = requesterService(stream => { void holder.registered.handler(stream, connectionFrom(FRIEND)) })
    const answer = await service.query(HOLDER, ['#cars', '#compute:js'], 'any')
    expect(libp2p.dialed).toEqual([{ peer: HOLDER.toString(), protocol: '/grid/lab/catalog/1.0.0' }])
    expect(answer.capabilities).toEqual(['#compute:js'])
    expect(answer.datasets.map(d => d.name)).toEqual(['cars', 'secret-cars'])
    // what a requester learns is public to it, and carries no allow-list
    expect(answer.datasets[1]).toMatchObject({ name: 'secret-cars', visibility: 'public', allow: [], rows: 3, bytes: 42 })
    expect(holder.datasets.asked).toEqual([{ tags: ['#cars', '#compute:js'], match: 'any', peer: FRIEND.toString() }])
  })

  it('query() sends match all as matchAll', async () => {
    let request: CatalogRequest | undefined
    const { service } = requesterService(stream => {
      void (async () => {
        const pb = pbStream(stream)
        request = await pb.read(CatalogRequest)
        await pb.write({ status: Status.OK, message: '', datasets: [], capabilities: [] }, CatalogResponse)
        await stream.close()
      })()
    })
    expect(await service.query(HOLDER, ['#a', '#b'], 'all')).toEqual({ datasets: [], capabilities: [] })
    expect(request).toEqual({ tags: ['#a', '#b'], matchAll: true })
  })

  it('a refusal from the holder is a CatalogError with its status and message', async () => {
    const { service } = requesterService(stream => {
      void (async () => {
        const pb = pbStream(stream)
        await pb.read(CatalogRequest)
        await pb.write({ status: Status.BUSY, message: 'too many catalog requests', datasets: [], capabilities: [] }, CatalogResponse)
        await stream.close()
      })()
    })
    const err = await service.query(HOLDER, ['#cars'], 'any').then(() => undefined, (e: Error) => e)
    expect(err).toBeInstanceOf(CatalogError)
    expect(err).toMatchObject({ name: 'CatalogError', status: Status.BUSY, message: 'too many catalog requests' })
  })

  it('a holder that resets the stream fails the query', async () => {
    const { service } = requesterService(stream => {
      void (async () => {
        await pbStream(stream).read(CatalogRequest)
        stream.abort(new Error('no'))
      })()
    })
    await expect(service.query(HOLDER, ['#cars'], 'any')).rejects.toThrow()
  })
})
