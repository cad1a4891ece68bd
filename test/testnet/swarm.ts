// Many grid nodes in a testnet, a few per process: each process is a swarm runner
// (swarm-runner.ts) inside one host's namespace, asked to do things over JSON lines. A runner
// can be killed (kill -9), frozen (SIGSTOP) and restarted on its data dirs.
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { RunnerConfig } from './swarm-runner.ts'
import type { Testnet } from './testnet.ts'
import type { Host } from './topology.ts'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

const RUNNER = resolve(import.meta.dirname, 'swarm-runner.ts')
const FIRST_PORT = 7400
/** Kept of a runner's stderr, for the message when it fails. */
const STDERR_KEPT = Number(process.env.GRID_SWARM_STDERR_KEPT ?? 4_000)

export interface SwarmNode {
  /** `<host>#<index>` */
  name: string
  runner: SwarmRunner
  index: number
  peerId: string
  /** undefined on the public segment */
  site?: string
}

interface Pending { resolve: (value: any) => void, reject: (err: Error) => void, timer: ReturnType<typeof setTimeout> }

export class SwarmRunner {
  readonly host: Host
  readonly config: RunnerConfig
  peerIds: string[] = []
  ready: boolean[] = []
  /** when its nodes last said they joined (performance.now()); undefined while down or starting */
  upSince?: number
  /** when it was last killed (performance.now()) */
  downSince?: number
  stderr = ''
  /** Exits nobody asked for (a crash): how it ended and the end of its stderr. */
  readonly crashes: string[] = []
  private child?: ChildProcessWithoutNullStreams
  private killing = false
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private started?: Promise<void>

  constructor (host: Host, config: RunnerConfig) {
    this.host = host
    this.config = config
  }

  get alive (): boolean { return this.child != null && this.child.exitCode == null && this.child.signalCode == null }

  /** The process's ID (`ip netns exec` execs the command in place), while it runs. */
  get pid (): number | undefined { return this.alive ? this.child?.pid : undefined }

  nodes (): SwarmNode[] {
    return this.peerIds.map((peerId, index) => ({ name: `${this.host.name}#${index}`, runner: this, index, peerId, ...(this.host.site != null ? { site: this.host.site } : {}) }))
  }

  /** (Re)starts the process on its data dirs; resolves once its nodes joined or gave up, within `timeoutMs`. */
  async start (net: Testnet, timeoutMs: number): Promise<void> {
    const child = net.spawn(this.host, [process.execPath, RUNNER, JSON.stringify(this.config)], { env: { DEBUG: process.env.GRID_SWARM_DEBUG ?? '' } })
    this.child = child
    this.upSince = undefined
    this.killing = false
    child.once('exit', (code, signal) => {
      if (!this.killing) this.crashes.push(`exit ${String(code ?? signal)}: ${this.stderr.slice(-600)}`)
    })
    child.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-STDERR_KEPT) })
    this.started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${this.host.name}: runner not ready within ${timeoutMs} ms; stderr: ${this.stderr}`)) }, timeoutMs)
      child.once('exit', () => { clearTimeout(timer); reject(new Error(`${this.host.name}: runner exited; stderr: ${this.stderr}`)) })
      createInterface({ input: child.stdout }).on('line', line => {
        const message = JSON.parse(line) as Record<string, any>
        if (message.event === 'started') this.peerIds = message.peerIds
        else if (message.event === 'ready') { this.ready = message.ready; this.upSince = performance.now(); clearTimeout(timer); resolve() } else if (message.event === 'failed') reject(new Error(`${this.host.name}: ${String(message.error)}`))
        else this.settle(message)
      })
    })
    this.started.catch(() => {})
    child.once('exit', () => {
      for (const [id, p] of this.pending) { clearTimeout(p.timer); this.pending.delete(id); p.reject(new Error(`${this.host.name}: runner exited`)) }
    })
    await this.started
  }

  /** Asks the runner to do `op`; rejects when it does not answer within `timeoutMs` or fails. */
  async request<T = Record<string, any>>(op: string, args: Record<string, unknown>, timeoutMs: number): Promise<T> {
    const child = this.child
    if (child == null || !this.alive) throw new Error(`${this.host.name}: runner is down`)
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`${this.host.name}: no answer to ${op} within ${timeoutMs} ms`)) }, timeoutMs)
      this.pending.set(id, { resolve, reject, timer })
      child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`)
    })
  }

  private settle (message: Record<string, any>): void {
    const p = this.pending.get(message.id)
    if (p == null) return
    this.pending.delete(message.id)
    clearTimeout(p.timer)
    if (message.ok === true) p.resolve(message)
    else p.reject(new Error(`${this.host.name}: ${String(message.error)}`))
  }

  /** `kill -9` of the whole process; resolves once it is gone. */
  async kill (): Promise<void> {
    const child = this.child
    if (child == null || !this.alive) return
    const gone = new Promise(resolve => child.once('exit', resolve))
    this.killing = true
    this.signal('SIGKILL')
    await gone
    this.upSince = undefined
    this.downSince = performance.now()
  }

  /** SIGSTOP: its nodes stop answering without closing a single connection. */
  freeze (): void { this.signal('SIGSTOP') }
  thaw (): void { this.signal('SIGCONT') }

  private signal (signal: NodeJS.Signals): void {
    try { process.kill(-this.child!.pid!, signal) } catch {}
  }
}

export interface SwarmInit {
  /** where the nodes' data dirs go */
  workDir: string
  publicRanges: string[]
}

export class Swarm {
  readonly runners: SwarmRunner[] = []
  private readonly net: Testnet
  private readonly init: SwarmInit
  private bootstrap: string[] = []

  constructor (net: Testnet, init: SwarmInit) {
    this.net = net
    this.init = init
  }

  nodes (): SwarmNode[] { return this.runners.flatMap(r => r.nodes()) }

  /**
   * Adds one runner of `count` nodes on `host`. The very first starts alone; the first nodes of
   * the first two runners on the public side are everybody else's bootstrap addresses.
   */
  async add (host: Host, count: number, timeoutMs: number): Promise<SwarmRunner> {
    const dataDirs = Array.from({ length: count }, (_, i) => join(this.init.workDir, `${host.name}-${i}`))
    const ports = Array.from({ length: count }, (_, i) => FIRST_PORT + i)
    const runner = new SwarmRunner(host, { hostIp: host.ip, ports, dataDirs, bootstrap: [...this.bootstrap], publicRanges: this.init.publicRanges })
    this.runners.push(runner)
    await Promise.all(dataDirs.map(async d => mkdir(d, { recursive: true })))
    await runner.start(this.net, timeoutMs)
    if (this.bootstrap.length < 2 && host.site == null) this.bootstrap.push(`/ip4/${host.ip}/tcp/${FIRST_PORT}/p2p/${runner.peerIds[0]!}`)
    return runner
  }

  async restart (runner: SwarmRunner, timeoutMs: number): Promise<void> {
    await runner.start(this.net, timeoutMs)
  }
}
