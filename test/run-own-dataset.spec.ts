import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'

describe('grid-node run --tag from a node that holds one of the datasets', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  let me: CliNode
  let other: CliNode
  let job: string

  beforeAll(async () => {
    const files = await tempDir()
    dirs.push(files)
    const cars = await vegaRows('cars')
    const mine = await writeRows(files, 'cars-mine', 'json', cars.slice(0, 200))
    const theirs = await writeRows(files, 'cars-theirs', 'csv', cars.slice(200))
    const [myDir, otherDir] = [await tempDir(), await tempDir()]
    dirs.push(myDir, otherDir)
    expect((await runCli(['datasets', 'add', mine, '--tag', '#cars', '--data-dir', myDir])).code).toBe(0)
    expect((await runCli(['datasets', 'add', theirs, '--tag', '#cars', '--data-dir', otherDir])).code).toBe(0)
    other = CliNode.start(otherDir)
    nodes.push(other)
    me = CliNode.start(myDir, ['--bootstrap', (await other.started()).bootstrapAddrs[0]!])
    nodes.push(me)
    await me.event('ready')
    await eventually(async () => {
      const r = await runCli(['search', '#cars', '--json', '--data-dir', myDir])
      return r.code === 0 && JSON.parse(r.stdout).length === 2 ? true : undefined
    }, 'both holders found')
    job = join(files, 'rows.js')
    await writeFile(job, 'export default ({ data }) => data.length\n')
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('runs on every live holder, this node included, and counts every result', async () => {
    const r = await runCli(['run', job, '--tag', '#cars', '--json', '--data-dir', me.dataDir])
    expect(r.code, r.stderr).toBe(0)
    const results = r.stdout.trim().split('\n').map(line => JSON.parse(line))
    const byPeer = Object.fromEntries(results.map(e => [e.peerId, e]))
    expect(byPeer[(await me.started()).peerId]).toMatchObject({ type: 'result', value: 200, dataset: 'cars-mine' })
    expect(byPeer[(await other.started()).peerId]).toMatchObject({ type: 'result', value: 206, dataset: 'cars-theirs' })
    const text = await runCli(['run', job, '--tag', '#cars', '--data-dir', me.dataDir])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/cars-mine\s+result \([\d.]+ s\): 200/)
    expect(text.stdout).toMatch(/2 results, 0 failed/)
  })
})
