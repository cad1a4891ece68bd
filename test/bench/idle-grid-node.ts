// Grid nodes for the benchmarks, each with a fresh data dir under os.tmpdir().
// Run directly, it is the idle-memory child process:
//   node --expose-gc test/bench/idle-grid-node.ts [count]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode } from '../../packages/core/dist/index.js'
import { LISTEN, reportIdleRss } from './idle-rss.ts'
import type { BenchNode } from './idle-rss.ts'

export async function startGridNode (bootstrap?: string): Promise<BenchNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'grid-node-'))
  const node = await createGridNode({ dataDir, listen: [LISTEN], bootstrap: bootstrap != null ? [bootstrap] : [], lan: true })
  return {
    addr: node.shareableAddrs()[0]!.toString(),
    ready: node.whenReady(),
    stop: async () => {
      await node.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}

if (import.meta.main) {
  await reportIdleRss(startGridNode)
  // the report is out: skip the second or so that stopped libp2p nodes keep the event loop alive
  process.exit(0)
}
