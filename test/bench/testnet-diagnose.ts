// Diagnosis of the saturation seen when a running grid of 150 grows to 200 on two cores (README,
// Performance): grows like the bench's second grid (searches at 50, 100, 150), then to 200, and
// every 20 s samples who calls libp2p's peer store (swarm op `storeCallers`: calling frames,
// calls, most in flight) on a public and a NAT'd runner, with the grid's CPU use.
// Usage (root): node test/bench/testnet-diagnose.ts
import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Swarm } from '../testnet/swarm.ts'
import { Testnet } from '../testnet/testnet.ts'
import { BenchGrid, sleep } from './testnet-grid.ts'
import { hostsNeeded, PUBLIC_RANGES, SITES } from './testnet-layout.ts'
import { blockMulticastDns, idleLoad } from './testnet-load.ts'
import { measureScale, placeHolders } from './testnet-scale.ts'

const sizes = [50, 100, 150, 200]
const hosts = hostsNeeded(sizes)
const net = await Testnet.create({ publicHosts: hosts.public, sites: SITES.map(s => ({ ...s, hosts: hosts.perSite })) })
const workDir = await mkdtemp(join(tmpdir(), 'grid-testnet-diag-'))
try {
  const grid = new BenchGrid(net, new Swarm(net, { workDir, publicRanges: PUBLIC_RANGES }))
  await blockMulticastDns(grid)
  let holders
  for (const size of sizes.slice(0, 3)) {
    console.log(await grid.grow(size))
    console.log(await grid.settle(90_000))
    holders ??= await placeHolders(grid)
    console.log((await measureScale(grid, holders, 9)).join('\n'))
  }
  const sample = async (label: string): Promise<void> => {
    const pub = grid.swarm.runners[0]!
    const nat = grid.swarm.runners.find(r => r.host.site === 'a')!
    for (const r of [pub, nat]) {
      const got = await grid.ask(r, 'storeCallers', { ms: 5_000 }, 30_000, 'storeCallers')
      console.log(`${label} ${r.host.name}: ${JSON.stringify(got, null, 1)}`)
    }
    console.log((await idleLoad(grid, 3_000)).text)
  }
  await sample('idle at 150')
  const growing = grid.grow(200)
  const state = { done: false }
  void growing.then(text => { state.done = true; console.log(text) })
  for (let i = 0; i < 12; i++) {
    if (state.done) break
    await sleep(20_000)
    await sample(`growing ${i}`)
  }
  await growing
  await sample('after growth')
} finally {
  await net.destroy()
  rmSync(workDir, { recursive: true, force: true })
}
process.exit(0)
