import { afterAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'

describe('liveness through the CLI', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('`grid-node peers` shows a kill -9ed peer as down, with its last-seen time', async () => {
    const [aDir, bDir] = [await tempDir(), await tempDir()]
    dirs.push(aDir, bDir)
    const a = CliNode.start(aDir, ['--liveness-interval', '300', '--liveness-timeout', '200', '--liveness-misses', '2'])
    nodes.push(a)
    const b = CliNode.start(bDir, ['--bootstrap', (await a.started()).bootstrapAddrs[0]!])
    nodes.push(b)
    const bId = (await b.started()).peerId
    await b.event('ready')

    const peers = async (): Promise<Array<{ peerId: string, state: string, lastSeen: number, rttMs: number | null }>> =>
      JSON.parse((await runCli(['peers', '--json', '--data-dir', aDir])).stdout)
    const up = await eventually(async () => (await peers()).find(p => p.peerId === bId && p.state === 'up' && p.rttMs != null), 'b up with a round-trip time')
    expect(up.lastSeen).toBeGreaterThan(0)

    b.child.kill('SIGKILL')
    const down = await eventually(async () => (await peers()).find(p => p.peerId === bId && p.state === 'down'), 'b marked down')
    expect(down.lastSeen).toBeGreaterThanOrEqual(up.lastSeen)
    expect((await runCli(['peers', '--data-dir', aDir])).stdout).toMatch(new RegExp(`${bId}\\s+down`))
  })

  it('rejects a liveness setting that is not a positive whole number (exit 2)', async () => {
    const r = await runCli(['start', '--liveness-interval', '0', '--data-dir', '/nonexistent/never'])
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--liveness-interval must be a whole number above 0, not "0"/)])
  })
})
