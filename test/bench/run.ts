// `pnpm bench:run`: memory and join time of grid nodes, each against a bare libp2p node with
// the same stack (test/bench/idle-bare-libp2p.ts) measured side by side in the same run.
// Prints the samples as it goes, then a table of medians, ratios and goals.
// Needs a build first: tsc -b packages/core packages/cli
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { startBareNode } from './idle-bare-libp2p.ts'
import { startGridNode } from './idle-grid-node.ts'
import { LISTEN } from './idle-rss.ts'
import type { ChildProcess, SpawnOptions } from 'node:child_process'
import type { BenchNode, StartNode } from './idle-rss.ts'

type Kind = 'grid' | 'bare'

interface IdleReport { nodes: number, rss: number, rssBefore: number }

interface Row { metric: string, unit: 'MiB' | 'ms', grid: number[], bare?: number[], goal: string, met?: (grid: number, ratio?: number) => boolean }

const ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(ROOT, 'packages/cli/bin/grid-node.js')
const MIB = 1024 * 1024
const IDLE_RUNS = 5
const MANY = 50
const MANY_RUNS = 3
const JOIN_RUNS = 5
const RATIO_GOAL = 1.1
const READY_GOAL_MS = 3_000
/** A child that has not finished by then is stuck: it is killed and the bench fails. */
const CHILD_TIMEOUT_MS = 120_000

const SCRIPTS: Record<Kind, string> = {
  grid: join(import.meta.dirname, 'idle-grid-node.ts'),
  bare: join(import.meta.dirname, 'idle-bare-libp2p.ts')
}
const STARTERS: Record<Kind, StartNode> = { grid: startGridNode, bare: startBareNode }

const children = new Set<ChildProcess>()

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function format (value: number, unit: Row['unit']): string {
  return unit === 'MiB' ? (value / MIB).toFixed(1) : value.toFixed(0)
}

function samples (label: string, values: number[], unit: Row['unit']): void {
  console.log(`  ${label.padEnd(34)} ${values.map(v => format(v, unit)).join('  ')} ${unit}`)
}

/** Spawns a child that the clean-up kills if it is still running. */
function spawnChild (args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(process.execPath, args, { timeout: CHILD_TIMEOUT_MS, ...options })
  children.add(child)
  child.once('close', () => children.delete(child))
  return child
}

async function exited (child: ChildProcess): Promise<number | null> {
  if (child.exitCode != null || child.signalCode != null) return child.exitCode
  return new Promise(resolve => child.once('close', resolve))
}

