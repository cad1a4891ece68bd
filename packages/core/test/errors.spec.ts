import { defaultLogger } from '@libp2p/logger'
import { describe, expect, it } from 'vitest'
import { federate } from '../src/compute/federate.js'
import { Searcher } from '../src/discovery/search.js'
import * as errors from '../src/errors.js'
import { openDatasetFile } from '../src/platform/dataset-file.browser.js'
import type { SearchComponents } from '../src/discovery/search.js'

describe('errors', () => {
  const classes = Object.entries(errors).filter(([, value]) => typeof value === 'function') as Array<[string, new (...args: any[]) => Error]>

  it.each(classes)('%s is matched by its name: the class, its static name and its instances agree', (exported, ErrorClass) => {
    expect(ErrorClass.name).toBe(exported)
    const instance = new ErrorClass(...Array.from({ length: ErrorClass.length }, () => ['x']))
    expect(instance).toBeInstanceOf(Error)
    expect(instance.name).toBe(exported)
  })

  it('a search for no tags is a SearchInvalidError, not a dataset error', async () => {
    const searcher = new Searcher({ logger: defaultLogger() } as unknown as SearchComponents, { network: 'main' })
    await expect(searcher.search([]).next()).rejects.toMatchObject({ name: errors.SearchInvalidError.name, message: 'search needs at least one tag, e.g. #cars' })
  })

  it('a federated round that no holder answered is a FederateRoundError naming the round, the tags and the update expected', async () => {
    const nobody = async function * (): AsyncGenerator<never> {}
    await expect(federate(nobody, { code: '', tags: ['#a', '#b'], init: [0, 0] })).rejects.toMatchObject({
      name: errors.FederateRoundError.name,
      message: 'round 0: no holder of #a #b returned { update: number[2], n }'
    })
  })

  it('a dataset file in a browser is a NoFileSystemError that says to add rows instead', async () => {
    await expect(openDatasetFile('cars.csv', { maxBytes: 1, chunkBytes: 1 })).rejects.toMatchObject({
      name: errors.NoFileSystemError.name,
      message: 'cannot read "cars.csv": a browser node has no file system; add the dataset with rows instead of a path'
    })
  })
})
