import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, removeDir, runCli, tempDir } from './helpers/cli.js'
import type { AddressInfo, Server } from 'node:net'

const NO_STACK = /^\s+at /m

describe('bad input to the CLI', () => {
  let root: string
  let occupied: Server
  let occupiedPort: number

  beforeAll(async () => {
    root = await tempDir()
    occupied = createServer()
    await new Promise<void>(resolve => occupied.listen(0, '127.0.0.1', resolve))
    occupiedPort = (occupied.address() as AddressInfo).port
  })

  afterAll(async () => {
    occupied.close()
    await removeDir(root)
  })

  const fresh = (name: string): string => join(root, name)

  it('an invalid --listen multiaddr: usage error naming it, exit 2, nothing written', async () => {
    const dir = fresh('bad-listen')
    const r = await runCli(['start', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcpp/1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/invalid listen address "\/ip4\/127\.0\.0\.1\/tcpp\/1"/)
    expect(r.stderr).not.toMatch(NO_STACK)
    expect(existsSync(dir)).toBe(false)
  })

  it('an invalid --bootstrap (also through GRID_NODE_BOOTSTRAP): exit 2, nothing written', async () => {
    const dir = fresh('bad-bootstrap')
    const flagged = await runCli(['start', '--data-dir', dir, '--bootstrap', 'example.com:7400'])
    expect(flagged.code).toBe(2)
    expect(flagged.stderr).toMatch(/invalid bootstrap address "example\.com:7400".*starts with "\/"/)
    const fromEnv = await runCli(['start', '--data-dir', dir], { GRID_NODE_BOOTSTRAP: '/ip4/1.2.3.4/tcp/1,/nonsense' })
    expect(fromEnv.code).toBe(2)
    expect(fromEnv.stderr).toMatch(/invalid bootstrap address "\/nonsense"/)
    expect(existsSync(dir)).toBe(false)
  })

  it('an unknown flag: exit 2 with the flag and where to get help', async () => {
    const r = await runCli(['status', '--verbose'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown option '--verbose'; see `grid-node status --help`/)
  })

  it('a listen port in use: exit 1, says which and how to fix, the new data dir is not left behind', async () => {
    const dir = fresh('port-in-use')
    const r = await runCli(['start', '--data-dir', dir, '--listen', `/ip4/127.0.0.1/tcp/${occupiedPort}`, '--api', '127.0.0.1:0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`cannot listen on /ip4/127\\.0\\.0\\.1/tcp/${occupiedPort} \\(address already in use\\).*port 0 picks a free one`))
    expect(r.stderr).not.toMatch(NO_STACK)
    expect(existsSync(dir)).toBe(false)
  })

  it('an API port in use: exit 1, says so, nothing left behind', async () => {
    const dir = fresh('api-in-use')
    const r = await runCli(['start', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', `127.0.0.1:${occupiedPort}`])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/cannot serve the API on 127\.0\.0\.1:\d+ \(EADDRINUSE\); pass another --api/)
    expect(existsSync(dir)).toBe(false)
  })

  it('an unwritable data dir (a path through a file): exit 1, names the dir', async () => {
    const file = fresh('a-file')
    await writeFile(file, 'not a directory')
    const r = await runCli(['start', '--data-dir', join(file, 'node'), '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/cannot use data dir .*a-file\/node \(ENOTDIR\)/)
    expect(await readFile(file, 'utf8')).toBe('not a directory')
  })

  it('a corrupt data dir: exit 1, says to move it aside, and leaves it as it was', async () => {
    const dir = fresh('corrupt')
    expect((await runCli(['id', '--data-dir', dir])).code).toBe(0)
    await writeFile(join(dir, 'db', 'CURRENT'), 'garbage\n')
    const r = await runCli(['start', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/grid-node: error: the database in .*db is corrupt .*move the data dir aside/)
    expect(r.stderr).not.toMatch(NO_STACK)
    expect(await readFile(join(dir, 'db', 'CURRENT'), 'utf8')).toBe('garbage\n')
  })

  it('shows the stack trace only with DEBUG=grid:*', async () => {
    const r = await runCli(['peers', '--data-dir', fresh('nobody')], { DEBUG: 'grid:*' })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no running node found/)
    expect(r.stderr).toMatch(NO_STACK)
  })

  it('POST /join with a bad address gets a 4xx JSON error and the node keeps serving', async () => {
    const dir = fresh('join-api')
    const node = CliNode.start(dir)
    try {
      await node.started()
      const post = async (body: string): Promise<{ status: number, body: any }> =>
        node.api('/join', { method: 'POST', body, headers: { 'content-type': 'application/json' } })
      const bad = await post(JSON.stringify({ 'node-id': 'x', 'node-address': 'not a multiaddr' }))
      expect(bad.status).toBe(400)
      expect(bad.body.error).toMatch(/invalid node-address "not a multiaddr"/)
      const notJson = await post('{')
      expect(notJson.status).toBe(400)
      expect((await node.api<{ status: string }>('/health-check')).body.status).toBe('ok')
    } finally {
      expect(await node.stop()).toBe(0)
    }
  })

  it('a second node on a data dir in use: exit 1, says a node is running there', async () => {
    const dir = fresh('in-use')
    const node = CliNode.start(dir)
    try {
      await node.started()
      const r = await runCli(['start', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0'])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/a node is already running on data dir/)
      expect(existsSync(join(dir, 'api'))).toBe(true)
    } finally {
      await node.stop()
    }
  })
})
