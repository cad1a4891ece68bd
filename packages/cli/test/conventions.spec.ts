/**
 * The CLI's conventions through `main(argv)`, with no node: --version, "did you mean", a job
 * checked before it is sent, run's progress lines with elapsed times and the summary, a bad tag
 * or a missing file found before a running node is asked, and a node's refusal of a bad tag
 * mapped to exit 2. The only sockets are a loopback stub of the API that records what it got.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkJob } from '../src/commands/run/job-file.js'
import { runPrinter, seconds } from '../src/commands/run/output.js'
import { ApiError, exitCodeOf } from '../src/errors.js'
import { main } from '../src/main.js'
import { capture } from './helpers/capture-io.js'
import { closest, editDistance } from '../src/suggest.js'
import type { RunEvent } from '@grid-node/core'
import type { AddressInfo } from 'node:net'

const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string
const PEER = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'

async function run (argv: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const io = capture()
  const code = await main(argv, io)
  return { code, stdout: io.stdout, stderr: io.stderr }
}

/** A stand-in for a running node's API: answers every request with `reply` and records it. */
async function stubApi (reply: { status: number, body: unknown, ndjson?: boolean }): Promise<{ address: string, requests: string[], close: () => Promise<void> }> {
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`)
    req.resume()
    res.writeHead(reply.status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(reply.body))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => { server.closeAllConnections(); await new Promise(resolve => server.close(resolve)) }
  }
}

describe('--version', () => {
  it.each([['--version'], ['-v']])('%s prints "grid-node <version>" from package.json, exit 0', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: `grid-node ${VERSION}\n`, stderr: '' })
  })

  it('version --json is exactly {version, node, platform}', async () => {
    const { code, stdout } = await run(['version', '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toStrictEqual({ version: VERSION, node: process.versions.node, platform: `${process.platform}-${process.arch}` })
  })

  it('the usage says how to get it', async () => {
    expect((await run(['--help'])).stdout).toContain('`grid-node --version` (or -v)')
  })
})

describe('did you mean', () => {
  it.each([
    [['strat'], 'strat', "did you mean 'start'?"],
    [['serach', '#cars'], 'serach', "did you mean 'search'?"],
    [['stauts'], 'stauts', "did you mean 'status'?"],
    [['datasets', 'list'], 'datasets list', "did you mean 'datasets ls'?"],
    [['datasets'], 'datasets', "did you mean 'datasets add', 'datasets ls' or 'datasets rm'?"],
    [['datasets', '--json'], 'datasets', "did you mean 'datasets add', 'datasets ls' or 'datasets rm'?"],
    [['dataset', 'add', 'x.csv'], 'dataset add', "did you mean 'datasets add'?"],
    [['--versoin'], '--versoin', "did you mean '--version'?"]
  ])('%j: names the nearest command, exit 2', async (argv, typed, hint) => {
    const { code, stdout, stderr } = await run(argv)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe(`grid-node: error: unknown command '${typed}' (${hint}); commands are start, id, peers, status, events, search, datasets add, datasets ls, datasets rm, run, federate, approve, approvals ls, approvals rm, pub, sub, version (see \`grid-node --help\`)\n`)
  })

  it.each([['launch'], ['xyz'], ['ls']])('%s: nothing near it, so no guess', async (word) => {
    const { code, stderr } = await run([word])
    expect(code).toBe(2)
    expect(stderr).toMatch(new RegExp(`^grid-node: error: unknown command '${word}'; commands are start, `))
    expect(stderr).not.toContain('did you mean')
  })

  it.each([
    [['search', '#cars', '--bootstrp', '/ip4/1.2.3.4/tcp/1'], "unknown option '--bootstrp' (did you mean '--bootstrap'?); see `grid-node search --help`"],
    [['peers', '--jsno'], "unknown option '--jsno' (did you mean '--json'?); see `grid-node peers --help`"],
    [['run', 'job.js', '--tags', '#cars'], "unknown option '--tags' (did you mean '--tag'?); see `grid-node run --help`"],
    [['status', '--bogus'], "unknown option '--bogus'; see `grid-node status --help`"]
  ])('an unknown option %j: the nearest option, if one is near', async (argv, message) => {
    expect(await run(argv)).toEqual({ code: 2, stdout: '', stderr: `grid-node: error: ${message}\n` })
  })

  it('edit distance counts a transposition as one edit and refuses far or short guesses', () => {
    expect(editDistance('strat', 'start')).toBe(1)
    expect(editDistance('peers', 'peers')).toBe(0)
    expect(editDistance('', 'id')).toBe(2)
    expect(closest('stats', ['start', 'status'])).toEqual(['status'])
    expect(closest('ls', ['id', 'run'])).toEqual([])
    expect(closest('x'.repeat(10_000), ['start'])).toEqual([])
  })
})

