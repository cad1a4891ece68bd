// Where an idle testnet grid's CPU goes: grows a grid of N nodes (multicast DNS dropped at the
// site hosts, as the bench's larger grids), lets it settle, measures its idle CPU and samples a
// CPU profile of a few runner processes, summed by function.
// Usage (root): node test/bench/testnet-profile.ts [sizes grown through, e.g. 150,200; default 100] [runners profiled=6] [seconds=15]
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Swarm } from '../testnet/swarm.ts'
import { Testnet } from '../testnet/testnet.ts'
import { BenchGrid } from './testnet-grid.ts'
import { hostsNeeded, PUBLIC_RANGES, SITES } from './testnet-layout.ts'
import { blockMulticastDns, idleLoad } from './testnet-load.ts'
import { median } from './stats.ts'

const sizes = (process.argv[2] ?? '100').split(',').map(Number)
const profiled = Number(process.argv[3] ?? 6)
const windowS = Number(process.argv[4] ?? 15)
/** GRID_PROFILE_HOG_S: keep every core busy this long after the grid settled, then settle again */
const HOG_S = Number(process.env.GRID_PROFILE_HOG_S ?? 0)

const hosts = hostsNeeded(sizes)
const net = await Testnet.create({ publicHosts: hosts.public, sites: SITES.map(s => ({ ...s, hosts: hosts.perSite })) })
const workDir = await mkdtemp(join(tmpdir(), 'grid-testnet-profile-'))
try {
  const grid = new BenchGrid(net, new Swarm(net, { workDir, publicRanges: PUBLIC_RANGES }))
  await blockMulticastDns(grid)
  for (const size of sizes) {
    console.log(await grid.grow(size))
    console.log(await grid.settle(90_000))
  }
  if (HOG_S > 0) {
    // starve the grid: every core busy for HOG_S seconds, then see whether it settles again
    const hogs = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }))
    await new Promise(resolve => setTimeout(resolve, HOG_S * 1000))
    for (const hog of hogs) hog.kill('SIGKILL')
    console.log(`after ${HOG_S} s with every core kept busy: ${(await idleLoad(grid, 5_000)).text.trim()}`)
    console.log(await grid.settle(120_000))
  }
  const statuses = await grid.statuses()
  const conns = [...statuses.values()].flatMap(s => s.nodes.map((n: any) => n.connections as number))
  console.log(`connections per node: median ${median(conns)}, max ${Math.max(...conns)}`)
  console.log((await idleLoad(grid, 10_000)).text)
  const picks = [...grid.swarm.runners.filter(r => r.host.site == null).slice(0, 2), ...grid.swarm.runners.filter(r => r.host.site != null).slice(0, profiled - 2)]
  const profiles = await Promise.all(picks.map(async r => grid.ask(r, 'profile', { ms: windowS * 1000, top: 60 }, windowS * 1000 + 20_000, 'profile')))
  const sum = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const p of profiles) {
    if (p == null) continue
    total += p.totalMs
    idle += p.idleMs
    for (const e of p.entries) sum.set(e.fn, (sum.get(e.fn) ?? 0) + e.ms)
  }
  console.log(`profiled ${picks.length} runners for ${windowS} s: ${total.toFixed(0)} ms sampled, ${idle.toFixed(0)} ms idle`)
  for (const [fn, ms] of [...sum].sort((a, b) => b[1] - a[1]).slice(0, 50)) console.log(`${ms.toFixed(0).padStart(7)} ms  ${fn}`)
  if (grid.failures.length > 0) console.log(`failures: ${grid.failures.length}\n  ${grid.failures.slice(0, 10).join('\n  ')}`)
} finally {
  await net.destroy()
  rmSync(workDir, { recursive: true, force: true })
}
process.exit(0)
