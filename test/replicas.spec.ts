/**
 * `grid-node run --replicas k` across real `grid-node start` processes: three holders of the
 * same bytes, one made to lie (the test-only fault GRID_NODE_TEST_LIE_IN_RESULTS=1). The
 * majority's result wins, the liar is named, and the requester avoids it on its next run, also
 * after a restart (its score is kept in its store).
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'

describe('grid-node run --replicas', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  const holders: CliNode[] = []
  let requester: CliNode
  let bootstrap: string
  let liar: string
  let honest: string[]
  let job: string

  const startRequester = async (dir: string): Promise<CliNode> => {
    const node = CliNode.start(dir, ['--bootstrap', bootstrap])
    nodes.push(node)
    await node.event('ready')
    await eventually(async () => {
      const r = await runCli(['search', '#cars', '--json', '--data-dir', dir])
      return r.code === 0 && JSON.parse(r.stdout).length === 3 ? true : undefined
    }, 'all three holders found')
    return node
  }

  const served = (): number => holders.reduce((n, h) => n + h.printed('job:served').length, 0)

  beforeAll(async () => {
    const files = await tempDir()
    dirs.push(files)
    const file = await writeRows(files, 'cars', 'json', await vegaRows('cars'))
    job = join(files, 'count.js')
    await writeFile(job, 'export default async ({ data, args }) => data.filter(r => r.Cylinders === args.c).length\n')
    for (let i = 0; i < 3; i++) {
      const dir = await tempDir()
      dirs.push(dir)
      expect((await runCli(['datasets', 'add', file, '--tag', '#cars', '--data-dir', dir])).code).toBe(0)
      // the last holder lies in every result
      const holder = CliNode.start(dir, i === 0 ? [] : ['--bootstrap', bootstrap], i === 2 ? { GRID_NODE_TEST_LIE_IN_RESULTS: '1' } : {})
      nodes.push(holder)
      holders.push(holder)
      if (i === 0) bootstrap = (await holder.started()).bootstrapAddrs[0]!
    }
    const ids = await Promise.all(holders.map(async h => (await h.started()).peerId))
    liar = ids[2]!
    honest = ids.slice(0, 2).sort()
    await Promise.all(holders.map(async h => h.event('ready')))
    const dir = await tempDir()
    dirs.push(dir)
    requester = await startRequester(dir)
  }, 120_000)

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('more replicas than live holders: a clear error, and nothing is sent', async () => {
    const before = served()
    const r = await runCli(['run', job, '--tag', '#cars', '--args', '{"c": 8}', '--replicas', '4', '--data-dir', requester.dataDir])
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('4 replicas need 4 distinct peers, and there are 3 live holders of "cars"')])
    expect(served()).toBe(before)
    const bad = await runCli(['run', job, '--tag', '#cars', '--replicas', '17', '--data-dir', requester.dataDir])
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--replicas must be at most 16')])
  })

  it('3 replicas, one holder lying: the majority result, the liar named; the next run avoids it, also after a restart', async () => {
    const r = await runCli(['run', job, '--tag', '#cars', '--args', '{"c": 8}', '--replicas', '3', '--data-dir', requester.dataDir])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/result \([\d.]+ s\): 108\n/)
    expect(r.stdout).toContain('3 replicas: 2 agreed')
    expect(r.stdout).toContain(`disagreed: ${liar} (result sha256 `)
    expect(r.stdout).toMatch(/1 result, 0 failed/)

    const json = await runCli(['run', job, '--tag', '#cars', '--args', '{"c": 4}', '--replicas', '3', '--json', '--data-dir', requester.dataDir])
    expect(json.code, json.stderr).toBe(0)
    const answer = JSON.parse(json.stdout)
    expect(answer).toMatchObject({ type: 'result', value: 207, dataset: 'cars', verdict: { replicas: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/), disagreed: [{ peerId: liar, hash: expect.any(String) }], failed: [] } })
    expect([...answer.verdict.agreed].sort()).toEqual(honest)

    // the requester restarts: what it learnt of the liar is in its store
    await requester.stop()
    requester = await startRequester(requester.dataDir)
    const servedByLiar = holders[2]!.printed('job:served').length
    const next = await runCli(['run', job, '--tag', '#cars', '--args', '{"c": 8}', '--replicas', '2', '--json', '--data-dir', requester.dataDir])
    expect(next.code, next.stderr).toBe(0)
    const verdict = JSON.parse(next.stdout).verdict
    expect([...verdict.agreed].sort()).toEqual(honest)
    expect(verdict.disagreed).toEqual([])
    expect(holders[2]!.printed('job:served').length).toBe(servedByLiar)
  }, 120_000)
})
