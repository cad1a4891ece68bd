import { loadPeerId } from '@grid-node/core'
import { dataDirOf, prepareDataDir } from '../../data-dir.js'
import { flag } from '../../options.js'
import { nodeOptions, onRunningNodeOr } from '../../running-node.js'
import type { HealthAnswer } from '../../api/shapes.js'
import type { Command, Context } from '../../options.js'

export const id: Command = {
  name: 'id',
  summary: 'Print the peer ID of the node on a data dir, running or not (a new data dir gets its identity now).',
  options: nodeOptions('print {"peerId": "…"}'),
  execute: async ({ values, io }: Context) => {
    // a running node holds the database lock, so it is asked rather than read
    const peerId = await onRunningNodeOr(values,
      async api => (await api.get<HealthAnswer>('/health-check')).peerId,
      async () => readDataDir(dataDirOf(values)))
    io.out(flag(values, 'json') ? JSON.stringify({ peerId }) : peerId)
    return 0
  }
}

async function readDataDir (dataDir: string): Promise<string> {
  await prepareDataDir(dataDir)
  return (await loadPeerId(dataDir)).toString()
}
