// A private network of namespaces on this machine: a public segment and sites behind NATs (see
// topology.ts). Commands and long-running processes run inside a host's namespace; destroy(), or
// the process exiting or being signalled, removes every namespace with every process in it.
import { execFile, spawn } from 'node:child_process'
import { constants } from 'node:os'
import { allNamespaces, buildTopology } from './build.ts'
import { UnknownNameError } from './errors.ts'
import { assertCanBuild, ip, newRunPrefix, removeNamespaces } from './netns.ts'
import { planTopology } from './topology.ts'
import type { Host, Namespaced, Site, TestnetInit, Topology } from './topology.ts'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

export interface ExecOptions {
  /** added to this process's environment */
  env?: Record<string, string>
  /** the command is killed after this long. @default 10_000 */
  timeoutMs?: number
}

export interface ExecResult {
  /** null when a signal ended it (e.g. at the deadline) */
  code: number | null
  stdout: string
  stderr: string
}

export interface SpawnOptions {
  /** added to this process's environment */
  env?: Record<string, string>
}

const DEFAULT_EXEC_TIMEOUT_MS = 10_000
/** How long destroy() waits for spawned processes, already SIGKILLed, to be reaped. */
const REAP_DEADLINE_MS = 5_000
const CLEANUP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

export class Testnet {
  /** `gt` and the run id: every namespace of the run starts with it and a dash */
  readonly prefix: string
  /** public hosts first, then each site's */
  readonly hosts: Host[]
  readonly sites: Site[]
  private readonly topology: Topology
  private readonly children = new Set<ChildProcessWithoutNullStreams>()
  private removed = false
  private readonly onExit = (): void => { this.removeNow() }
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.removeNow()
    // if nobody else handles the signal, end as its default action would have
    if (process.listenerCount(signal) === 0) process.exit(128 + constants.signals[signal])
  }

  private constructor (topology: Topology) {
    this.topology = topology
    this.prefix = topology.prefix
    this.sites = topology.sites
    this.hosts = [...topology.publicHosts, ...topology.sites.flatMap(s => s.hosts)]
    process.on('exit', this.onExit)
    for (const signal of CLEANUP_SIGNALS) process.on(signal, this.onSignal)
  }

  /** Throws TestnetUnavailableError unless this process is root with `ip` and iptables. */
  static async create (init: TestnetInit = {}): Promise<Testnet> {
    assertCanBuild()
    // cleanup is registered before the first namespace exists, so a failed build leaves nothing
    const net = new Testnet(planTopology(init, newRunPrefix()))
    try {
      await buildTopology(net.topology)
    } catch (err) {
      await net.destroy()
      throw err
    }
    return net
  }

  host (name: string): Host {
    const host = this.hosts.find(h => h.name === name)
    if (host == null) throw new UnknownNameError('host', name, this.hosts.map(h => h.name))
    return host
  }

  site (name: string): Site {
    const site = this.sites.find(s => s.name === name)
    if (site == null) throw new UnknownNameError('site', name, this.sites.map(s => s.name))
    return site
  }

  /** Runs a command to completion inside a host's (or a router's) namespace; never rejects on a non-zero exit. */
  async exec (where: Namespaced, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const timeout = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS
    return new Promise((resolve, reject) => {
      execFile('ip', ['netns', 'exec', where.ns, ...command], { env: { ...process.env, ...options.env }, timeout, killSignal: 'SIGKILL', encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err != null && typeof err.code !== 'number' && !err.killed) reject(err)
        else resolve({ code: err == null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr })
      })
    })
  }

  /**
   * Starts a long-running process inside a host's (or a router's) namespace, in a session of its
   * own (setsid) so `process.kill(-child.pid, signal)` reaches its whole process group. destroy()
   * kills it.
   */
  spawn (where: Namespaced, command: string[], options: SpawnOptions = {}): ChildProcessWithoutNullStreams {
    const child = spawn('ip', ['netns', 'exec', where.ns, ...command], { env: { ...process.env, ...options.env }, detached: true })
    this.children.add(child)
    child.once('exit', () => this.children.delete(child))
    return child
  }

  /** Unplugs the site's WAN cable at the switch: its traffic to and from the public segment is silently lost. */
  async cutSite (name: string): Promise<void> {
    await ip(['-n', this.topology.switchNs, 'link', 'set', this.site(name).switchPort, 'down'])
  }

  async healSite (name: string): Promise<void> {
    await ip(['-n', this.topology.switchNs, 'link', 'set', this.site(name).switchPort, 'up'])
  }

  /** Kills every process in the run's namespaces and deletes them. Safe to call twice. */
  async destroy (): Promise<void> {
    this.removeNow()
    const deadline = AbortSignal.timeout(REAP_DEADLINE_MS)
    await Promise.all([...this.children].map(async child => new Promise<void>(resolve => {
      child.once('exit', () => resolve())
      deadline.addEventListener('abort', () => resolve(), { once: true })
    })))
  }

  private removeNow (): void {
    if (this.removed) return
    this.removed = true
    process.off('exit', this.onExit)
    for (const signal of CLEANUP_SIGNALS) process.off(signal, this.onSignal)
    for (const child of this.children) {
      try { process.kill(-child.pid!, 'SIGKILL') } catch { /* its group is gone already */ }
    }
    removeNamespaces(allNamespaces(this.topology))
  }
}
