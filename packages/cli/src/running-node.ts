import { openDatasets } from '@grid-node/core'
import { findApi } from './api/client.js'
import { dataDirOf, prepareDataDir, removeDataDir } from './data-dir.js'
import { NodeNotRunningError } from './errors.js'
import type { ApiClient } from './api/client.js'
import type { Values } from './options.js'

type DatasetStore = Awaited<ReturnType<typeof openDatasets>>['datasets']

/**
 * How a command reaches a node: the running one, through its API, when one answers; else
 * `otherwise`, which acts on the data dir itself (withDataDirDatasets) or joins the grid for
 * the one request (withShortLivedNode). A stale `api` file left by a killed node counts as no
 * node; an explicit --api that does not answer is an error.
 */
export async function onRunningNodeOr<T> (values: Values, viaApi: (api: ApiClient) => Promise<T>, otherwise: () => Promise<T>): Promise<T> {
  const api = await findApi(values)
  if (api != null) {
    try {
      return await viaApi(api)
    } catch (err) {
      if (!(err instanceof NodeNotRunningError) || values.api != null) throw err
    }
  }
  return otherwise()
}

/**
 * No running node: open the data dir's dataset store for `work`, then close it. A data dir
 * created here for a store that would not open is removed again.
 */
export async function withDataDirDatasets<T> (values: Values, work: (datasets: DatasetStore) => Promise<T>): Promise<T> {
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
    return await work(opened.datasets)
  } finally {
    await opened.close()
  }
}
