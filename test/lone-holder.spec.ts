import { createGridNode } from '@grid-node/core'
import { afterAll, describe, expect, it } from 'vitest'
import { eventually, removeDir, tempDir } from './helpers/cli.js'
import type { GridNode } from '@grid-node/core'

// The README's first contact: one holder alone, then a short-lived search from elsewhere that
// connects, asks once and leaves — before the holder has had a peer to announce to.
describe('a holder with no peers yet', () => {
  const dirs: string[] = []
  const nodes: GridNode[] = []
  const newDir = async (): Promise<string> => { const d = await tempDir(); dirs.push(d); return d }

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('is found by the first search client that connects, asks at once and leaves', async () => {
    const holder = await createGridNode({ dataDir: await newDir(), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true })
    nodes.push(holder)
    await holder.datasets.add({ name: 'cars', rows: [{ mpg: 18 }, { mpg: 15 }], tags: ['#cars'] })
    // libp2p records a node's own addresses (which a DHT answer about it carries) within 1 s of listening
    await eventually(async () => (await holder.libp2p.peerStore.get(holder.peerId)).addresses.length > 0 ? true : undefined, 'the holder\'s own addresses recorded')
    const bootstrap = holder.getMultiaddrs().map(String).filter(a => a.includes('/tcp/'))
    for (let i = 0; i < 3; i++) {
      const client = await createGridNode({ dataDir: await newDir(), listen: [], bootstrap, lan: true, dhtClient: true })
      nodes.push(client)
      await client.whenReady()
      const found = await client.searchAll(['#cars'], { cache: false })
      await client.stop()
      expect(found.map(h => h.peerId.toString()), `client ${i + 1}`).toEqual([holder.peerId.toString()])
    }
  })
})
