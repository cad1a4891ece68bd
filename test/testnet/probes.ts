// Runs the scripts in probes/ inside testnet namespaces and reads the JSON lines they print:
// a TCP dial (also half of a simultaneous open), and a TCP listener that reports who connected.
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { Testnet } from './testnet.ts'
import type { Namespaced } from './topology.ts'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

/** connected: a line came back. refused: RST. unreachable: no route. timeout: silence. error: see `error`. */
export type ConnectOutcome = 'connected' | 'refused' | 'unreachable' | 'timeout' | 'error'

export interface ConnectReport {
  outcome: ConnectOutcome
  attempts: number
  /** from the start (or startAt) to the outcome */
  ms: number
  /** the other end's line */
  received?: string
  /** the last error's code, e.g. ECONNREFUSED */
  error?: string
}

export interface ConnectInit {
  host: string
  port: number
  /** a fixed source port, as a hole puncher uses. @default any */
  localPort?: number
  /** the line sent once connected. @default 'hello' */
  say?: string
  /** when to dial (epoch ms): give both halves of a simultaneous open the same. @default now */
  startAt?: number
  /** how long after startAt to give up. @default 2_000 */
  deadlineMs?: number
  /** dial again from the same port after each failure (300 ms apart) until the deadline. @default false */
  retry?: boolean
}

export interface Accepted {
  event: 'accepted'
  /** through a NAT: the router's WAN address */
  remoteAddress: string
  /** through a NAT: the port it mapped the dialler's to */
  remotePort: number
}

const CONNECT = resolve(import.meta.dirname, 'probes/tcp-connect.ts')
const LISTEN = resolve(import.meta.dirname, 'probes/tcp-listen.ts')
const DEFAULT_CONNECT_DEADLINE_MS = 2_000
/** Starting Node inside a namespace, on a busy 2-core machine. */
const NODE_START_MS = 3_000
const DEFAULT_WAIT_MS = 5_000

/** Dials from inside `from` and reports how it went. */
export async function tcpConnect (net: Testnet, from: Namespaced, init: ConnectInit): Promise<ConnectReport> {
  const deadlineMs = init.deadlineMs ?? DEFAULT_CONNECT_DEADLINE_MS
  const args = ['--host', init.host, '--port', String(init.port), '--deadline-ms', String(deadlineMs)]
  if (init.localPort != null) args.push('--local-port', String(init.localPort))
  if (init.say != null) args.push('--say', init.say)
  if (init.startAt != null) args.push('--start-at', String(init.startAt))
  if (init.retry === true) args.push('--retry')
  const wait = Math.max(0, (init.startAt ?? Date.now()) - Date.now())
  const run = await net.exec(from, [process.execPath, CONNECT, ...args], { timeoutMs: wait + deadlineMs + NODE_START_MS })
  const last = run.stdout.trim().split('\n').at(-1) ?? ''
  try {
    return JSON.parse(last)
  } catch {
    throw new Error(`tcp-connect in ${from.ns} printed no report (exit ${run.code}): ${run.stderr.trim()}`)
  }
}

/** A tcp-listen probe running in a namespace until the testnet is destroyed. */
export class TcpListener {
  private readonly lines: JsonLines

  private constructor (child: ChildProcessWithoutNullStreams) {
    this.lines = new JsonLines(child)
  }

  static async start (net: Testnet, on: Namespaced, port: number, say = 'hello'): Promise<TcpListener> {
    const listener = new TcpListener(net.spawn(on, [process.execPath, LISTEN, '--port', String(port), '--say', say]))
    await listener.lines.next(NODE_START_MS)
    return listener
  }

  /** The next connection it accepted. */
  async nextAccepted (timeoutMs = DEFAULT_WAIT_MS): Promise<Accepted> {
    return this.lines.next(timeoutMs) as Promise<Accepted>
  }
}

/** The JSON lines a child prints, one at a time, each awaited with a deadline. */
class JsonLines {
  private readonly queue: unknown[] = []
  private readonly waiters: Array<() => void> = []
  private stderr = ''
  private exited = false

  constructor (child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', line => {
      this.queue.push(JSON.parse(line))
      this.wake()
    })
    child.stderr.on('data', (chunk: Buffer) => { this.stderr += chunk.toString() })
    child.once('exit', () => { this.exited = true; this.wake() })
  }

  async next (timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs
    while (this.queue.length === 0) {
      if (this.exited) throw new Error(`the probe exited: ${this.stderr.trim()}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no line from the probe within ${timeoutMs} ms`)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
    return this.queue.shift()
  }

  private wake (): void {
    for (const wake of this.waiters.splice(0)) wake()
  }
}
