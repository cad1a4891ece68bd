import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const EXAMPLES = resolve(import.meta.dirname, '../examples')

describe('examples', () => {
  it('embedded-pair: the second node joins the first and each finds the other in the DHT', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['index.js'], { cwd: resolve(EXAMPLES, 'embedded-pair'), timeout: 60_000 })
    const a = /^a (\S+)$/m.exec(stdout)?.[1]
    const b = /^b (\S+) joined/m.exec(stdout)?.[1]
    expect(a).toMatch(/^12D3KooW/)
    expect(stdout).toContain(`b is connected to ${a}`)
    expect(stdout).toMatch(new RegExp(`lookup for b found: .*${b}`))
  })
})

describe('examples/federated-regression', () => {
  it('matches the centralised fit within 1e-3 relative, and only statistics and counts leave the holders', async () => {
    // @ts-expect-error the example is plain JavaScript
    const { runExample, loadCars } = await import('../examples/federated-regression/regression.js')
    const { federated, centralised, contributors, n, events } = await runExample()
    expect(contributors).toBe(3)
    expect(n).toBe(392) // rows with all three columns
    federated.forEach((b: number, i: number) => { expect(Math.abs(b - centralised[i]) / Math.abs(centralised[i])).toBeLessThan(1e-3) })

    const results = events.filter((e: any) => e.type === 'result')
    expect(results.length).toBe(3)
    for (const r of results) {
      expect(Object.keys(r.value).sort()).toEqual(['n', 'update'])
      expect(r.value.update.length).toBe(12)
    }
    const wire = JSON.stringify(events)
    const names: string[] = (await loadCars()).map((c: any) => String(c.Name))
    expect(names.filter(name => wire.includes(name))).toEqual([])
  })
})

describe('examples/lambdas', () => {
  it('spreads data-free jobs over the #compute:js workers, each result right', async () => {
    // @ts-expect-error the example is plain JavaScript
    const { runLambdas } = await import('../examples/lambdas/lambdas.js')
    const runs: Array<{ n: number, value: number, ranOn: string }> = await runLambdas({ workers: 3, jobs: 9 })
    const fib = (n: number): number => n < 2 ? n : fib(n - 1) + fib(n - 2)
    expect(runs.map(r => r.value)).toEqual(runs.map(r => fib(r.n)))
    expect(new Set(runs.map(r => r.ranOn))).toEqual(new Set(['worker-0', 'worker-1', 'worker-2']))
  })
})
