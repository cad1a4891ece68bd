import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../src/main.js'
import type { Io } from '../src/io.js'

function capture (env: Io['env'] = {}): Io & { stdout: string, stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    env,
    out: (text: string) => { io.stdout += `${text}\n` },
    err: (text: string) => { io.stderr += `${text}\n` }
  }
  return io
}

describe('main', () => {
  let root: string
  beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'grid-main-')) })
  afterAll(async () => { await rm(root, { recursive: true, force: true }) })

  it('with no command prints usage and exits 2', async () => {
    const io = capture()
    expect(await main([], io)).toBe(2)
    expect(io.stdout).toMatch(/Usage: grid-node <command>/)
  })

  it('an unknown command exits 2 and lists the commands', async () => {
    const io = capture()
    expect(await main(['launch'], io)).toBe(2)
    expect(io.stderr).toMatch(/unknown command 'launch'; commands are start, id, peers, status/)
  })

  it('start with a bad flag or multiaddr exits 2 and creates nothing', async () => {
    const dir = join(root, 'never')
    let io = capture()
    expect(await main(['start', '--bogus', '--data-dir', dir], io)).toBe(2)
    io = capture()
    expect(await main(['start', '--listen', 'not-a-multiaddr', '--data-dir', dir], io)).toBe(2)
    expect(io.stderr).toMatch(/invalid listen address "not-a-multiaddr"/)
    io = capture()
    expect(await main(['start', '--network', 'Bad Name', '--data-dir', dir], io)).toBe(2)
    expect(io.stderr).toMatch(/invalid network name "Bad Name"/)
    expect(existsSync(dir)).toBe(false)
  })

  it('peers without a running node exits 1 and says how to start one', async () => {
    const io = capture()
    expect(await main(['peers', '--data-dir', root], io)).toBe(1)
    expect(io.stderr).toMatch(/no running node found at data dir .*; start one with `grid-node start`/)
  })

  it('id of a stopped node is stable, and --json has the documented shape', async () => {
    const dir = join(root, 'id')
    const first = capture()
    expect(await main(['id', '--data-dir', dir], first)).toBe(0)
    const second = capture()
    expect(await main(['id', '--data-dir', dir, '--json'], second)).toBe(0)
    expect(JSON.parse(second.stdout)).toEqual({ peerId: first.stdout.trim() })
    expect(first.stdout.trim()).toMatch(/^12D3KooW\w+$/)
  })

  it('--help on a command exits 0 and lists its options', async () => {
    for (const command of ['start', 'id', 'peers', 'status']) {
      const io = capture()
      expect(await main([command, '--help'], io)).toBe(0)
      expect(io.stdout).toContain(`Usage: grid-node ${command}`)
      expect(io.stdout).toContain('--data-dir')
    }
  })
})