describe('a job is checked before it is sent', () => {
  let dir: string
  let api: Awaited<ReturnType<typeof stubApi>>
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grid-conventions-'))
    api = await stubApi({ status: 200, body: {} })
  })
  afterAll(async () => {
    await api.close()
    await rm(dir, { recursive: true, force: true })
  })

  it.each([
    ['a syntax error', 'export default ({ data }) => {\n  const n = data.length +\n}\n', 'bad.js:3:1: Unexpected token; nothing was sent'],
    ['an unclosed string', 'export default () => {\n  return "open\n}\n', 'bad.js:2:10: Unterminated string constant; nothing was sent'],
    ['an import', 'export default () => 1\nimport fs from "node:fs"\n', 'bad.js:2:1: a job cannot import modules ("node:fs"): the sandbox loads none; put what it needs in the file; nothing was sent'],
    ['no default export', 'export const f = () => 1\n', 'bad.js: no default export: write `export default async function ({ data, args, progress, log }) { … }`; nothing was sent']
  ])('%s: file:line:column and the reason, exit 2, no request to the node', async (_what, code, message) => {
    const file = join(dir, 'bad.js')
    await writeFile(file, code)
    const before = api.requests.length
    const { code: exit, stdout, stderr } = await run(['run', file, '--tag', '#cars', '--api', api.address])
    expect(exit).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe(`grid-node: error: ${join(dir, message)}\n`)
    expect(api.requests.length).toBe(before)
  })

  it.each([
    ['an arrow function', 'export default () => 42'],
    ['an async function with top-level await', 'const k = await Promise.resolve(2)\nexport default async function ({ data }) { return data.length * k }'],
    ['a named default', 'const f = () => 1\nexport { f as default }'],
    ['a class field and ??=', 'class A { #x = 1; get x () { return this.#x } }\nexport default () => { let y; y ??= new A().x; return y }']
  ])('%s passes', (_what, code) => {
    expect(() => { checkJob('job.js', code) }).not.toThrow()
  })

  it('a good job is sent to the node as it is', async () => {
    const file = join(dir, 'good.js')
    await writeFile(file, 'export default () => 1\n')
    await run(['run', file, '--tag', '#cars', '--api', api.address])
    expect(api.requests.at(-1)).toBe('POST /v1/run')
  })
})

