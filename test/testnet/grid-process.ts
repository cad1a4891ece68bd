// A real `grid-node start --json` process inside one host of a testnet, and the CLI run next to
// it (same namespace, same data dir, so it talks to that node's local API).
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { ExecResult, Testnet } from './testnet.ts'
import type { Host } from './topology.ts'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

export const GRID_BIN = resolve(import.meta.dirname, '../../packages/cli/bin/grid-node.js')

/** The testnet's public segment: declared public with --public-ranges, as an organisation's WAN would be. */
export const PUBLIC_RANGE = '10.99.0.0/16'

export interface GridProcessInit {
  bootstrap?: string[]
  /** More `start` flags. */
  args?: string[]
  env?: Record<string, string>
  /** Reuse a data dir (a restart); a new one otherwise. */
  dataDir?: string
}

export class GridProcess {
  readonly host: Host
  readonly dataDir: string
  readonly events: Array<Record<string, any>> = []
  readonly lines: string[] = []
  stderr = ''
  private readonly net: Testnet
  private readonly child: ChildProcessWithoutNullStreams
  /** stop() or kill() was called: an exit is no crash. */
  private asked = false

  private constructor (net: Testnet, host: Host, dataDir: string, child: ChildProcessWithoutNullStreams) {
    this.net = net
    this.host = host
    this.dataDir = dataDir
    this.child = child
    createInterface({ input: child.stdout }).on('line', line => {
      this.lines.push(line)
      try { this.events.push(JSON.parse(line)) } catch {}
    })
    child.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-20_000) })
  }

  static async start (net: Testnet, host: Host, init: GridProcessInit = {}): Promise<GridProcess> {
    const dataDir = init.dataDir ?? await mkdtemp(join(tmpdir(), `grid-testnet-${host.name}-`))
    const args = [
      'start', '--json', '--data-dir', dataDir, '--listen', '/ip4/0.0.0.0/tcp/7400',
      '--public-ranges', PUBLIC_RANGE, '--liveness-interval', '2000', '--liveness-timeout', '2000',
      ...(init.bootstrap ?? []).flatMap(b => ['--bootstrap', b]),
      ...init.args ?? []
    ]
    const child = net.spawn(host, [process.execPath, GRID_BIN, ...args], { env: { DEBUG: '', ...init.env } })
    return new GridProcess(net, host, dataDir, child)
  }

  get exited (): boolean { return this.child.exitCode != null || this.child.signalCode != null }

  /** How it ended when nobody stopped or killed it (a crash), with the end of its stderr. */
  get crash (): string | undefined {
    if (!this.exited || this.asked) return undefined
    return `${this.host.name} exited by itself (code ${String(this.child.exitCode)}, signal ${String(this.child.signalCode)}): ${this.stderr.slice(-3_000)}`
  }

  /** The first event named `name` that `accept` takes, waiting up to `timeoutMs`. */
  async event (name: string, accept: (e: Record<string, any>) => boolean = () => true, timeoutMs = 60_000): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.find(e => e.event === name && accept(e))
      if (found != null) return found
      if (this.exited) throw new Error(`${this.host.name}: grid-node exited before "${name}": ${this.stderr}`)
      if (Date.now() > deadline) throw new Error(`${this.host.name}: no "${name}" event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.slice(-6))}; stderr: ${this.stderr.slice(-2000)}`)
      await new Promise(resolve => setTimeout(resolve, 200))
    }
  }

  /** What its console said last about reachability: in the `started` event, then in `reachability` events. */
  reachabilitySaid (): { state: string, reason: string } | undefined {
    const said = this.events.filter(e => e.event === 'reachability' || (e.event === 'started' && e.reachability != null))
    const last = said.at(-1)
    return last == null ? undefined : last.event === 'started' ? last.reachability : last as unknown as { state: string, reason: string }
  }

  /** Its first TCP address on the public segment or its LAN, with its peer ID: a bootstrap address. */
  async address (): Promise<string> {
    const started = await this.event('started')
    return `/ip4/${this.host.ip}/tcp/7400/p2p/${String(started.peerId)}`
  }

  async peerId (): Promise<string> { return String((await this.event('started')).peerId) }

  /** The CLI in this host's namespace, talking to this node through its data dir. */
  async cli (args: string[], timeoutMs = 60_000): Promise<ExecResult> {
    return this.net.exec(this.host, [process.execPath, GRID_BIN, ...args, '--data-dir', this.dataDir], { timeoutMs, env: { DEBUG: '' } })
  }

  /** `status --json`, parsed. */
  async status (): Promise<Record<string, any>> {
    const r = await this.cli(['status', '--json'])
    if (r.code !== 0) throw new Error(`${this.host.name}: status failed (${r.code}): ${r.stderr}`)
    return JSON.parse(r.stdout)
  }

  /** Waits until `status` satisfies `accept`; returns the last status. */
  async statusUntil (accept: (s: Record<string, any>) => boolean, timeoutMs = 60_000): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs
    let last: Record<string, any> = {}
    for (;;) {
      try { last = await this.status() } catch {}
      if (accept(last)) return last
      if (Date.now() > deadline) throw new Error(`${this.host.name}: status never matched within ${timeoutMs} ms; last: ${JSON.stringify(last.reachability ?? last)}`)
      await new Promise(resolve => setTimeout(resolve, 500))
    }
  }

  /** SIGTERM to the whole process group, then SIGKILL if it lingers. */
  async stop (): Promise<void> {
    this.asked = true
    if (this.exited) return
    const gone = new Promise<void>(resolve => { this.child.once('exit', () => { resolve() }) })
    this.signalGroup('SIGTERM')
    const timer = setTimeout(() => { this.signalGroup('SIGKILL') }, 5_000)
    await gone
    clearTimeout(timer)
  }

  /** `kill -9` of the node and everything it started. */
  async kill (): Promise<void> {
    this.asked = true
    if (this.exited) return
    const gone = new Promise<void>(resolve => { this.child.once('exit', () => { resolve() }) })
    this.signalGroup('SIGKILL')
    await gone
  }

  /** The child was started with setsid: its process group is its whole tree. */
  private signalGroup (signal: NodeJS.Signals): void {
    const pid = this.child.pid
    if (pid == null) return
    try { process.kill(-pid, signal) } catch {}
  }
}
