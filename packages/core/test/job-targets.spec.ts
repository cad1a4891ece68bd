import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { JobTargets } from '../src/discovery/targets.js'
import type { DatasetDescriptor } from '../src/catalog/descriptor.js'
import type { SearchOptions, SearchResult } from '../src/discovery/search.js'
import type { JobTargetsComponents } from '../src/discovery/targets.js'
import type { PeerId } from '@libp2p/interface'

const newPeer = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const [self, a, b, c] = await Promise.all([newPeer(), newPeer(), newPeer(), newPeer()]) as [PeerId, PeerId, PeerId, PeerId]

function dataset (name: string, hash: string): DatasetDescriptor {
  return { name, tags: ['#cars'], description: '', format: 'csv', rows: 1, columns: [], hash, bytes: 1, visibility: 'public', allow: [], addedAt: 0, status: 'ok' }
}

function holder (peerId: PeerId, datasets: DatasetDescriptor[], capabilities: string[] = []): SearchResult {
  return { peerId, addrs: [], rttMs: 1, datasets, capabilities }
}

/** A searcher that answers from a fixed list and records what it was asked. */
function fake (results: SearchResult[] | Error, connections = 1): { asked: Array<{ tags: string[], options: SearchOptions }>, targets: JobTargets } {
  const asked: Array<{ tags: string[], options: SearchOptions }> = []
  const components: JobTargetsComponents = {
    libp2p: { peerId: self, getConnections: () => Array.from({ length: connections }) } as unknown as JobTargetsComponents['libp2p'],
    searcher: {
      search: async function * (tags: string[], options: SearchOptions = {}) {
        asked.push({ tags, options })
        if (results instanceof Error) throw results
        yield * results
      }
    },
    logger: defaultLogger()
  }
  return { asked, targets: new JobTargets(components) }
}

const ids = (peers: PeerId[]): string[] => peers.map(p => p.toString())

describe('JobTargets', () => {
  it('holders of tags: one target per distinct content hash, every holder of those bytes a candidate', async () => {
    const { asked, targets } = fake([
      holder(a, [dataset('cars', 'h1'), dataset('trucks', 'h2')]),
      holder(b, [dataset('autos', 'h1')]),
      holder(self, [dataset('mine', 'h3')])
    ])
    const found = await targets.find({ tags: ['#cars'], match: 'all' })
    expect(found.map(t => [t.dataset, ids(t.candidates)])).toEqual([
      ['cars', ids([a, b])],
      ['trucks', ids([a])],
      ['mine', ids([self])]
    ])
    expect(found.every(t => t.anyWorker !== true)).toBe(true)
    // fresh liveness, never a cached answer; the match mode is passed on
    expect(asked).toEqual([{ tags: ['#cars'], options: expect.objectContaining({ match: 'all', cache: false }) }])
  })

  it('holders of tags: no live holder is no target', async () => {
    expect(await fake([]).targets.find({ tags: ['#nobody'] })).toEqual([])
  })

  it('holders of tags: a search that fails (a bad tag) fails the lookup', async () => {
    await expect(fake(new Error('invalid tag')).targets.find({ tags: ['#'] })).rejects.toThrow('invalid tag')
  })

  it('named peers: one target each, as named (strings too), on the given dataset, without a search', async () => {
    const { asked, targets } = fake([])
    const found = await targets.find({ peers: [a, b.toString()], dataset: 'shared', tags: ['#ignored'] })
    expect(found.map(t => [t.dataset, ids(t.candidates)])).toEqual([['shared', ids([a])], ['shared', ids([b])]])
    expect(found[0]).not.toHaveProperty('anyWorker')
    expect(asked).toEqual([])
  })

  it('named peers without a dataset: data-free targets', async () => {
    const found = await fake([]).targets.find({ peers: [self] })
    expect(found).toEqual([{ candidates: [self] }])
  })

  it('data-free: live #compute:js workers from the search, never this node nor a holder without the capability', async () => {
    const { asked, targets } = fake([
      holder(a, [], ['#compute:js']),
      holder(self, [dataset('tagged-like-a-capability', 'h')], ['#compute:js']),
      holder(b, [dataset('x', 'h')], []),
      holder(c, [], ['#compute:js'])
    ])
    const [target, ...rest] = await targets.find({})
    expect(rest).toEqual([])
    expect(target?.anyWorker).toBe(true)
    expect(target?.dataset).toBeUndefined()
    expect(ids(target?.candidates ?? []).sort()).toEqual(ids([a, c]).sort())
    expect(asked).toEqual([{ tags: ['#compute:js'], options: expect.objectContaining({ cache: false }) }])
  })

  it('data-free: successive jobs start at the next worker (round-robin)', async () => {
    const { targets } = fake([a, b, c].map(p => holder(p, [], ['#compute:js'])))
    const firsts: string[] = []
    for (let i = 0; i < 6; i++) {
      const [target] = await targets.find({})
      expect(target?.candidates).toHaveLength(3)
      firsts.push(target?.candidates[0]?.toString() ?? '')
    }
    const order = ids([a, b, c])
    const start = order.indexOf(firsts[0] ?? '')
    expect(firsts).toEqual(Array.from({ length: 6 }, (_, i) => order[(start + i) % 3]))
  })

  it('data-free with no connection: no workers at once, no search', async () => {
    const { asked, targets } = fake([holder(a, [], ['#compute:js'])], 0)
    expect(await targets.find({})).toEqual([{ candidates: [], anyWorker: true }])
    expect(asked).toEqual([])
  })

  it('data-free: a failed worker search is no workers, not a failure', async () => {
    expect(await fake(new Error('lookup failed')).targets.find({})).toEqual([{ candidates: [], anyWorker: true }])
  })

  it('passes the caller\'s signal to the search', async () => {
    const { asked, targets } = fake([])
    const controller = new AbortController()
    await targets.find({ tags: ['#cars'] }, { signal: controller.signal })
    expect(asked[0]?.options.signal).toBe(controller.signal)
  })
})
