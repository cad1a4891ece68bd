import { createGridNode } from '@grid-node/core'
import { afterAll, describe, expect, it } from 'vitest'
import { removeDir, tempDir } from './helpers/cli.js'
import type { GridNode } from '@grid-node/core'

// libp2p recorded a stream's protocol in the peer store on every stream (a read, decode and
// write of the peer's whole record in the node's database, changed or not): a job each. The
// patched connection records each protocol once per connection.
describe('streams and the peer store', () => {
  const dirs: string[] = []
  const nodes: GridNode[] = []
  const newDir = async (): Promise<string> => { const d = await tempDir(); dirs.push(d); return d }

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('20 jobs on one connection record the compute protocol in the peer store once on each side', async () => {
    const worker = await createGridNode({ dataDir: await newDir(), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true })
    const requester = await createGridNode({ dataDir: await newDir(), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true, bootstrap: worker.getMultiaddrs().map(String) })
    nodes.push(worker, requester)
    await requester.whenReady()
    const compute = `/grid/${worker.network}/compute/1.0.0`
    const merges = { worker: 0, requester: 0 }
    for (const [side, node] of [['worker', worker], ['requester', requester]] as const) {
      const store = node.libp2p.peerStore
      const merge = store.merge.bind(store)
      store.merge = async (peer, data, options) => {
        if (data.protocols?.includes(compute) === true) merges[side]++
        return merge(peer, data, options)
      }
    }
    for (let i = 0; i < 20; i++) {
      const events = []
      for await (const event of requester.runJob(worker.peerId, { code: `export default () => ${i}` })) events.push(event)
      expect(events.at(-1)).toMatchObject({ type: 'result', value: i })
    }
    expect(requester.libp2p.getConnections(worker.peerId)).toHaveLength(1)
    expect(merges).toEqual({ worker: 1, requester: 1 })
  })
})
