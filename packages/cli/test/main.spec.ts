/**
 * `main(argv, io)` (src/main.ts): exit codes and where the words go (stdout or stderr), usage and
 * help that run nothing, every way `start` can be called wrongly without creating its data dir,
 * the env twins through main, commands that need a running node, and `id` of a stopped node.
 * No command here starts a node or opens a socket.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commands, main } from '../src/main.js'
import { capture } from './helpers/capture-io.js'
import type { Io } from '../src/io.js'

async function run (argv: string[], env: Io['env'] = {}): Promise<{ code: number, stdout: string, stderr: string }> {
  const io = capture(env)
  const code = await main(argv, io)
  return { code, stdout: io.stdout, stderr: io.stderr }
}

let root: string
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'grid-main-')) })
afterAll(async () => { await rm(root, { recursive: true, force: true }) })

describe('main: usage and help', () => {
  it('no command: usage on stdout listing every command, exit 2', async () => {
    const { code, stdout, stderr } = await run([])
    expect(code).toBe(2)
    expect(stdout).toMatch(/^Usage: grid-node <command> \[options\]/)
    for (const command of commands) expect(stdout).toContain(`  ${command.name}`)
    expect(stderr).toBe('')
  })

  it.each([['--help'], ['-h'], ['help']])('%s: usage, exit 0', async (arg) => {
    const { code, stdout } = await run([arg])
    expect(code).toBe(0)
    expect(stdout).toContain('Usage: grid-node <command>')
  })

  it('--help on a command exits 0 and lists its options', async () => {
    for (const command of ['start', 'id', 'peers', 'status']) {
      const { code, stdout } = await run([command, '--help'])
      expect(code).toBe(0)
      expect(stdout).toContain(`Usage: grid-node ${command}`)
      expect(stdout).toContain('--data-dir')
    }
  })

  it('start --help: exit 0, lists --bootstrap and every option, creates nothing', async () => {
    const dir = join(root, 'help-never')
    const { code, stdout, stderr } = await run(['start', '--help', '--data-dir', dir])
    expect(code).toBe(0)
    expect(stderr).toBe('')
    expect(stdout).toMatch(/--bootstrap <multiaddr>/)
    const start = commands.find(c => c.name === 'start')
    for (const option of Object.keys(start?.options ?? {})) expect(stdout).toContain(`--${option}`)
    expect(existsSync(dir)).toBe(false)
  })

  it('a two-word command has its own help', async () => {
    const { code, stdout } = await run(['datasets', 'add', '--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('Usage: grid-node datasets add <file>')
  })
})

describe('main: an unknown command', () => {
  it('exits 2 and lists the commands', async () => {
    const { code, stderr } = await run(['launch'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/unknown command 'launch'; commands are start, id, peers, status/)
  })

  it('one error line on stderr naming it and the command it resembles, exit 2', async () => {
    const { code, stdout, stderr } = await run(['strat', '--data-dir', join(root, 'x')])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^grid-node: error: unknown command 'strat' \(did you mean 'start'\?\); commands are start, /)
    expect(stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe('main: start called wrongly exits 2 and creates nothing', () => {
  it.each([
    [['--bogus'], /unknown option '--bogus'; see `grid-node start --help`/],
    [['--listen', 'not-a-multiaddr'], /invalid listen address "not-a-multiaddr"/],
    [['--bootstrap', '192.0.2.1:7400'], /invalid bootstrap address "192\.0\.2\.1:7400"/],
    [['--network', 'Bad Name'], /invalid network name "Bad Name"/],
    [['--liveness-interval', '0'], /--liveness-interval must be a whole number above 0, not "0"/],
    [['--pool-size', 'many'], /--pool-size must be a whole number above 0, not "many"/],
    [['--allow-compute', 'bob'], /--allow-compute "bob" is not a peer ID/],
    [['--api', 'nonsense'], /invalid --api "nonsense"/],
    [['--listen'], /option '--listen' needs a value/],
    [['--data-dir', '--lan'], /option '--data-dir' needs a value/],
    [['/ip4/192.0.2.1/tcp/7400/p2p/12D3KooWBWX4Ga8wr8APCbAuPhXnWeE22cqPSLsiYR59ZDQwGPdP'], /'start' takes no arguments, .*\(a multiaddr goes after --bootstrap\)/],
    [['--tls-cert', '/nonexistent/cert.pem'], /give both --tls-cert and --tls-key/]
  ])('start %j', async (args, message) => {
    const dir = join(root, 'start-never', String(Math.random()).slice(2))
    const { code, stdout, stderr } = await run(['start', '--data-dir', dir, ...args])
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
    expect(stderr).toMatch(/^grid-node: error: /)
    expect(stdout).toBe('')
    expect(existsSync(dir)).toBe(false)
  })

  it('a bad GRID_NODE_BOOTSTRAP is blamed the same way', async () => {
    const dir = join(root, 'start-env-never')
    const { code, stderr } = await run(['start'], { GRID_NODE_DATA_DIR: dir, GRID_NODE_BOOTSTRAP: '/ip4/192.0.2.1/tcp/7400,oops' })
    expect(code).toBe(2)
    expect(stderr).toMatch(/invalid bootstrap address "oops"/)
    expect(existsSync(dir)).toBe(false)
  })

  it('with DEBUG=grid:* the stack follows the error line', async () => {
    const { stderr } = await run(['start', '--listen', 'nope', '--data-dir', join(root, 'debug-never')], { DEBUG: 'grid:*' })
    const lines = stderr.trim().split('\n')
    expect(lines[0]).toMatch(/^grid-node: error: invalid listen address "nope"/)
    expect(lines.length).toBeGreaterThan(1)
    expect(stderr).toMatch(/InvalidMultiaddrError/)
  })
})

describe('main: commands that need a running node', () => {
  it.each(['peers', 'status', 'events'])('%s with no running node: exit 1, says where it looked and how to start one', async (command) => {
    const dir = await mkdtemp(join(root, 'empty-'))
    const { code, stdout, stderr } = await run([command, '--data-dir', dir])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain(`grid-node: error: no running node found at data dir ${dir}`)
    expect(stderr).toMatch(/no running node found at data dir .*; start one with `grid-node start`/)
    expect(await readdir(dir)).toEqual([]) // asking does not create anything
  })

  it('peers with a malformed --api is a usage error', async () => {
    const { code, stderr } = await run(['peers', '--api', 'nonsense', '--data-dir', join(root, 'api-never')])
    expect(code).toBe(2)
    expect(stderr).toContain('invalid --api "nonsense"')
  })
})

describe('main: id of a stopped node', () => {
  it('the same peer ID every time, by flag or by GRID_NODE_DATA_DIR; --json is exactly {"peerId"}', async () => {
    const dir = join(root, 'id-dir')
    const first = await run(['id', '--data-dir', dir])
    expect(first.code).toBe(0)
    expect(first.stderr).toBe('')
    const peerId = first.stdout.trim()
    expect(peerId).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]+$/)
    expect((await run(['id', '--data-dir', dir])).stdout.trim()).toBe(peerId)
    expect((await run(['id'], { GRID_NODE_DATA_DIR: dir })).stdout.trim()).toBe(peerId)
    const json = await run(['id', '--json', '--data-dir', dir])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toStrictEqual({ peerId })
    // a different data dir is a different peer
    expect((await run(['id', '--data-dir', join(root, 'id-other')])).stdout.trim()).not.toBe(peerId)
  })
})
