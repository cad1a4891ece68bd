/**
 * Catalog answers state the holder's worker pool (`load`), a hint for least-loaded placement;
 * an older node's answer (no `load`) still reads. In-memory streams, as catalog-protocol.spec.ts.
 */
import { defaultLogger } from '@libp2p/logger'
import { pbStream } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { AccessPolicy } from '../src/access.js'
import { CatalogService } from '../src/catalog/catalog-service.js'
import { CatalogRequest, CatalogResponse, Status } from '../src/pb/grid.js'
import { connectionFrom, fakeLibp2p, FRIEND, HOLDER } from './helpers/protocol-harness.js'
import type { CatalogComponents } from '../src/catalog/catalog-service.js'
import type { DatasetStore } from '../src/catalog/datasets.js'
import type { PeerLoad } from '../src/compute/load-book.js'
import type { Stream } from '@libp2p/interface'

const noDatasets = { matching: async () => [] } as unknown as DatasetStore

function service (libp2p: ReturnType<typeof fakeLibp2p>, load?: () => PeerLoad): CatalogService {
  return new CatalogService({
    libp2p: libp2p as unknown as CatalogComponents['libp2p'],
    streams: libp2p,
    datasets: noDatasets,
    access: new AccessPolicy(),
    ...(load != null ? { load } : {}),
    logger: defaultLogger()
  }, { network: 'lab' })
}

describe('catalog answers: the holder\'s load', () => {
  it('a holder states its pool as it is when it answers', async () => {
    const holderLibp2p = fakeLibp2p()
    let running = 1
    const holder = service(holderLibp2p, () => ({ poolSize: 4, running, waiting: 7 }))
    await holder.start()
    const handler = holderLibp2p.handlers.get(holder.protocol)!.handler
    const requester = service(fakeLibp2p(stream => { void handler(stream, connectionFrom(FRIEND)) }))
    expect(await requester.query(HOLDER, ['#compute:js'], 'any')).toEqual({ datasets: [], capabilities: ['#compute:js'], load: { poolSize: 4, running: 1, waiting: 7 } })
    running = 3
    expect((await requester.query(HOLDER, ['#compute:js'], 'any')).load).toEqual({ poolSize: 4, running: 3, waiting: 7 })
  })

  it('an older node says nothing of its load: the answer has none', async () => {
    const older = (stream: Stream): void => {
      void (async () => {
        const pb = pbStream(stream)
        await pb.read(CatalogRequest)
        await pb.write({ status: Status.OK, message: '', datasets: [], capabilities: ['#compute:js'] }, CatalogResponse)
        await stream.close()
      })()
    }
    expect(await service(fakeLibp2p(older)).query(HOLDER, ['#compute:js'], 'any')).toEqual({ datasets: [], capabilities: ['#compute:js'] })
  })
})