describe('run: progress with elapsed times, a summary, no stray "-"', () => {
  const event = (e: Partial<RunEvent> & { type: RunEvent['type'] }): RunEvent => ({ jobId: 'j1', peerId: PEER, dataset: 'cars', ...e }) as RunEvent

  it('each job ends with the time since it was sent; the run ends with counts and its time', () => {
    let clock = 1_000
    const io = capture()
    const printer = runPrinter(io, false, { file: 'jobs/count.js', now: () => clock })
    printer.event(event({ type: 'dispatched', attempt: 0 }))
    clock += 300
    printer.event(event({ type: 'started' }))
    clock += 900
    printer.event(event({ type: 'result', value: 42 }))
    printer.event(event({ type: 'dispatched', attempt: 0, jobId: 'j2', dataset: 'penguins' }))
    clock += 12_400
    printer.event(event({ type: 'error', jobId: 'j2', dataset: 'penguins', status: 'failed', failure: 'threw', message: 'RangeError: bad row (at job.js:3:14)' } as Partial<RunEvent> & { type: 'error' }))
    expect(printer.finish()).toBe(1)
    expect(io.stdout.split('\n')).toEqual([
      '12D3KooW…F4CHCz cars  sent',
      '12D3KooW…F4CHCz cars  running',
      '12D3KooW…F4CHCz cars  result (1.2 s): 42',
      '12D3KooW…F4CHCz penguins  sent',
      '1 result, 1 failed in 14 s',
      ''
    ])
    // the holder calls the module job.js; the person knows it by its own name
    expect(io.stderr).toBe('12D3KooW…F4CHCz penguins  error (failed, threw; 12 s): RangeError: bad row (at jobs/count.js:3:14)\n')
  })

  it('an error no peer sent starts with what happened, not with "-"', () => {
    const io = capture()
    const printer = runPrinter(io, false, { now: () => 0 })
    printer.event({ type: 'error', status: 'not-found', message: 'no live holder found for #nobody', jobId: '', peerId: '' })
    expect(printer.finish()).toBe(1)
    expect(io.stderr).toBe('error (not-found): no live holder found for #nobody\n')
    expect(io.stdout).toBe('0 results, 1 failed in 0.0 s\n')
  })

  it('--json: one object per result or error, with elapsedMs, and nothing else', () => {
    let clock = 0
    const io = capture()
    const printer = runPrinter(io, true, { file: 'count.js', now: () => clock })
    printer.event(event({ type: 'dispatched', attempt: 0 }))
    printer.event(event({ type: 'started' }))
    clock = 250
    printer.event(event({ type: 'result', value: 7 }))
    expect(printer.finish()).toBe(0)
    expect(io.stderr).toBe('')
    expect(io.stdout.trim().split('\n').map(line => JSON.parse(line))).toStrictEqual([
      { type: 'result', value: 7, jobId: 'j1', peerId: PEER, dataset: 'cars', elapsedMs: 250 }
    ])
  })

  it.each([[400, '0.4 s'], [9_949, '9.9 s'], [10_400, '10 s'], [125_000, '2m 5s']])('%i ms reads %s', (ms, text) => {
    expect(seconds(ms)).toBe(text)
  })
})

describe('datasets add and bad tags: found before the node is asked', () => {
  let dir: string
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'grid-conventions-add-')) })
  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it('a missing file is reported as missing, even when its name is taken', async () => {
    const dataDir = join(dir, 'data')
    const file = join(dir, 'cars.json')
    await writeFile(file, '[{"a": 1}]')
    expect((await run(['datasets', 'add', file, '--tag', '#cars', '--data-dir', dataDir])).code).toBe(0)
    const missing = join(dir, 'nope', 'cars.json')
    expect(await run(['datasets', 'add', missing, '--tag', '#cars', '--data-dir', dataDir])).toEqual({
      code: 1,
      stdout: '',
      stderr: `grid-node: error: cannot read dataset file ${missing} (ENOENT); check the path and its permissions\n`
    })
    expect((await run(['datasets', 'add', dir, '--tag', '#cars', '--name', 'other', '--data-dir', dataDir])).stderr).toContain(`cannot read dataset file ${dir} (it is a directory, not a regular file)`)
  })

  it.each([
    ['datasets add', (api: string, file: string) => ['datasets', 'add', file, '--tag', 'bad tag', '--api', api]],
    ['run', (api: string, file: string) => ['run', file, '--tag', '#ok', '--tag', 'no-hash!', '--api', api]]
  ])('%s with an invalid tag: exit 2 before any request', async (_command, argv) => {
    const api = await stubApi({ status: 200, body: {} })
    try {
      const file = join(dir, 'job.js')
      await writeFile(file, 'export default () => 1\n')
      const { code, stderr } = await run(argv(api.address, file))
      expect(code).toBe(2)
      expect(stderr).toMatch(/^grid-node: error: invalid tag "(bad tag|no-hash!)": use # followed by/)
      expect(api.requests).toEqual([])
    } finally {
      await api.close()
    }
  })

  it('a node that refuses a tag (400, name TagInvalidError) is a usage error too: exit 2', async () => {
    const api = await stubApi({ status: 400, body: { error: 'invalid tag "#a b": use # followed by …', name: 'TagInvalidError' } })
    try {
      const { code, stderr } = await run(['search', '#ok', '--api', api.address])
      expect(api.requests).toHaveLength(1)
      expect([code, stderr]).toEqual([2, 'grid-node: error: invalid tag "#a b": use # followed by …\n'])
    } finally {
      await api.close()
    }
    expect(exitCodeOf(new ApiError(400, 'x', 'TagInvalidError'))).toBe(2)
    expect(exitCodeOf(new ApiError(400, 'x', 'DatasetParseError'))).toBe(1)
    expect(exitCodeOf(new ApiError(400, 'x'))).toBe(1)
  })
})
