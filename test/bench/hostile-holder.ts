// Child process for the hostile-peer benchmark: a grid node (compute open to all, a 2-worker
// pool, dataset "fuzz" tagged #fuzz) whose memory the benchmark reads from /proc/<pid>/status.
// Prints {"addr", "peerId", "pid"} once listening; SIGTERM stops it.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'

const dataDir = await mkdtemp(join(tmpdir(), 'grid-bench-hostile-'))
const node = await createGridNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], lan: true, compute: { poolSize: 2 } })
await node.datasets.add({ name: 'fuzz', rows: [{ a: 1 }, { a: 2 }, { a: 3 }], tags: ['#fuzz'] })

process.stdout.write(JSON.stringify({ addr: node.shareableAddrs()[0]!.toString(), peerId: node.peerId.toString(), pid: process.pid }) + '\n')
process.on('SIGTERM', () => {
  void node.stop().finally(async () => {
    await rm(dataDir, { recursive: true, force: true })
    process.exit(0)
  })
})
