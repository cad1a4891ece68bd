// `pnpm bench`, part 1: memory and join time of grid nodes, each against a bare libp2p node with the
// same services measured side by side in the same run. Prints medians and ratios.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { startNode } from './nodes.ts'
import { median } from './stats.ts'
import type { BenchNode, Kind } from './nodes.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const MIB = 1024 * 1024
const IDLE_RUNS = 5
const MANY_RUNS = 3
const MANY = 50
const JOIN_RUNS = 5

async function memoryChild (kind: Kind, count: number): Promise<{ rss: number, perNode: number, failed: number }> {
  const child = spawn(process.execPath, ['--expose-gc', join(import.meta.dirname, 'memory.ts'), kind, String(count)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const code = await new Promise(resolve => child.on('close', resolve))
  if (code !== 0) throw new Error(`memory child (${kind} x${count}) exited with ${String(code)}`)
  const result = JSON.parse(out.trim().split('\n').pop()!)
  if (result.failed > 0) failures.push(`${kind}: ${result.failed} of ${count} nodes in a memory child could not join (their memory is still counted)`)
  return result
}

/** Measurements that failed (a child that died, a dial that timed out): counted and reported, never fatal. */
const failures: string[] = []

/** Alternates the two kinds so drift on the machine hits both alike; a failed measurement is counted and skipped. */
async function sideBySide (runs: number, measure: (kind: Kind) => Promise<number>): Promise<Record<Kind, number[]>> {
  const results: Record<Kind, number[]> = { grid: [], bare: [] }
  for (let i = 0; i < runs; i++) {
    for (const kind of (i % 2 === 0 ? ['grid', 'bare'] : ['bare', 'grid']) as Kind[]) {
      try {
        results[kind].push(await measure(kind))
      } catch (err: any) {
        failures.push(`${kind}: ${String(err.message ?? err)}`)
      }
    }
  }
  return results
}

/** A network of `size` nodes; nodes that could not join are stopped and left out. */
async function network (kind: Kind, size: number): Promise<BenchNode[]> {
  const first = await startNode(kind)
  const nodes = [first]
  const joined: Array<Promise<boolean>> = [first.ready.then(() => true)]
  for (let i = 1; i < size; i++) {
    const node = await startNode(kind, first.addr)
    nodes.push(node)
    joined.push(node.ready.then(() => true, () => false))
  }
  const ok = await Promise.all(joined)
  await Promise.all(nodes.filter((_, i) => ok[i] !== true).map(async n => n.stop()))
  const kept = nodes.filter((_, i) => ok[i] === true)
  if (kept.length < size) failures.push(`${kind}: ${size - kept.length} of ${size} nodes of the join network could not join`)
  return kept
}

async function timeInProcessJoin (kind: Kind, bootstrap: string): Promise<number> {
  const started = performance.now()
  const node = await startNode(kind, bootstrap)
  await node.ready
  const ms = performance.now() - started
  await node.stop()
  return ms
}

/** Spawns the real CLI and times spawn → "started" and spawn → "ready". */
async function timeCliJoin (bootstrap: string): Promise<{ boot: number, ready: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'grid-bench-cli-'))
  const started = performance.now()
  const child = spawn(process.execPath, [join(ROOT, 'packages/cli/bin/grid-node.js'), 'start', '--json', '--lan', '--data-dir', dataDir,
    '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--bootstrap', bootstrap], { stdio: ['ignore', 'pipe', 'inherit'] })
  const times: Record<string, number> = {}
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const event = JSON.parse(line).event as string
      times[event] = performance.now() - started
      if (event === 'ready') break
    }
  } finally {
    const exited = new Promise(resolve => child.once('close', resolve))
    child.kill('SIGINT')
    await exited
    await rm(dataDir, { recursive: true, force: true })
  }
  if (times.ready == null) throw new Error('the CLI node never reported ready')
  return { boot: times.started!, ready: times.ready }
}

function row (label: string, grid: number, bare: number | undefined, unit: string, goal: string): string {
  const fmt = (v: number): string => unit === 'MiB' ? (v / MIB).toFixed(1) : v.toFixed(0)
  const ratio = bare != null ? (grid / bare).toFixed(2) : '-'
  return `${label.padEnd(46)} ${fmt(grid).padStart(8)} ${(bare != null ? fmt(bare) : '-').padStart(8)} ${ratio.padStart(6)}  ${unit.padEnd(4)} ${goal}`
}

const lines: string[] = []
console.log(`memory: ${IDLE_RUNS} idle single-node processes of each kind…`)
const idle = await sideBySide(IDLE_RUNS, async kind => (await memoryChild(kind, 1)).rss)
lines.push(row('RSS, one idle node process', median(idle.grid), median(idle.bare), 'MiB', 'grid within 10 % of bare'))

console.log(`memory: ${MANY_RUNS} processes of ${MANY} nodes of each kind…`)
const many = await sideBySide(MANY_RUNS, async kind => (await memoryChild(kind, MANY)).perNode)
lines.push(row(`RSS per node, ${MANY} nodes in one process`, median(many.grid), median(many.bare), 'MiB', 'grid within 10 % of bare'))

console.log(`join: building a ${MANY}-node grid network and a ${MANY}-node bare one…`)
const grids = await network('grid', MANY)
const bares = await network('bare', MANY)
try {
  const cli = []
  for (let i = 0; i < JOIN_RUNS; i++) {
    try {
      cli.push(await timeCliJoin(grids[0]!.addr))
    } catch (err: any) {
      failures.push(`grid-node start: ${String(err.message ?? err)}`)
    }
  }
  const joins = await sideBySide(JOIN_RUNS, async kind => timeInProcessJoin(kind, (kind === 'grid' ? grids : bares)[0]!.addr))
  lines.push(row(`start → ready, \`grid-node start\`, ${MANY}-node grid`, median(cli.map(c => c.ready)), undefined, 'ms', '≤ 3000 ms'))
  lines.push(row('  of which process start → peer ID printed', median(cli.map(c => c.boot)), undefined, 'ms', ''))
  lines.push(row(`join → ready in-process, ${MANY}-node network`, median(joins.grid), median(joins.bare), 'ms', 'bare: dial + self-lookup'))
} finally {
  await Promise.all([...grids, ...bares].map(async n => n.stop()))
}

console.log(`\nmedians (${IDLE_RUNS} idle runs, ${MANY_RUNS} runs of ${MANY} nodes, ${JOIN_RUNS} joins), side by side in one run:\n`)
console.log(`${'metric'.padEnd(46)} ${'grid'.padStart(8)} ${'bare'.padStart(8)} ${'ratio'.padStart(6)}  unit goal`)
for (const line of lines) console.log(line)
if (failures.length > 0) console.log(`\n${failures.length} measurements failed and were left out:\n  ${failures.join('\n  ')}`)
process.exit(0)
