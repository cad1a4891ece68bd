import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'
import { dataDirOf } from './data-dir.js'
import { NodeNotRunningError } from './errors.js'
import { flag, listValue, stringValue } from './options.js'
import type { OptionSpec, Values } from './options.js'
import type { GridNode } from '@grid-node/core'

/** A short-lived node has this long to join through its bootstrap list. */
const CLIENT_JOIN_TIMEOUT = 15_000

/** The options of commands that, with no running node, join the grid for one request. */
export const CLIENT_OPTIONS: Record<string, OptionSpec> = {
  bootstrap: { type: 'string', multiple: true, description: 'with no running node: peers to join through', placeholder: 'multiaddr' },
  network: { type: 'string', description: 'with no running node: the grid to join', default: 'main', placeholder: 'name' },
  lan: { type: 'boolean', description: 'with no running node: accept private and loopback addresses' }
}

/**
 * No running node: join through --bootstrap as a DHT client with a throwaway identity, do the
 * work, leave, forget.
 */
export async function withShortLivedNode<T> (values: Values, signal: AbortSignal, work: (node: GridNode) => Promise<T>): Promise<T> {
  const bootstrap = listValue(values, 'bootstrap')
  if (bootstrap.length === 0) {
    throw new NodeNotRunningError(`data dir ${dataDirOf(values)} and no --bootstrap was given (pass --bootstrap <multiaddr> or GRID_NODE_BOOTSTRAP to go without one)`)
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'grid-client-'))
  try {
    const network = stringValue(values, 'network')
    const node = await createGridNode({ dataDir, listen: [], bootstrap, lan: flag(values, 'lan'), dhtClient: true, ...(network != null ? { network } : {}) })
    try {
      await node.whenReady({ signal: AbortSignal.any([signal, AbortSignal.timeout(CLIENT_JOIN_TIMEOUT)]) }).catch(() => {
        throw new Error(`could not join the grid through ${bootstrap.join(', ')} within ${CLIENT_JOIN_TIMEOUT / 1000} s; check the addresses`)
      })
      return await work(node)
    } finally {
      await node.stop()
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}
