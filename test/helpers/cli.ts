import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import type { ChildProcess } from 'node:child_process'
import type { AddressInfo } from 'node:net'

export const BIN = resolve(import.meta.dirname, '../../packages/cli/bin/grid-node.js')

export interface RunResult { code: number | null, stdout: string, stderr: string }

/** Runs the real CLI to completion in a child process. */
export async function runCli (args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DEBUG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, stdout, stderr }
}

export interface StartedEvent { event: 'started', peerId: string, bootstrapAddrs: string[], addrs: string[], api: string, relay: boolean }

/** A `grid-node start --json` child process, on loopback, with a free port for everything. */
export class CliNode {
  readonly child: ChildProcess
  readonly dataDir: string
  private readonly events: Array<Record<string, any>> = []
  private readonly waiters: Array<() => void> = []
  stderr = ''

  private constructor (child: ChildProcess, dataDir: string) {
    this.child = child
    this.dataDir = dataDir
    createInterface({ input: child.stdout! }).on('line', line => {
      try { this.events.push(JSON.parse(line)) } catch { this.events.push({ event: 'text', line }) }
      for (const w of this.waiters.splice(0)) w()
    })
    child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString() })
    child.on('exit', () => { for (const w of this.waiters.splice(0)) w() })
  }

  /** `env` adds to the environment, e.g. `{ DEBUG: 'grid:join' }` for a component's log lines on stderr. */
  static start (dataDir: string, extra: string[] = [], env: Record<string, string> = {}): CliNode {
    const listen = extra.includes('--listen') ? [] : ['--listen', '/ip4/127.0.0.1/tcp/0']
    const args = ['start', '--json', '--lan', '--data-dir', dataDir, ...listen, '--api', '127.0.0.1:0', ...extra]
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DEBUG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    return new CliNode(child, dataDir)
  }

  async event (name: string, timeoutMs = 60_000): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.find(e => e.event === name)
      if (found != null) return found
      if (this.child.exitCode != null) throw new Error(`grid-node exited with ${this.child.exitCode} before "${name}": ${this.stderr}`)
      if (Date.now() > deadline) throw new Error(`no "${name}" event within ${timeoutMs} ms: ${this.stderr}`)
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, 250)
        this.waiters.push(() => { clearTimeout(t); resolve() })
      })
    }
  }

  /** Every JSON line printed so far with this `event`. */
  printed (name: string): Array<Record<string, any>> { return this.events.filter(e => e.event === name) }

  async started (): Promise<StartedEvent> { return await this.event('started') as StartedEvent }

  async api<T> (path: string, init: RequestInit = {}): Promise<{ status: number, body: T }> {
    const { api } = await this.started()
    const res = await fetch(`${api}${path}`, init)
    return { status: res.status, body: await res.json() as T }
  }

  /** SIGINT, as Ctrl-C would, and the exit code. */
  async stop (): Promise<number | null> {
    if (this.child.exitCode != null || this.child.signalCode != null) return this.child.exitCode
    const exited = new Promise<number | null>(resolve => this.child.once('exit', resolve))
    this.child.kill('SIGINT')
    return exited
  }
}

export async function tempDir (prefix = 'grid-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export async function removeDir (dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** Polls until check() returns a value that is not undefined, or fails after timeoutMs. */
export async function eventually<T> (check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/** A loopback port free now, for a process that must listen on the same port again (a restart). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}
