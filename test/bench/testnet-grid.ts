// The testnet part's grid: a swarm that grows step by step over the planned hosts, waits until
// its nodes are reachable, and asks its nodes things, where a failure is counted, never fatal.
import { availableParallelism } from 'node:os'
import { coresUsed } from './process-cpu.ts'
import { growth } from './testnet-layout.ts'
import type { Swarm, SwarmNode, SwarmRunner } from '../testnet/swarm.ts'
import type { Testnet } from '../testnet/testnet.ts'
import type { Host } from '../testnet/topology.ts'

/** Runners started at once while growing: more only queue up for the same two cores. */
const START_BATCH = 3
const RUNNER_START_TIMEOUT_MS = 150_000
const STATUS_TIMEOUT_MS = 10_000
const SETTLE_POLL_MS = 2_000
/**
 * Before each batch of starts, the grid's processes must use under this share of the cores
 * (sampled over QUIET_WINDOW_MS, for at most QUIET_DEADLINE_MS): starting nodes is the heaviest
 * thing a node does, and 24 starting at once on top of a grid of 150 starved it on two cores —
 * liveness timed out, relays were lost, and the grid never settled. On real machines each node
 * has its own cores.
 */
const QUIET_SHARE = 0.7
const QUIET_WINDOW_MS = 2_000
const QUIET_DEADLINE_MS = 60_000

export interface NodeStatus { peerId: string, ready: boolean, state: string, relays: string[], peers: number, addrs: string[] }
export interface RunnerStatus { rss: number, nodes: NodeStatus[] }
export interface RelayCheck { total: number, onTwo: number, onNat: number, text: string }

export const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

export class BenchGrid {
  readonly net: Testnet
  readonly swarm: Swarm
  /** measurements that failed, counted and reported at the end */
  readonly failures: string[] = []
  size = 0

  constructor (net: Testnet, swarm: Swarm) {
    this.net = net
    this.swarm = swarm
  }

  nodes (filter: (n: SwarmNode) => boolean = () => true): SwarmNode[] { return this.swarm.nodes().filter(filter) }

  /** Adds the runners that make it `to` nodes; says how long it took. */
  async grow (to: number): Promise<string> {
    const started = performance.now()
    for (const placement of growth(this.size, to)) {
      const hosts = this.freeHosts(placement.site, placement.runners.length)
      const jobs = placement.runners.map((count, i) => async () => { await this.swarm.add(hosts[i]!, count, RUNNER_START_TIMEOUT_MS) })
      // the public side first and whole: everyone else bootstraps from it and reserves relays there
      for (let i = 0; i < jobs.length; i += START_BATCH) {
        await this.quiet()
        const results = await Promise.allSettled(jobs.slice(i, i + START_BATCH).map(async job => job()))
        for (const r of results) if (r.status === 'rejected') this.failures.push(`start: ${String(r.reason?.message ?? r.reason).slice(0, 300)}`)
      }
    }
    const from = this.size
    this.size = to
    const notReady = this.swarm.runners.reduce((n, r) => n + r.ready.filter(ok => !ok).length, 0)
    return `grew ${from} → ${to} nodes in ${seconds(started)} s (${this.swarm.runners.length} runner processes${notReady > 0 ? `, ${notReady} nodes not joined within 90 s` : ''})`
  }

  /** Waits until the grid's processes use under QUIET_SHARE of the cores, or QUIET_DEADLINE_MS. */
  private async quiet (): Promise<void> {
    const deadline = performance.now() + QUIET_DEADLINE_MS
    while (performance.now() < deadline) {
      const pids = this.swarm.runners.flatMap(r => r.pid != null ? [r.pid] : [])
      if (pids.length === 0 || await coresUsed(pids, QUIET_WINDOW_MS) < QUIET_SHARE * availableParallelism()) return
    }
  }