/** One idle-memory child process of `count` nodes of one kind, and the JSON line it prints. */
async function idleChild (kind: Kind, count: number): Promise<IdleReport> {
  const child = spawnChild(['--expose-gc', SCRIPTS[kind], String(count)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const code = await exited(child)
  if (code !== 0) throw new Error(`${SCRIPTS[kind]} ${count} exited with ${String(code ?? child.signalCode)}`)
  return JSON.parse(out.trim().split('\n').pop()!)
}

/** Runs `measure` for both kinds, `runs` times, alternating which goes first so drift hits both. */
async function alternate<T> (runs: number, measure: (kind: Kind) => Promise<T>): Promise<Record<Kind, T[]>> {
  const results: Record<Kind, T[]> = { grid: [], bare: [] }
  for (let i = 0; i < runs; i++) {
    const order: Kind[] = i % 2 === 0 ? ['grid', 'bare'] : ['bare', 'grid']
    for (const kind of order) results[kind].push(await measure(kind))
  }
  return results
}

/** `size` in-process grid nodes, all bootstrapping off the first, once every one has joined. */
async function gridNetwork (size: number, nodes: BenchNode[]): Promise<void> {
  nodes.push(await startGridNode())
  for (let i = 1; i < size; i++) nodes.push(await startGridNode(nodes[0]!.addr))
  await Promise.all(nodes.map(async n => n.ready))
}

async function timeInProcessJoin (kind: Kind, bootstrap: string): Promise<number> {
  const started = performance.now()
  const node = await STARTERS[kind](bootstrap)
  await node.ready
  const ms = performance.now() - started
  await node.stop()
  return ms
}

/** Spawns the real CLI and times spawn → `started` line (process boot) and spawn → `ready`. */
async function timeCliJoin (bootstrap: string): Promise<{ boot: number, ready: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'grid-cli-'))
  const started = performance.now()
  const child = spawnChild([CLI, 'start', '--json', '--lan', '--bootstrap', bootstrap, '--listen', LISTEN, '--api', '127.0.0.1:0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] })
  const times: Record<string, number> = {}
  for await (const line of createInterface({ input: child.stdout! })) {
    times[JSON.parse(line).event] = performance.now() - started
    if (times.ready != null) break
  }
  child.kill('SIGINT')
  const code = await exited(child)
  await rm(dataDir, { recursive: true, force: true })
  if (times.started == null || times.ready == null) throw new Error(`the CLI exited with ${String(code)} before it reported ready`)
  return { boot: times.started, ready: times.ready }
}

async function measureIdleRss (rows: Row[]): Promise<void> {
  console.log(`\n1. RSS of one idle node process, ${IDLE_RUNS} processes of each kind`)
  const runs = await alternate(IDLE_RUNS, async kind => idleChild(kind, 1))
  for (const kind of ['grid', 'bare'] as const) {
    samples(`${kind}: rss`, runs[kind].map(r => r.rss), 'MiB')
    samples(`${kind}: rss before creating the node`, runs[kind].map(r => r.rssBefore), 'MiB')
  }
  rows.push(
    { metric: 'RSS, one idle node process', unit: 'MiB', grid: runs.grid.map(r => r.rss), bare: runs.bare.map(r => r.rss), goal: `ratio ≤ ${RATIO_GOAL}`, met: (_, ratio) => ratio! <= RATIO_GOAL },
    { metric: '  of which before creating the node', unit: 'MiB', grid: runs.grid.map(r => r.rssBefore), bare: runs.bare.map(r => r.rssBefore), goal: '' }
  )
}

async function measurePerNodeRss (rows: Row[]): Promise<void> {
  console.log(`\n2. RSS per node, ${MANY} nodes in one process, ${MANY_RUNS} processes of each kind`)
  const runs = await alternate(MANY_RUNS, async kind => idleChild(kind, MANY))
  const perNode = (r: IdleReport): number => (r.rss - r.rssBefore) / r.nodes
  for (const kind of ['grid', 'bare'] as const) samples(`${kind}: (rss - rss before) / ${MANY}`, runs[kind].map(perNode), 'MiB')
  rows.push({ metric: `RSS per node, ${MANY} nodes in one process`, unit: 'MiB', grid: runs.grid.map(perNode), bare: runs.bare.map(perNode), goal: `ratio ≤ ${RATIO_GOAL}`, met: (_, ratio) => ratio! <= RATIO_GOAL })
}

async function measureJoin (rows: Row[]): Promise<void> {
  console.log(`\n3. Joining a ${MANY}-node grid on loopback`)
  const network: BenchNode[] = []
  try {
    const built = performance.now()
    await gridNetwork(MANY, network)
    console.log(`  built the ${MANY}-node grid in ${((performance.now() - built) / 1000).toFixed(1)} s`)
    const bootstrap = network[0]!.addr
    const cli = []
    for (let i = 0; i < JOIN_RUNS; i++) cli.push(await timeCliJoin(bootstrap))
    const inProcess = await alternate(JOIN_RUNS, async kind => timeInProcessJoin(kind, bootstrap))
    samples('CLI: spawn → started', cli.map(t => t.boot), 'ms')
    samples('CLI: spawn → ready', cli.map(t => t.ready), 'ms')
    samples('grid in-process: create → ready', inProcess.grid, 'ms')
    samples('bare in-process: create → lookup', inProcess.bare, 'ms')
    const withinGoal = (ms: number): boolean => ms <= READY_GOAL_MS
    rows.push(
      { metric: '`grid-node start` → ready (CLI)', unit: 'ms', grid: cli.map(t => t.ready), bare: inProcess.bare, goal: `≤ ${READY_GOAL_MS} ms`, met: withinGoal },
      { metric: '  of which spawn → started', unit: 'ms', grid: cli.map(t => t.boot), goal: '' },
      { metric: 'createGridNode → whenReady (in-process)', unit: 'ms', grid: inProcess.grid, bare: inProcess.bare, goal: `≤ ${READY_GOAL_MS} ms`, met: withinGoal }
    )
  } finally {
    await Promise.all(network.map(async n => n.stop()))
  }
}

function printTable (rows: Row[]): void {
  const header = ['metric', 'grid', 'bare', 'ratio', 'unit', 'goal', 'met']
  const lines = rows.map(row => {
    const grid = median(row.grid)
    const bare = row.bare != null ? median(row.bare) : undefined
    const ratio = bare != null ? grid / bare : undefined
    const met = row.met != null ? (row.met(grid, ratio) ? 'yes' : 'NO') : ''
    return [row.metric, format(grid, row.unit), bare != null ? format(bare, row.unit) : '-', ratio?.toFixed(2) ?? '-', row.unit, row.goal, met]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i]!.length)))
  const print = (cells: string[]): void => { console.log(cells.map((c, i) => i === 0 || i >= 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join('  ').trimEnd()) }
  console.log(`\nMedians (${IDLE_RUNS} idle processes, ${MANY_RUNS} processes of ${MANY} nodes, ${JOIN_RUNS} joins of each kind), side by side in one run`)
  print(header)
  print(widths.map(w => '-'.repeat(w)))
  for (const line of lines) print(line)
  console.log('\nbare = libp2p with the same stack, in-memory datastore, no grid code; its join is dial node 0 + DHT self-lookup, in-process.')
  console.log('The CLI figure includes booting Node.js and the CLI, the in-process ones do not.')
}

/** Kills every child still running and removes every temporary directory of the run. */
async function cleanUp (scratch: string): Promise<void> {
  await Promise.all([...children].map(async child => {
    child.kill('SIGKILL')
    await exited(child)
  }))
  await rm(scratch, { recursive: true, force: true })
}

const scratch = await mkdtemp(join(tmpdir(), 'grid-bench-run-'))
// every data dir of the run, the children's included, is made under os.tmpdir(): put them all in one place
process.env.TMPDIR = scratch
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true
    void cleanUp(scratch).finally(() => process.exit(130))
  })
}

try {
  const began = performance.now()
  const rows: Row[] = []
  await measureIdleRss(rows)
  await measurePerNodeRss(rows)
  await measureJoin(rows)
  printTable(rows)
  console.log(`\nbench took ${((performance.now() - began) / 1000).toFixed(0)} s`)
} catch (err) {
  if (!interrupted) console.error('bench failed:', err)
  process.exitCode = 1
} finally {
  await cleanUp(scratch)
}
