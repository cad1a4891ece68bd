import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { BIN, eventually } from './cli.js'
import type { ChildProcess } from 'node:child_process'

export interface Line { type: 'subscribed' | 'message', topic: string, from?: string, text?: string, base64?: string, bytes?: number, id?: string, dropped?: number, peers?: number }

/** `grid-node sub <topic> --json` on a node's data dir, as a child process whose lines are kept. */
export class Follower {
  readonly child: ChildProcess
  readonly lines: Line[] = []
  stderr = ''

  constructor (dataDir: string, topic = 'chat') {
    this.child = spawn(process.execPath, [BIN, 'sub', topic, '--json', '--data-dir', dataDir], { env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    createInterface({ input: this.child.stdout! }).on('line', line => { this.lines.push(JSON.parse(line)) })
    this.child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString() })
  }

  async subscribed (): Promise<void> {
    await eventually(async () => this.lines.some(l => l.type === 'subscribed') ? true : undefined, `sub to say subscribed (${this.stderr})`)
  }

  messages (): Line[] { return this.lines.filter(l => l.type === 'message') }

  /** How many times each text arrived. */
  counts (): Map<string, number> {
    const counts = new Map<string, number>()
    for (const m of this.messages()) counts.set(m.text ?? '', (counts.get(m.text ?? '') ?? 0) + 1)
    return counts
  }

  async received (text: string, timeoutMs = 20_000): Promise<Line> {
    return eventually(async () => this.messages().find(m => m.text === text), `"${text}" to arrive (got ${this.messages().length} messages)`, timeoutMs)
  }

  /** SIGINT, as Ctrl-C would, and the exit code. */
  async stop (): Promise<number | null> {
    if (this.child.exitCode != null) return this.child.exitCode
    const exited = new Promise<number | null>(resolve => this.child.once('exit', resolve))
    this.child.kill('SIGINT')
    return exited
  }
}
