import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, tempDir } from './helpers/cli.js'

describe('a restarted node', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('keeps its peer ID and reconnects to a peer it knew, with no --bootstrap', async () => {
    const [aDir, bDir] = [await tempDir(), await tempDir()]
    dirs.push(aDir, bDir)
    const a = CliNode.start(aDir)
    nodes.push(a)
    const aStarted = await a.started()

    const b1 = CliNode.start(bDir, ['--bootstrap', aStarted.bootstrapAddrs[0]!])
    nodes.push(b1)
    const b1Id = (await b1.started()).peerId
    await b1.event('ready')
    expect(existsSync(join(bDir, 'api'))).toBe(true)
    expect(await b1.stop()).toBe(0)
    expect(existsSync(join(bDir, 'api')), 'the api file is removed on stop').toBe(false)

    const b2 = CliNode.start(bDir)
    nodes.push(b2)
    expect((await b2.started()).peerId).toBe(b1Id)
    await b2.event('ready')
    const peers = await eventually(async () => {
      const { body } = await b2.api<Array<{ peerId: string }>>('/v1/peers')
      return body.some(p => p.peerId === aStarted.peerId) ? body : undefined
    }, 'the restarted node to reconnect to the peer it knew')
    expect(peers.map(p => p.peerId)).toContain(aStarted.peerId)
  })
})
