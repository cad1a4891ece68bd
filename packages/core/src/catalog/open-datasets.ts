import { databaseLocation } from '#platform'
import { openStore } from '../store/store.js'
import { DatasetStore } from './datasets.js'
import type { DatasetStoreInit } from './datasets.js'

/**
 * The datasets of a data dir whose node is not running (the CLI's `datasets` commands then act
 * on the store directly). Fails with StoreLockedError while a node runs on it.
 */
export async function openDatasets (dataDir: string, init: DatasetStoreInit = {}): Promise<{ datasets: DatasetStore, close: () => Promise<void> }> {
  const store = await openStore(databaseLocation(dataDir))
  return { datasets: new DatasetStore(store.sublevel('datasets'), init), close: async () => { await store.close() } }
}
