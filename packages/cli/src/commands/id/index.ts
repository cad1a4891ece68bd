import { loadPeerId } from '@grid-node/core'
import { findApi, nodeOptions } from '../../api/client.js'
import { dataDirOf, prepareDataDir } from '../../data-dir.js'
import { NodeNotRunningError } from '../../errors.js'
import { flag } from '../../options.js'
import type { Command, Context } from '../../options.js'

export const id: Command = {
  name: 'id',
  summary: 'Print the peer ID of the node on a data dir, running or not (a new data dir gets its identity now).',
  options: nodeOptions('print {"peerId": "…"}'),
  execute: async ({ values, io }: Context) => {
    const peerId = await askRunningNode(values) ?? await readDataDir(dataDirOf(values))
    io.out(flag(values, 'json') ? JSON.stringify({ peerId }) : peerId)
    return 0
  }
}

/** A running node holds the database lock, so it is asked rather than read. */
async function askRunningNode (values: Context['values']): Promise<string | undefined> {
  const api = await findApi(values)
  if (api == null) return undefined
  try {
    return (await api.get<{ peerId: string }>('/health-check')).peerId
  } catch (err) {
    // a stale api file left by a node that was killed: fall back to the data dir
    if (err instanceof NodeNotRunningError && values.api == null) return undefined
    throw err
  }
}

async function readDataDir (dataDir: string): Promise<string> {
  await prepareDataDir(dataDir)
  return (await loadPeerId(dataDir)).toString()
}