  /** The next `count` hosts of a segment that have no runner yet. */
  private freeHosts (site: string | undefined, count: number): Host[] {
    const used = new Set(this.swarm.runners.map(r => r.host.name))
    const hosts = this.net.hosts.filter(h => h.site === site && !used.has(h.name)).slice(0, count)
    if (hosts.length < count) throw new Error(`the testnet has too few hosts ${site == null ? 'on the public segment' : `in site ${site}`}`)
    return hosts
  }

  /** Every live runner's status; a runner that does not answer is left out and counted. */
  async statuses (): Promise<Map<SwarmRunner, RunnerStatus>> {
    const live = this.swarm.runners.filter(r => r.alive)
    const answers = await Promise.all(live.map(async r => this.ask(r, 'status', {}, STATUS_TIMEOUT_MS, 'status') as Promise<RunnerStatus | undefined>))
    return new Map(live.map((r, i) => [r, answers[i]!] as const).filter(([, s]) => s != null))
  }

  /**
   * Waits until every public node is reachable directly and every node behind NAT is relayed by
   * two public nodes, or the deadline passes; says how long and how far it got.
   */
  async settle (deadlineMs: number): Promise<string> {
    const started = performance.now()
    for (;;) {
      const statuses = await this.statuses()
      const publics = [...statuses].filter(([r]) => r.host.site == null).flatMap(([, s]) => s.nodes)
      const direct = publics.filter(n => n.state === 'direct').length
      const relays = this.relayCheck(statuses, runner => runner.host.site != null)
      const summary = `${direct}/${publics.length} public nodes direct, ${relays.text}`
      const done = direct === publics.length && relays.onTwo === this.size - publics.length
      if (done || performance.now() - started > deadlineMs) return `${summary} after ${seconds(started)} s${done ? '' : ' (deadline)'}`
      await sleep(SETTLE_POLL_MS)
    }
  }

  /**
   * Of the nodes of the runners `which` takes: how many are relayed by at least two nodes of
   * the public segment, and how many hold a reservation on a peer behind NAT (which the grid
   * means never to do: nobody outside can dial such a relayed address).
   */
  relayCheck (statuses: Map<SwarmRunner, RunnerStatus>, which: (runner: SwarmRunner) => boolean): RelayCheck {
    const publicIds = new Set(this.nodes(n => n.site == null).map(n => n.peerId))
    const nodes = [...statuses].filter(([r]) => which(r)).flatMap(([, s]) => s.nodes)
    const onTwo = nodes.filter(n => n.state === 'relayed' && n.relays.filter(id => publicIds.has(id)).length >= 2).length
    const onNat = nodes.filter(n => n.relays.some(id => !publicIds.has(id))).length
    const perRelay = new Map<string, number>()
    for (const id of nodes.flatMap(n => n.relays)) perRelay.set(id, (perRelay.get(id) ?? 0) + 1)
    const busiest = Math.max(0, ...perRelay.values())
    return {
      total: nodes.length,
      onTwo,
      onNat,
      text: `${onTwo}/${nodes.length} nodes behind NAT relayed by 2 public nodes${onNat > 0 ? ` (${onNat} hold a relay behind NAT)` : ''}, on ${perRelay.size} relays (the busiest holds ${busiest} reservations)`
    }
  }

  /** One request to a runner; a failure or a timeout is counted under `label` and gives undefined. */
  async ask (runner: SwarmRunner, op: string, args: Record<string, unknown>, timeoutMs: number, label: string): Promise<Record<string, any> | undefined> {
    try {
      return await runner.request(op, args, timeoutMs)
    } catch (err: any) {
      this.failures.push(`${label}: ${String(err?.message ?? err).slice(0, 300)}`)
      return undefined
    }
  }

  /** `ask` addressed to one node. */
  async askNode (node: SwarmNode, op: string, args: Record<string, unknown>, timeoutMs: number, label: string): Promise<Record<string, any> | undefined> {
    return this.ask(node.runner, op, { node: node.index, ...args }, timeoutMs, label)
  }
}

export function seconds (since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1)
}

/** The i-th item, round and round. */
export function nth<T> (items: T[], i: number): T {
  return items[i % items.length]!
}
