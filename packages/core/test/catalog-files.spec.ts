import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DatasetStore } from '../src/catalog/datasets.js'
import { openDatasetFile } from '../src/platform/dataset-file.node.js'
import { openStore } from '../src/store/store.js'
import type { Store } from '../src/store/store.js'

describe('catalog answers and dataset files', () => {
  let dir: string
  let store: Store
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grid-catalog-files-'))
    store = await openStore(join(dir, 'db'))
  })
  afterEach(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers from memory with the last known status; ls re-checks; a background re-check is rate-bounded', async () => {
    const file = join(dir, 'cars.csv')
    await writeFile(file, 'a\n1\n')
    const slow = new DatasetStore(store.sublevel('datasets'), { statusRefreshMs: 60_000 })
    await slow.add({ path: file, tags: ['#cars'] })
    await rm(file)
    // the catalog path touches no file: the file is gone, the answer still says what was last known
    expect((await slow.matching(['#cars'], 'any')).map(d => d.status)).toEqual(['ok'])
    expect((await slow.list()).map(d => d.status)).toEqual(['missing'])
    expect((await slow.matching(['#cars'], 'any')).map(d => d.status)).toEqual(['missing'])

    // a store that may refresh at once does so in the background, started by a catalog request
    await writeFile(file, 'a\n1\n')
    const eager = new DatasetStore(store.sublevel('datasets'), { statusRefreshMs: 0 })
    await rm(file)
    expect((await eager.matching(['#cars'], 'any')).map(d => d.status)).toEqual(['ok'])
    await expect.poll(async () => (await eager.matching(['#cars'], 'any')).map(d => d.status)).toEqual(['missing'])
  })

  it('a descriptor that does not decode is skipped by the catalog, named by ls, and removable', async () => {
    const datasets = store.sublevel('datasets')
    await new DatasetStore(datasets).add({ name: 'fine', rows: [{ a: 1 }], tags: ['#x'] })
    await datasets.put('meta:broken', new TextEncoder().encode('{not json'))
    const fresh = new DatasetStore(datasets)
    expect((await fresh.matching(['#x'], 'any')).map(d => d.name)).toEqual(['fine'])
    await expect(fresh.list()).rejects.toMatchObject({ name: 'DatasetInvalidError', message: expect.stringMatching(/meta:broken does not decode; remove the dataset/) })
    await fresh.remove('broken')
    expect((await fresh.list()).map(d => d.name)).toEqual(['fine'])
  })

  it('stops reading a file that grows past the limit, or changes, while it is read', async () => {
    const file = join(dir, 'growing.csv')
    await writeFile(file, 'a\n' + '1\n'.repeat(50))
    const growing = await openDatasetFile(file, { maxBytes: 1000, chunkBytes: 10 })
    const chunks = growing.chunks()
    await chunks.next()
    await appendFile(file, '2\n'.repeat(1000))
    await expect((async () => { while ((await chunks.next()).done !== true); })()).rejects.toMatchObject({ name: 'DatasetTooLargeError', message: expect.stringMatching(/grew past 1000 bytes while it was being read/) })
    await growing.close()

    await writeFile(file, 'a\n' + '1\n'.repeat(50))
    const changing = await openDatasetFile(file, { maxBytes: 1000, chunkBytes: 10 })
    const more = changing.chunks()
    await more.next()
    await appendFile(file, '2\n')
    await expect((async () => { while ((await more.next()).done !== true); })()).rejects.toMatchObject({ name: 'DatasetFileError', message: expect.stringMatching(/changed while it was being read/) })
    await changing.close()
  })
})

describe('adding a dataset whose file is missing', () => {
  it('says the file is missing, even when the name is taken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'grid-catalog-missing-'))
    const store = await openStore(join(dir, 'db'))
    try {
      const datasets = new DatasetStore(store.sublevel('datasets'))
      await writeFile(join(dir, 'cars.csv'), 'a\n1\n')
      await datasets.add({ path: join(dir, 'cars.csv'), tags: ['#cars'] })
      await expect(datasets.add({ path: join(dir, 'gone', 'cars.csv'), tags: ['#cars'] })).rejects.toMatchObject({ name: 'DatasetFileError', message: expect.stringMatching(/ENOENT/) })
      await expect(datasets.add({ path: join(dir, 'cars.csv'), tags: ['#cars'] })).rejects.toMatchObject({ name: 'DatasetExistsError' })
    } finally {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
