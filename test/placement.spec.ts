/**
 * Least-loaded placement between real nodes: two `#compute:js` workers, one with 3 workers in
 * its pool and one with 1, state their pools in catalog answers; pipelined data-free jobs from
 * one requester fill both by pool size (round-robin would split them evenly).
 */
import { createGridNode } from '@grid-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, removeDir, tempDir } from './helpers/cli.js'
import type { GridNode } from '@grid-node/core'

describe('data-free jobs go to the least-loaded worker', () => {
  const dirs: string[] = []
  const nodes: GridNode[] = []
  let requester: GridNode
  let big: GridNode
  let small: GridNode

  const make = async (bootstrap: string[], extra = {}): Promise<GridNode> => {
    const dataDir = await tempDir()
    dirs.push(dataDir)
    const node = await createGridNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, lan: true, ...extra })
    nodes.push(node)
    return node
  }

  beforeAll(async () => {
    big = await make([], { compute: { poolSize: 3 } })
    const bootstrap = [big.shareableAddrs()[0]!.toString()]
    small = await make(bootstrap, { compute: { poolSize: 1 } })
    requester = await make(bootstrap, { compute: { offer: false } })
    await Promise.all([small.whenReady(), requester.whenReady()])
    await eventually(async () => {
      const workers = await requester.searchAll(['#compute:js'], { cache: false })
      return workers.length === 2 ? workers : undefined
    }, 'both workers found')
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('search results carry each worker\'s pool as it claims it', async () => {
    const workers = await requester.searchAll(['#compute:js'], { cache: false })
    const load = new Map(workers.map(w => [w.peerId.toString(), w.load]))
    expect(load.get(big.peerId.toString())).toEqual({ poolSize: 3, running: 0, waiting: 0 })
    expect(load.get(small.peerId.toString())).toEqual({ poolSize: 1, running: 0, waiting: 0 })
  })

  it('8 pipelined jobs: every worker busy, by its pool size', async () => {
    // each job holds its worker long enough for all eight to be placed while the first still run
    const code = 'export default () => { const end = Date.now() + 1500; while (Date.now() < end) {} return 1 }'
    const finals = (await Promise.all(Array.from({ length: 8 }, async () => requester.runAll({ code })))).flat()
    expect(finals.map(e => e.type)).toEqual(Array(8).fill('result'))
    const on = (node: GridNode): number => finals.filter(e => e.peerId === node.peerId.toString()).length
    expect(on(big) + on(small)).toBe(8)
    expect(on(big)).toBeGreaterThanOrEqual(5)
    expect(on(small)).toBeGreaterThanOrEqual(1)
  }, 60_000)
})
