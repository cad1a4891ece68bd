import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'

describe('grid-node run', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  let requester: CliNode
  let holderId: string
  let jobs: string

  beforeAll(async () => {
    jobs = await tempDir()
    dirs.push(jobs)
    const holderDir = await tempDir()
    dirs.push(holderDir)
    const file = await writeRows(jobs, 'cars', 'json', await vegaRows('cars'))
    expect((await runCli(['datasets', 'add', file, '--tag', '#cars', '--data-dir', holderDir])).code).toBe(0)
    const holder = CliNode.start(holderDir)
    nodes.push(holder)
    holderId = (await holder.started()).peerId
    const requesterDir = await tempDir()
    dirs.push(requesterDir)
    requester = CliNode.start(requesterDir, ['--bootstrap', (await holder.started()).bootstrapAddrs[0]!])
    nodes.push(requester)
    await requester.event('ready')
    await eventually(async () => (await runCli(['search', '#cars', '--data-dir', requesterDir])).code === 0 ? true : undefined, 'the holder announced')
    await writeFile(join(jobs, 'count.js'), 'export default async ({ data, args, progress, log }) => { progress(0.5); log("rows", data.length); return data.filter(r => r.Cylinders === args.c).length }\n')
    await writeFile(join(jobs, 'throws.js'), 'export default () => { throw new Error("bad job") }\n')
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('runs a job where the data lives and shows its progress, then the result', async () => {
    const r = await runCli(['run', join(jobs, 'count.js'), '--tag', '#cars', '--args', '{"c": 8}', '--data-dir', requester.dataDir])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/cars\s+running/)
    expect(r.stdout).toMatch(/cars\s+progress 50 %/)
    expect(r.stdout).toMatch(/cars\s+log: rows 406/)
    expect(r.stdout).toMatch(/cars\s+result \([\d.]+ s\): 108/)
    expect(r.stdout).toMatch(/1 result, 0 failed/)
    const json = await runCli(['run', join(jobs, 'count.js'), '--tag', '#cars', '--args', '{"c": 4}', '--json', '--data-dir', requester.dataDir])
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'result', value: 207, peerId: holderId, dataset: 'cars' })
  })

  it('a node started with --allow-compute refuses everyone else', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const file = await writeRows(jobs, 'locked', 'jsonl', [{ a: 1 }])
    expect((await runCli(['datasets', 'add', file, '--tag', '#locked', '--data-dir', dir])).code).toBe(0)
    const locked = CliNode.start(dir, ['--allow-compute', holderId, '--bootstrap', (await requester.started()).bootstrapAddrs[0]!])
    nodes.push(locked)
    await locked.event('ready')
    await eventually(async () => (await runCli(['search', '#locked', '--data-dir', requester.dataDir])).code === 0 ? true : undefined, 'the locked holder announced')
    const r = await runCli(['run', join(jobs, 'count.js'), '--tag', '#locked', '--data-dir', requester.dataDir])
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/error \(forbidden; [\d.]+ s\): this node runs jobs only for the peers on its allow-list/)])
    const bad = await runCli(['start', '--allow-compute', 'nope', '--data-dir', join(dir, 'never')])
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/--allow-compute "nope" is not a peer ID/)])
  })

  it('exits 1 when a job fails, 2 for bad --args, 1 for a missing job file', async () => {
    const failed = await runCli(['run', join(jobs, 'throws.js'), '--tag', '#cars', '--data-dir', requester.dataDir])
    expect([failed.code, failed.stderr]).toEqual([1, expect.stringMatching(/error \(failed, threw; [\d.]+ s\): Error: bad job/)])
    const badArgs = await runCli(['run', join(jobs, 'count.js'), '--tag', '#cars', '--args', '{oops', '--data-dir', requester.dataDir])
    expect([badArgs.code, badArgs.stderr]).toEqual([2, expect.stringMatching(/--args must be JSON/)])
    const missing = await runCli(['run', join(jobs, 'nope.js'), '--tag', '#cars', '--data-dir', requester.dataDir])
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/cannot read the job file .*nope\.js \(ENOENT\)/)])
    const nobody = await runCli(['run', join(jobs, 'count.js'), '--tag', '#nobody', '--data-dir', requester.dataDir])
    expect([nobody.code, nobody.stderr]).toEqual([1, expect.stringMatching(/no live holder found for #nobody/)])
  })
})
