/**
 * The CLI's conventions over real processes (issue 10, items 7–9): --version and the version in
 * status; "did you mean"; a bad tag is exit 2 through a running node too; a missing file is
 * reported as missing before its name is judged; a search through an unreachable --bootstrap
 * names the address and the reason; a job's syntax error is found before anything is sent and a
 * thrown error names the job's line and column; run's progress ends with elapsed times and a
 * summary; peers lists connected and recent peers (the stale ones: packages/cli/test).
 */
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'

const VERSION = JSON.parse(readFileSync(new URL('../packages/cli/package.json', import.meta.url), 'utf8')).version as string
const NOBODY = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'
const OTHER = '12D3KooWBWX4Ga8wr8APCbAuPhXnWeE22cqPSLsiYR59ZDQwGPdP'

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

describe('CLI conventions', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  let holder: CliNode
  let requester: CliNode
  let holderAddr: string
  let jobs: string
  let carsFile: string

  beforeAll(async () => {
    jobs = await tempDir()
    dirs.push(jobs)
    const holderDir = await tempDir()
    dirs.push(holderDir)
    carsFile = await writeRows(jobs, 'cars', 'json', await vegaRows('cars'))
    expect((await runCli(['datasets', 'add', carsFile, '--tag', '#cars', '--data-dir', holderDir])).code).toBe(0)
    holder = CliNode.start(holderDir)
    nodes.push(holder)
    holderAddr = (await holder.started()).bootstrapAddrs[0]!
    const requesterDir = await tempDir()
    dirs.push(requesterDir)
    requester = CliNode.start(requesterDir, ['--bootstrap', holderAddr])
    nodes.push(requester)
    await requester.event('ready')
    await eventually(async () => (await runCli(['search', '#cars', '--data-dir', requesterDir])).code === 0 ? true : undefined, 'the holder announced')
    await writeFile(join(jobs, 'count.js'), 'export default async ({ data, progress }) => { progress(0.5); return data.filter(r => r.Cylinders === 8).length }\n')
    await writeFile(join(jobs, 'throws.js'), 'export default ({ data }) => {\n  const n = data.length\n  throw new RangeError("bad job " + n)\n}\n')
    await writeFile(join(jobs, 'syntax.js'), 'export default ({ data }) => {\n  return data.length +\n}\n')
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('--version and -v print the package version; status and /v1/status name the node\'s', async () => {
    for (const flag of ['--version', '-v']) expect(await runCli([flag])).toEqual({ code: 0, stdout: `grid-node ${VERSION}\n`, stderr: '' })
    const status = await runCli(['status', '--data-dir', holder.dataDir])
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(new RegExp(`^Version +${VERSION.replace(/\./g, '\\.')}$`, 'm'))
    expect(JSON.parse((await runCli(['status', '--json', '--data-dir', holder.dataDir])).stdout).version).toBe(VERSION)
    expect((await holder.api<{ version: string }>('/v1/status')).body.version).toBe(VERSION)
    expect((await holder.started() as unknown as { version: string }).version).toBe(VERSION)
  })

  it('a mistyped command or option: "did you mean", exit 2', async () => {
    const command = await runCli(['serach', '#cars'])
    expect([command.code, command.stderr]).toEqual([2, expect.stringMatching(/^grid-node: error: unknown command 'serach' \(did you mean 'search'\?\); commands are /)])
    const option = await runCli(['peers', '--al', '--data-dir', requester.dataDir])
    expect([option.code, option.stderr]).toEqual([2, "grid-node: error: unknown option '--al' (did you mean '--all'?); see `grid-node peers --help`\n"])
  })

  it('a bad tag through a running node is a usage error (exit 2), for add, search and run alike', async () => {
    const add = await runCli(['datasets', 'add', carsFile, '--name', 'other', '--tag', 'bad tag', '--data-dir', holder.dataDir])
    expect([add.code, add.stderr]).toEqual([2, expect.stringMatching(/^grid-node: error: invalid tag "bad tag": use # followed by/)])
    const search = await runCli(['search', '#ok!', '--data-dir', requester.dataDir])
    expect([search.code, search.stderr]).toEqual([2, expect.stringMatching(/invalid tag "#ok!"/)])
    const run = await runCli(['run', join(jobs, 'count.js'), '--tag', 'bad tag', '--data-dir', requester.dataDir])
    expect([run.code, run.stderr]).toEqual([2, expect.stringMatching(/invalid tag "bad tag"/)])
    // what the API answers, for any client: the message and the error's name
    const api = await holder.api('/v1/datasets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: carsFile, name: 'other', tags: ['bad tag'] }) })
    expect(api).toEqual({ status: 400, body: { error: expect.stringMatching(/^invalid tag "bad tag"/), name: 'TagInvalidError' } })
  })

  it('datasets add of a missing file says so, not that the name is taken (the node holds "cars")', async () => {
    const missing = join(jobs, 'gone', 'cars.json')
    const r = await runCli(['datasets', 'add', missing, '--tag', '#cars', '--data-dir', holder.dataDir])
    expect(r).toEqual({ code: 1, stdout: '', stderr: `grid-node: error: cannot read dataset file ${missing} (ENOENT); check the path and its permissions\n` })
  })

  it('a search or run through an unreachable --bootstrap names each address and why it failed', async () => {
    const refused = `/ip4/127.0.0.1/tcp/${await closedPort()}/p2p/${NOBODY}`
    const search = await runCli(['search', '#cars', '--bootstrap', refused, '--data-dir', join(jobs, 'no-node')])
    expect(search).toEqual({ code: 1, stdout: '', stderr: `grid-node: error: could not join the grid: ${refused}: connection refused; check the address (a running node prints its own as "Bootstrap")\n` })
    // a live node, but not the peer the address names
    const holderId = (await holder.started()).peerId
    const wrongPeer = holderAddr.replace(holderId, OTHER)
    const run = await runCli(['run', join(jobs, 'count.js'), '--tag', '#cars', '--bootstrap', refused, '--bootstrap', wrongPeer, '--data-dir', join(jobs, 'no-node')])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`grid-node: error: could not join the grid: ${refused}: connection refused; ${wrongPeer}: the peer listening there is ${holderId}, not the /p2p/ peer ID given; check the addresses (a running node prints its own as "Bootstrap")\n`)
    // libp2p dials one peer on all its addresses at once: they are reported together
    const sameReason = `/ip4/127.0.0.1/tcp/${await closedPort()}/ws/p2p/${NOBODY}`
    const both = await runCli(['search', '#cars', '--bootstrap', refused, '--bootstrap', sameReason, '--data-dir', join(jobs, 'no-node')])
    expect(both.stderr).toMatch(new RegExp(`^grid-node: error: could not join the grid: ${refused} and ${sameReason}: connection refused; the WebSocket connection failed`))
  })

  it('a job that does not parse: file:line:column, exit 2, nothing sent', async () => {
    const file = join(jobs, 'syntax.js')
    const r = await runCli(['run', file, '--tag', '#cars', '--data-dir', requester.dataDir])
    expect(r).toEqual({ code: 2, stdout: '', stderr: `grid-node: error: ${file}:3:1: Unexpected token; nothing was sent\n` })
  })

  it('a job that throws: the error names the line and column in the job file', async () => {
    const file = join(jobs, 'throws.js')
    const r = await runCli(['run', file, '--tag', '#cars', '--data-dir', requester.dataDir])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`^12D3KooW…\\S+ cars {2}error \\(failed, threw; [\\d.]+ s\\): RangeError: bad job 406 \\(at ${file.replace(/[/.]/g, '\\$&')}:3:\\d+\\)\\n$`))
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^0 results, 1 failed in [\d.]+ s$/)
    const json = await runCli(['run', file, '--tag', '#cars', '--json', '--data-dir', requester.dataDir])
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'error', failure: 'threw', message: expect.stringMatching(/^RangeError: bad job 406 \(at job\.js:3:\d+\)$/) })
  })

  it('each job\'s progress ends with its elapsed time, the run with a one-line summary; --json stays machine-clean', async () => {
    const r = await runCli(['run', join(jobs, 'count.js'), '--tag', '#cars', '--data-dir', requester.dataDir])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines.at(-2)).toMatch(/^12D3KooW…\S+ cars {2}result \([\d.]+ s\): 108$/)
    expect(lines.at(-1)).toMatch(/^1 result, 0 failed in [\d.]+ s$/)
    expect(r.stdout).not.toMatch(/^-/m)
    const json = await runCli(['run', join(jobs, 'count.js'), '--tag', '#cars', '--json', '--data-dir', requester.dataDir])
    expect(json.stderr).toBe('')
    const objects = json.stdout.trim().split('\n').map(line => JSON.parse(line))
    expect(objects).toEqual([expect.objectContaining({ type: 'result', value: 108, dataset: 'cars', elapsedMs: expect.any(Number) })])
  })

  it('peers: the connected holder by default; --all is accepted and lists at least as many', async () => {
    const holderId = (await holder.started()).peerId
    const recent = await runCli(['peers', '--json', '--data-dir', requester.dataDir])
    expect(recent.code).toBe(0)
    const ids = (JSON.parse(recent.stdout) as Array<{ peerId: string }>).map(p => p.peerId)
    expect(ids).toContain(holderId)
    const all = JSON.parse((await runCli(['peers', '--all', '--json', '--data-dir', requester.dataDir])).stdout) as Array<{ peerId: string }>
    expect(all.map(p => p.peerId)).toEqual(expect.arrayContaining(ids))
  })
})
