import { afterAll, describe, expect, it } from 'vitest'
import { CliNode, freePort, removeDir, runCli, tempDir } from './helpers/cli.js'

describe('a node whose bootstrap peer is not up yet', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('stops cleanly with Ctrl-C before it is ready (exit 0)', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const lonely = CliNode.start(dir, ['--bootstrap', `/ip4/127.0.0.1/tcp/${await freePort()}`])
    nodes.push(lonely)
    await lonely.started()
    expect((await lonely.api<{ ready: boolean }>('/health-check')).body.ready).toBe(false)
    expect(await lonely.stop()).toBe(0)
  })

  it('keeps retrying with backoff and joins once the bootstrap peer appears', async () => {
    const [aDir, bDir] = [await tempDir(), await tempDir()]
    dirs.push(aDir, bDir)
    const aId = JSON.parse((await runCli(['id', '--json', '--data-dir', aDir])).stdout).peerId
    const port = await freePort()

    // the joiner's log says when a dial failed and when it retries: the positive signal that it tried and is still alone
    const b = CliNode.start(bDir, ['--bootstrap', `/ip4/127.0.0.1/tcp/${port}/p2p/${aId}`], { DEBUG: 'grid:join' })
    nodes.push(b)
    await b.started()
    const retries = (): number => b.stderr.match(/retrying the bootstrap list in \d+ ms/g)?.length ?? 0
    await expect.poll(retries, { timeout: 30_000 }).toBeGreaterThanOrEqual(3) // a few failed attempts
    expect(b.stderr).toMatch(/could not dial .*\/tcp\/\d+\/p2p\//)
    expect((await b.api<{ ready: boolean, peers: number }>('/health-check')).body).toMatchObject({ ready: false, peers: 0 })

    const a = CliNode.start(aDir, ['--listen', `/ip4/127.0.0.1/tcp/${port}`])
    nodes.push(a)
    expect((await a.started()).peerId).toBe(aId)
    await b.event('ready', 90_000)
    const { body } = await b.api<Array<{ peerId: string }>>('/v1/peers')
    expect(body.map(p => p.peerId)).toContain(aId)
  })
})
