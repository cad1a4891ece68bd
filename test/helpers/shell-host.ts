import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { BIN } from './cli.js'
import type { ChildProcess } from 'node:child_process'

/**
 * `npm start -- …` and `npx grid-node …` as a person's shell runs them once `npm start` has set
 * the repository up: the CLI, with the Node.js that runs the tests. Anything else stops the line.
 */
const PRELUDE = [
  'npm () { [ "$1" = start ] || { echo "README walkthrough: only npm start is run" >&2; exit 90; }; shift; [ "$1" = -- ] && shift; exec "$WALK_NODE" "$WALK_BIN" start "$@"; }',
  'npx () { [ "$1" = grid-node ] || { echo "README walkthrough: only npx grid-node is run" >&2; exit 91; }; shift; exec "$WALK_NODE" "$WALK_BIN" "$@"; }'
].join('\n')

export interface ShellResult { code: number | null, stdout: string, stderr: string }

/** A command line running in the background (a node), in its own process group. */
export class ShellProcess {
  stdout = ''
  stderr = ''
  readonly child: ChildProcess
  private readonly exited: Promise<number | null>

  constructor (child: ChildProcess) {
    this.child = child
    child.stdout!.on('data', (d: Buffer) => { this.stdout += d.toString() })
    child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString() })
    this.exited = new Promise(resolve => child.on('close', code => { resolve(code) }))
  }

  /** Waits for stdout to match, failing early if the process ends. */
  async waitFor (pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = pattern.exec(this.stdout)
      if (found != null) return found
      if (this.child.exitCode != null || this.child.signalCode != null) throw new Error(`exited before printing ${String(pattern)}:\n${this.stdout}\n${this.stderr}`)
      if (Date.now() > deadline) throw new Error(`no ${String(pattern)} within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }

  /** Ctrl-C to the whole process group, then SIGKILL if it has not ended within 15 s. */
  async stop (): Promise<void> {
    if (this.child.pid == null || this.child.exitCode != null || this.child.signalCode != null) return
    const group = -this.child.pid
    try { process.kill(group, 'SIGINT') } catch {}
    const timer = setTimeout(() => { try { process.kill(group, 'SIGKILL') } catch {} }, 15_000)
    await this.exited
    clearTimeout(timer)
  }
}

/**
 * One machine for a README walkthrough: a fresh HOME (so `~/.grid-node` is new) and, where Linux
 * allows it (`unshare -rn`), a network namespace of its own with loopback and a LAN address on
 * it, so the README's fixed ports (7400-7402) cannot collide with anything else running here.
 * Elsewhere it uses this machine's network, and only if those ports are free.
 */
export class ShellHost {
  readonly home: string
  readonly isolated: boolean
  private readonly holder?: ChildProcess
  private readonly running: ShellProcess[] = []

  private constructor (home: string, holder?: ChildProcess) {
    this.home = home
    this.isolated = holder != null
    if (holder != null) this.holder = holder
  }

  /** `lanAddress`: given to the namespace's loopback device, as a LAN interface's address would be. */
  static async create (home: string, lanAddress: string, ports: number[]): Promise<ShellHost> {
    const holder = await networkNamespace(lanAddress)
    if (holder != null) return new ShellHost(home, holder)
    for (const port of ports) {
      if (!await portFree(port)) throw new Error(`port ${port} is in use and this machine gives no network namespace (unshare -rn) to run the README's commands in: free the port`)
    }
    return new ShellHost(home)
  }

  /** Starts a command line in the background. */
  spawn (line: string): ShellProcess {
    const proc = new ShellProcess(spawn(this.argv[0]!, [...this.argv.slice(1), `${PRELUDE}\n${line}`], { env: this.env(), cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }))
    this.running.push(proc)
    return proc
  }

  /** Runs a command line to its end. */
  async run (line: string, timeoutMs = 60_000): Promise<ShellResult> {
    const proc = this.spawn(line)
    const timer = setTimeout(() => { void proc.stop() }, timeoutMs)
    const code = await new Promise<number | null>(resolve => proc.child.on('close', resolve))
    clearTimeout(timer)
    return { code, stdout: proc.stdout, stderr: proc.stderr }
  }

  async close (): Promise<void> {
    await Promise.all(this.running.map(async p => p.stop()))
    if (this.holder?.pid != null) {
      try { process.kill(-this.holder.pid, 'SIGKILL') } catch {}
    }
  }

  private get argv (): string[] {
    return this.holder?.pid != null
      ? ['nsenter', '--preserve-credentials', '-U', '-n', '-t', String(this.holder.pid), 'sh', '-c']
      : ['sh', '-c']
  }

  private env (): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: this.home, DEBUG: '', WALK_NODE: process.execPath, WALK_BIN: BIN }
    for (const name of Object.keys(env)) if (name.startsWith('GRID_NODE_')) delete env[name]
    return env
  }
}

const ROOT = new URL('../..', import.meta.url).pathname

/** A process holding a new user and network namespace with loopback up, or undefined where that is not allowed. */
async function networkNamespace (lanAddress: string): Promise<ChildProcess | undefined> {
  if (process.platform !== 'linux') return undefined
  let holder: ChildProcess
  try {
    holder = spawn('unshare', ['-rn', 'sleep', '3600'], { detached: true, stdio: 'ignore' })
  } catch {
    return undefined
  }
  const failed = await new Promise<boolean>(resolve => {
    holder.once('error', () => { resolve(true) })
    holder.once('exit', () => { resolve(true) })
    setTimeout(() => { resolve(false) }, 300)
  })
  if (failed || holder.pid == null) return undefined
  const setup = spawnSync('nsenter', ['--preserve-credentials', '-U', '-n', '-t', String(holder.pid), 'sh', '-c',
    `ip link set lo up && ip addr add ${lanAddress}/24 dev lo`], { encoding: 'utf8' })
  if (setup.status !== 0) {
    try { process.kill(-holder.pid, 'SIGKILL') } catch {}
    return undefined
  }
  return holder
}

async function portFree (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer()
    server.once('error', () => { resolve(false) })
    server.listen(port, '0.0.0.0', () => { server.close(() => { resolve(true) }) })
  })
}
