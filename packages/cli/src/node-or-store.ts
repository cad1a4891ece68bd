import { openDatasets } from '@grid-node/core'
import { findApi } from './api/client.js'
import { dataDirOf, prepareDataDir, removeDataDir } from './data-dir.js'
import { NodeNotRunningError } from './errors.js'
import type { ApiClient } from './api/client.js'
import type { Values } from './options.js'

type DatasetStore = Awaited<ReturnType<typeof openDatasets>>['datasets']

/**
 * Runs a datasets command against the running node (through its API) or, when none runs, on
 * the data dir itself. A stale `api` file left by a killed node counts as no node; an explicit
 * --api that does not answer is an error.
 */
export async function onNodeOrStore<T> (values: Values, viaApi: (api: ApiClient) => Promise<T>, viaStore: (datasets: DatasetStore) => Promise<T>): Promise<T> {
  const api = await findApi(values)
  if (api != null) {
    try {
      return await viaApi(api)
    } catch (err) {
      if (!(err instanceof NodeNotRunningError) || values.api != null) throw err
    }
  }
  const dataDir = dataDirOf(values)
  const { created } = await prepareDataDir(dataDir)
  let opened
  try {
    opened = await openDatasets(dataDir)
  } catch (err) {
    if (created) await removeDataDir(dataDir)
    throw err
  }
  try {
    return await viaStore(opened.datasets)
  } finally {
    await opened.close()
  }
}
