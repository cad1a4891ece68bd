// Network namespaces on this machine: running `ip` and commands in them, listing them, and
// removing them with every process inside. Removal is synchronous so that a process 'exit'
// handler can run it too.
import { execFile, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { CommandFailedError, TestnetUnavailableError } from './errors.ts'

/** `gt` and four hex digits, then a dash: every namespace a testnet run creates. */
export const RUN_NAMESPACE = /^gt[0-9a-f]{4}-/

/** A process killed in a namespace takes a moment to leave it; deletion waits this long at most. */
const EMPTY_NAMESPACE_ROUNDS = 20
const EMPTY_NAMESPACE_PAUSE_MS = 25

/** Runs `ip` with `args`, feeding `batch` (one `ip` command a line) on stdin for `-batch -`. */
export async function ip (args: string[], batch: string[] = []): Promise<string> {
  return runIp(args, batch.map(line => `${line}\n`).join(''))
}

/** Runs a command inside `ns`, with `input` on its stdin, and resolves once it succeeds. */
export async function runIn (ns: string, command: string[], input = ''): Promise<void> {
  await runIp(['netns', 'exec', ns, ...command], input)
}

async function runIp (args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err == null) resolve(stdout)
      else reject(new CommandFailedError(['ip', ...args].join(' '), input, stderr === '' ? err.message : stderr.trim()))
    })
    // a command that fails before reading its stdin is reported by its exit status, not by EPIPE
    child.stdin?.on('error', () => {})
    child.stdin?.end(input)
  })
}

export function assertCanBuild (): void {
  if (process.getuid?.() !== 0) throw new TestnetUnavailableError(`this process runs as uid ${process.getuid?.() ?? 'unknown'}, not root`)
  for (const [tool, args] of [['ip', ['-V']], ['iptables-restore', ['--version']]] as const) {
    const run = spawnSync(tool, args)
    if (run.error != null || run.status !== 0) throw new TestnetUnavailableError(`\`${tool} ${args.join(' ')}\` does not run (${run.error?.message ?? run.stderr.toString().trim()})`)
  }
}

/** A prefix no namespace on the machine uses yet. */
export function newRunPrefix (): string {
  const taken = listNamespaces()
  for (;;) {
    const prefix = `gt${randomBytes(2).toString('hex')}`
    if (!taken.some(name => name.startsWith(`${prefix}-`))) return prefix
  }
}

export function listNamespaces (): string[] {
  const run = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
  // a line is `name` or `name (id: 3)`
  return run.stdout.split('\n').map(line => line.split(' ')[0]!).filter(name => name !== '')
}

/**
 * Removes every testnet namespace left on the machine (from crashed runs), or only one run's
 * when `prefix` (e.g. `gt3a9f`) is given. Returns the namespaces removed.
 */
export function sweep (prefix?: string): string[] {
  const leftovers = listNamespaces().filter(name => RUN_NAMESPACE.test(name) && (prefix == null || name.startsWith(`${prefix}-`)))
  removeNamespaces(leftovers)
  return leftovers
}

/** SIGKILLs every process in each namespace, then deletes the namespaces (their veths go with them). */
export function removeNamespaces (names: string[]): void {
  const existing = new Set(listNamespaces())
  const present = names.filter(name => existing.has(name))
  for (const name of present) killEveryProcessIn(name)
  if (present.length === 0) return
  spawnSync('ip', ['-force', '-batch', '-'], { input: present.map(name => `netns delete ${name}\n`).join('') })
}

function killEveryProcessIn (ns: string): void {
  for (let round = 0; round < EMPTY_NAMESPACE_ROUNDS; round++) {
    const pids = processesIn(ns)
    if (pids.length === 0) return
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL') } catch { /* it exited already */ }
    }
    sleepSync(EMPTY_NAMESPACE_PAUSE_MS)
  }
}

export function processesIn (ns: string): number[] {
  const run = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
  return run.stdout.split('\n').filter(line => line !== '').map(Number)
}

function sleepSync (ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}
