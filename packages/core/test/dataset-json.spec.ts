import { describe, expect, it } from 'vitest'
import * as c from '../src/constants.js'
import { DatasetJson } from '../src/compute/dataset-json.js'

describe('datasets\' rows as JSON text, kept for the next job on them', () => {
  const reader = (rows: unknown) => {
    const reads = { count: 0 }
    return { reads, read: async () => { reads.count++; return rows } }
  }

  it('reads a dataset once while its content is as hashed; a new hash, or a file changed since, is read again', async () => {
    const cache = new DatasetJson()
    const { reads, read } = reader([{ a: 1 }])
    const cars = { name: 'cars', hash: 'h1', status: 'ok' as const }
    expect(await cache.get(cars, read)).toBe('[{"a":1}]')
    expect(await cache.get(cars, read)).toBe('[{"a":1}]')
    expect(reads.count).toBe(1)
    await cache.get({ ...cars, hash: 'h2' }, read)
    expect(reads.count).toBe(2)
    // changed on disk since it was hashed, or never hashed: read every time
    await cache.get({ ...cars, status: 'changed' }, read)
    await cache.get({ ...cars, status: 'changed' }, read)
    await cache.get({ ...cars, hash: '' }, read)
    expect(reads.count).toBe(5)
  })

  it('keeps at most DATASET_JSON_CACHE_ENTRIES datasets, the least recently used going first', async () => {
    const cache = new DatasetJson()
    const { reads, read } = reader([1])
    const named = (i: number) => ({ name: `d${i}`, hash: 'h', status: 'ok' as const })
    for (let i = 0; i <= c.DATASET_JSON_CACHE_ENTRIES; i++) await cache.get(named(i), read)
    expect(reads.count).toBe(c.DATASET_JSON_CACHE_ENTRIES + 1)
    // d0 went when the last one came; d1 is still kept
    await cache.get(named(1), read)
    expect(reads.count).toBe(c.DATASET_JSON_CACHE_ENTRIES + 1)
    await cache.get(named(0), read)
    expect(reads.count).toBe(c.DATASET_JSON_CACHE_ENTRIES + 2)
  })
})
