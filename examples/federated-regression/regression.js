// Linear regression of miles per gallon on weight and horsepower, fitted two ways: federated
// (each holder returns only the averaged sufficient statistics XᵀX/n and Xᵀy/n of its own rows,
// the requester takes their n-weighted mean) and centralised (all rows in one place).
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createGridNode, federate, runInSandbox } from '@grid-node/core'

const FEATURES = ['Weight_in_lbs', 'Horsepower']
const TARGET = 'Miles_per_Gallon'

/**
 * The job every holder runs on its own rows (job.js, which `grid-node federate` sends as it is):
 * never returns a row, only 12 numbers and a count.
 */
export const JOB = readFileSync(new URL('./job.js', import.meta.url), 'utf8')

/** Solves the 3×3 normal equations XᵀX β = Xᵀy (Gaussian elimination with pivoting). */
export function solve (stats) {
  const a = [0, 1, 2].map(i => [stats[i * 3], stats[i * 3 + 1], stats[i * 3 + 2], stats[9 + i]])
  for (let col = 0; col < 3; col++) {
    const pivot = a.slice(col).reduce((best, row, i) => Math.abs(row[col]) > Math.abs(a[best][col]) ? col + i : best, col)
    ;[a[col], a[pivot]] = [a[pivot], a[col]]
    for (let row = 0; row < 3; row++) {
      if (row === col) continue
      const f = a[row][col] / a[col][col]
      for (let k = col; k < 4; k++) a[row][k] -= f * a[col][k]
    }
  }
  return a.map((row, i) => row[3] / row[i])
}

/** The same job over all rows at once, in the same sandbox: the centralised fit. */
export async function centralised (rows) {
  const outcome = await runInSandbox({ code: JOB, data: rows, args: { columns: [FEATURES, TARGET] } })
  if (!outcome.ok) throw new Error(outcome.message)
  return solve(outcome.value.update)
}

export async function loadCars () {
  // the package exports only its loader; its JSON files sit in data/ beside build/
  const require = createRequire(import.meta.url)
  const data = join(dirname(require.resolve('vega-datasets')), '..', 'data', 'cars.json')
  return JSON.parse(await readFile(data, 'utf8'))
}

/** A round counts whoever holds the data when it starts: wait until every holder is found. */
async function untilHolders (node, tags, count, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while ((await node.searchAll(tags, { cache: false })).length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} holders of ${tags.join(' ')} after ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/**
 * Starts three holders (a third of the cars each, as JSON files) and a requester on loopback,
 * fits both ways, stops everything. Returns both fits and every event the requester received.
 */
export async function runExample () {
  const cars = await loadCars()
  const dir = await mkdtemp(join(tmpdir(), 'grid-federated-'))
  const nodes = []
  try {
    const make = async (name, bootstrap) => {
      const node = await createGridNode({ dataDir: join(dir, name), network: 'federated-example', listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, lan: true })
      nodes.push(node)
      return node
    }
    const first = await make('holder-0', [])
    const bootstrap = [first.shareableAddrs()[0].toString()]
    const holders = [first, await make('holder-1', bootstrap), await make('holder-2', bootstrap)]
    const third = Math.ceil(cars.length / 3)
    for (const [i, holder] of holders.entries()) {
      const file = join(dir, `cars-${i}.json`)
      await writeFile(file, JSON.stringify(cars.slice(i * third, (i + 1) * third)))
      await holder.datasets.add({ path: file, tags: ['#cars'] })
    }
    const requester = await make('requester', bootstrap)
    await Promise.all(nodes.map(async n => n.whenReady()))
    await untilHolders(requester, ['#cars'], holders.length)

    // requester.federate(…) does the same; this keeps every event the requester receives,
    // so a test can check that nothing but model statistics and counts left the holders
    const events = []
    const run = async function * (init) { for await (const e of requester.run(init)) { events.push(e); yield e } }
    const result = await federate(run, { tags: ['#cars'], code: JOB, rounds: 1, init: new Array(12).fill(0), args: { columns: [FEATURES, TARGET] } })
    return { federated: solve(result.model), centralised: await centralised(cars), contributors: result.rounds[0].contributors, n: result.rounds[0].n, events }
  } finally {
    await Promise.all(nodes.map(async n => n.stop()))
    await rm(dir, { recursive: true, force: true })
  }
}
