/**
 * `grid-node federate` with real `grid-node start` processes, on examples/federated-regression:
 * three holders with a third of the cars each, a requester's CLI runs the rounds, and its model
 * is the one the library's federated averaging finds (the example's own run).
 */
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'

const ARGS = JSON.stringify({ columns: [['Weight_in_lbs', 'Horsepower'], 'Miles_per_Gallon'] })
const INIT = JSON.stringify(new Array(12).fill(0))

describe('grid-node federate', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  let requester: CliNode
  let job: string
  let example: any

  beforeAll(async () => {
    // @ts-expect-error the example is plain JavaScript
    example = await import('../examples/federated-regression/regression.js')
    const files = await tempDir()
    dirs.push(files)
    // the example's own job file, as a person would send it
    job = resolve(import.meta.dirname, '../examples/federated-regression/job.js')
    const cars = await vegaRows('cars')
    const third = Math.ceil(cars.length / 3)
    let bootstrap: string[] = []
    for (let i = 0; i < 3; i++) {
      const dir = await tempDir()
      dirs.push(dir)
      const file = await writeRows(files, `cars-${i}`, 'json', cars.slice(i * third, (i + 1) * third))
      expect((await runCli(['datasets', 'add', file, '--tag', '#cars', '--data-dir', dir])).code).toBe(0)
      const holder = CliNode.start(dir, bootstrap)
      nodes.push(holder)
      if (i === 0) bootstrap = ['--bootstrap', (await holder.started()).bootstrapAddrs[0]!]
    }
    const requesterDir = await tempDir()
    dirs.push(requesterDir)
    requester = CliNode.start(requesterDir, bootstrap)
    nodes.push(requester)
    await requester.event('ready')
    await eventually(async () => {
      const r = await runCli(['search', '#cars', '--json', '--data-dir', requesterDir])
      return r.code === 0 && JSON.parse(r.stdout).length === 3 ? true : undefined
    }, 'all three holders announced')
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('prints each round and the model as JSON: the model the library finds on examples/federated-regression', async () => {
    const r = await runCli(['federate', job, '--tag', '#cars', '--rounds', '2', '--init', INIT, '--args', ARGS, '--json', '--data-dir', requester.dataDir])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n').map(line => JSON.parse(line))
    expect(lines.map(l => l.type)).toEqual(['round', 'round', 'model'])
    for (const [i, round] of lines.slice(0, 2).entries()) expect(round).toMatchObject({ type: 'round', round: i, contributors: 3, n: 392 })
    const model: number[] = lines[2].model
    expect(model).toHaveLength(12)

    const { federated, centralised } = await example.runExample()
    const coefficients: number[] = example.solve(model)
    coefficients.forEach((b, i) => { expect(Math.abs(b - federated[i]) / Math.abs(federated[i])).toBeLessThan(1e-9) })
    coefficients.forEach((b, i) => { expect(Math.abs(b - centralised[i]) / Math.abs(centralised[i])).toBeLessThan(1e-3) })

    // for people: the rounds on stderr, only the model on stdout
    const text = await runCli(['federate', job, '--tag', '#cars', '--init', INIT, '--args', ARGS, '--data-dir', requester.dataDir])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stderr).toMatch(/^round 1\/1: 3 holders, 392 rows, model \[[-\d.e, ]+, …\]$/m)
    const printed: number[] = JSON.parse(text.stdout)
    printed.forEach((v, i) => { expect(Math.abs(v - model[i]!)).toBeLessThanOrEqual(Math.abs(model[i]!) * 1e-12) })
  })

  it('bad input: a usage error before anything is sent, a missing job file, no holder', async () => {
    const at = ['--data-dir', requester.dataDir]
    const noInit = await runCli(['federate', job, '--tag', '#cars', ...at])
    expect([noInit.code, noInit.stderr]).toEqual([2, expect.stringContaining('give the starting model: --init')])
    const badInit = await runCli(['federate', job, '--tag', '#cars', '--init', '[1,"a"]', ...at])
    expect([badInit.code, badInit.stderr]).toEqual([2, expect.stringContaining('--init must be a JSON array of 1 to')])
    const badArgs = await runCli(['federate', job, '--tag', '#cars', '--init', '[0]', '--args', '[1]', ...at])
    expect([badArgs.code, badArgs.stderr]).toEqual([2, expect.stringContaining('--args must be a JSON object')])
    const noTag = await runCli(['federate', job, '--init', '[0]', ...at])
    expect([noTag.code, noTag.stderr]).toEqual([2, expect.stringContaining('give at least one --tag')])
    const missing = await runCli(['federate', join(job, '..', 'missing.js'), '--tag', '#cars', '--init', '[0]', ...at])
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/cannot read the job file .*missing\.js \(ENOENT\)/)])
    const nobody = await runCli(['federate', job, '--tag', '#nobody', '--init', INIT, ...at])
    expect(nobody.code).toBe(1)
    expect(nobody.stderr).toMatch(/no live holder found for #nobody/)
    expect(nobody.stderr).toMatch(/round 0: no holder of #nobody returned \{ update: number\[12\], n \}/)
  })
})
