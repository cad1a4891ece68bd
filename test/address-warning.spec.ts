/**
 * A node whose announced addresses nobody can use says so: on the console from `start`, in
 * `status`, and in `/health-check` and `/v1/status` — real processes, real sockets.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, removeDir, runCli, tempDir } from './helpers/cli.js'
import { ShellProcess } from './helpers/shell-host.js'

describe('address warnings', () => {
  let root: string
  const running: ShellProcess[] = []

  beforeAll(async () => { root = await tempDir('grid-addr-warning-') })
  afterAll(async () => {
    await Promise.all(running.map(async p => p.stop()))
    await removeDir(root)
  })

  const start = (dataDir: string, args: string[]): ShellProcess => {
    const proc = new ShellProcess(spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--api', '127.0.0.1:0', ...args], { env: { ...process.env, DEBUG: '' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }))
    running.push(proc)
    return proc
  }

  it('--public-only on one host: start, status and /health-check say nobody can dial the node', async () => {
    const dataDir = join(root, 'strict')
    const node = start(dataDir, ['--public-only', '--listen', '/ip4/127.0.0.1/tcp/0'])
    await node.waitFor(/^Ready /m)
    expect(node.stdout).toMatch(/^DHT +shares public addresses only: asked for with --public-only/m)
    expect(node.stderr).toMatch(/^warning: every address this node announces is private or loopback \(\/ip4\/127\.0\.0\.1\/tcp\/\d+\).*nobody can dial this node/m)
    const status = await runCli(['status', '--data-dir', dataDir])
    expect(status.stdout).toMatch(/^Warning +every address this node announces is private or loopback/m)
    const api = /^API\s+(\S+)/m.exec(node.stdout)![1]!
    const health = await (await fetch(`${api}/health-check`)).json() as Record<string, unknown>
    expect(health).toMatchObject({ status: 'ok', addressWarning: expect.stringMatching(/nobody can dial this node/) })
    const v1 = await (await fetch(`${api}/v1/status`)).json() as Record<string, any>
    expect(v1.addressPolicy).toMatchObject({ setting: false, mode: 'public' })
    expect(v1.addressWarning.code).toBe('private-only')
  })

  it('the default on one host: a node dialled by a library peer keeps it in its routing table and warns of nothing', async () => {
    const dataDir = join(root, 'auto')
    const node = start(dataDir, ['--listen', '/ip4/127.0.0.1/tcp/0'])
    await node.waitFor(/^Ready /m)
    const bootstrap = /^Bootstrap +(\S+)/m.exec(node.stdout)![1]!
    const peer = await createGridNode({ dataDir: join(root, 'peer'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [bootstrap] })
    try {
      await peer.whenReady({ signal: AbortSignal.timeout(30_000) })
      expect(peer.status()).toMatchObject({ routingTableSize: 1, addressPolicy: { setting: 'auto', mode: 'lan' } })
      expect(peer.status().addressWarning).toBeUndefined()
      const status = JSON.parse((await runCli(['status', '--json', '--data-dir', dataDir])).stdout)
      expect(status).toMatchObject({ peers: 1, routingTableSize: 1, addressPolicy: { mode: 'lan' }, addressWarning: null })
    } finally {
      await peer.stop()
    }
    expect(node.stderr).not.toMatch(/warning:/)
  })
})
