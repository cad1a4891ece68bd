// What the grid costs the machine while idle: CPU time its runner processes used over a window
// (from /proc), per node; and the switch that keeps multicast DNS off the sites' LANs.
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { cpuSeconds } from './process-cpu.ts'
import { median } from './stats.ts'
import { sleep, type BenchGrid } from './testnet-grid.ts'

/** Past this share of the machine's cores, the grid starves itself: timeouts fire, peers look dead. */
const SATURATED = 0.85

export interface Load {
  /** cores the grid's processes kept busy */
  cores: number
  saturated: boolean
  text: string
}

/** CPU the grid's processes use over `windowMs`, with nothing asked of them. */
export async function idleLoad (grid: BenchGrid, windowMs: number): Promise<Load> {
  const runners = grid.swarm.runners.filter(r => r.pid != null)
  const before = runners.map(r => cpuSeconds(r.pid!))
  const started = performance.now()
  await sleep(windowMs)
  const seconds = (performance.now() - started) / 1000
  const used = runners.map((r, i) => ({ runner: r, cores: (cpuSeconds(r.pid!) - before[i]!) / seconds }))
  const cores = used.reduce((sum, u) => sum + u.cores, 0)
  const perNode = (site: boolean): string => (100 * median(used.filter(u => (u.runner.host.site != null) === site).map(u => u.cores / u.runner.peerIds.length))).toFixed(1)
  const available = availableParallelism()
  const saturated = cores > SATURATED * available
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0]
  return {
    cores,
    saturated,
    text: `        idle CPU: the grid's ${used.length} processes used ${cores.toFixed(2)} of ${available} cores over ${seconds.toFixed(0)} s (per node: public ${perNode(false)} %, behind NAT ${perNode(true)} % of a core); load average ${load ?? '?'}` +
      (saturated ? ' — SATURATED: the figures at this size measure a CPU-starved grid' : '')
  }
}

/**
 * Drops multicast DNS (UDP 5353) in and out of every site host: the grid's LAN discovery then
 * finds nobody, and nodes behind NAT reach each other only through relays and hole punching.
 */
export async function blockMulticastDns (grid: BenchGrid): Promise<void> {
  await Promise.all(grid.net.hosts.filter(h => h.site != null).map(async host => {
    for (const chain of ['INPUT', 'OUTPUT']) {
      const r = await grid.net.exec(host, ['iptables', '-I', chain, '-p', 'udp', '--dport', '5353', '-j', 'DROP'])
      if (r.code !== 0) throw new Error(`${host.name}: iptables ${chain}: ${r.stderr}`)
    }
  }))
}
