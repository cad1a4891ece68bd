import { createGridNode } from '@grid-node/core'
import { afterAll, describe, expect, it } from 'vitest'
import { CliNode, removeDir, tempDir } from './helpers/cli.js'
import type { GridNode } from '@grid-node/core'

const CLI_NODES = 4 // the bootstrap node and three more, as real `grid-node start` processes
const LIBRARY_NODES = 7

describe('a grid of 11 nodes on loopback', () => {
  const dirs: string[] = []
  const cli: CliNode[] = []
  const lib: GridNode[] = []

  afterAll(async () => {
    await Promise.all(lib.map(async n => n.stop()))
    await Promise.all(cli.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('joins through one bootstrap node, reports ready everywhere, and every DHT finds every peer', async () => {
    const newDir = async (): Promise<string> => { const d = await tempDir(); dirs.push(d); return d }
    const first = CliNode.start(await newDir())
    cli.push(first)
    const bootstrap = (await first.started()).bootstrapAddrs[0]!
    expect(bootstrap).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW/)

    for (let i = 1; i < CLI_NODES; i++) cli.push(CliNode.start(await newDir(), ['--bootstrap', bootstrap]))
    for (let i = 0; i < LIBRARY_NODES; i++) {
      lib.push(await createGridNode({ dataDir: await newDir(), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [bootstrap], lan: true }))
    }

    await Promise.all([...cli.map(async n => n.event('ready')), ...lib.map(async n => n.whenReady())])
    for (const n of cli) {
      const { body } = await n.api<{ ready: boolean }>('/health-check')
      expect(body.ready).toBe(true)
    }

    const everyone = [
      ...await Promise.all(cli.map(async n => (await n.started()).peerId)),
      ...lib.map(n => n.peerId.toString())
    ]
    expect(new Set(everyone).size).toBe(CLI_NODES + LIBRARY_NODES)

    // a closest-peers lookup for its own key returns every other node (k = 20 > 10 others); a
    // lookup is best-effort (a peer that answers too slowly on a loaded host is left out), so
    // each node gets three tries to see the whole grid
    const lookup = async (id: string, ask: () => Promise<string[]>): Promise<{ id: string, found: string[] }> => {
      const others = everyone.filter(p => p !== id)
      let found: string[] = []
      for (let attempt = 0; attempt < 3; attempt++) {
        found = await ask()
        if (others.every(p => found.includes(p))) break
      }
      return { id, found }
    }
    const lookups = await Promise.all([
      ...cli.map(async n => {
        const id = (await n.started()).peerId
        return lookup(id, async () => (await n.api<string[]>(`/v1/closest-peers/${id}`)).body)
      }),
      ...lib.map(async n => lookup(n.peerId.toString(), async () => (await n.closestPeers(n.peerId)).map(String)))
    ])
    for (const { id, found } of lookups) {
      expect(new Set(found), `lookup from ${id}`).toEqual(new Set(everyone.filter(p => p !== id)))
    }
  })
})
