// `pnpm bench`, part 2: search. At N = 25, 50, 100 loopback nodes (one process), against a raw
// findProviders + ping of the same tag in the same run: latency p50/p95, lookup hops, messages
// per search next to a gateway's fan-out, success rate; then add → found at the farthest node,
// and how long a kill -9'd holder keeps showing up.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { createGridNode } from '@grid-node/core'
import { rawLookup } from './raw-lookup.ts'
import { mean, median, percentile } from './stats.ts'
import type { GridNode } from '@grid-node/core'
import type { PeerId } from '@libp2p/interface'

const ROOT = resolve(import.meta.dirname, '../..')
const SIZES = [25, 50, 100]
const RUNS = 7
const HOLDERS = 3
const SETTLE_MS = 10_000
const dirs: string[] = []

async function grid (size: number): Promise<GridNode[]> {
  const make = async (bootstrap: string[]): Promise<GridNode> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'grid-bench-search-'))
    dirs.push(dataDir)
    return createGridNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, lan: true })
  }
  const first = await make([])
  const nodes = [first]
  for (let i = 1; i < size; i++) nodes.push(await make([first.shareableAddrs()[0]!.toString()]))
  await Promise.all(nodes.map(async n => n.whenReady()))
  // every node announces #compute:js about a second after it joins: a grid built in one go
  // in one process is busy with those provides for a while, a running grid is not
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
  return nodes
}

async function timedSearch (node: GridNode, tag: string): Promise<{ ms: number, found: number }> {
  const started = performance.now()
  const results = await node.searchAll([tag], { cache: false })
  return { ms: performance.now() - started, found: results.length }
}

/** XOR distance between two peer IDs' multihashes (first bytes suffice to rank). */
function distance (a: PeerId, b: PeerId): number {
  const x = a.toMultihash().digest
  const y = b.toMultihash().digest
  let d = 0
  for (let i = 0; i < 6; i++) d = d * 256 + ((x[x.length - 1 - i] ?? 0) ^ (y[y.length - 1 - i] ?? 0))
  return d
}

async function measureSize (size: number): Promise<string[]> {
  console.log(`search: building ${size} nodes…`)
  const nodes = await grid(size)
  try {
    const holders = nodes.slice(1, 1 + HOLDERS)
    for (const [i, h] of holders.entries()) await h.datasets.add({ name: `cars${i}`, rows: [{ n: i }], tags: ['#cars'] })
    const searchers = nodes.slice(1 + HOLDERS)
    const ours: number[] = []
    const raw: number[] = []
    const hops: number[] = []
    const messages: number[] = []
    let successes = 0
    for (let run = 0; run < RUNS; run++) {
      const searcher = searchers[(run * 7) % searchers.length]!
      const order = run % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours']
      for (const which of order) {
        if (which === 'ours') {
          const r = await timedSearch(searcher, '#cars')
          ours.push(r.ms)
          if (r.found === HOLDERS) successes++
        } else {
          const r = await rawLookup(searcher, '#cars', { pingTimeoutMs: 3_000 })
          raw.push(r.ms)
          hops.push(...r.hops)
          // our search sends the DHT's queries plus a ping and a catalog request per holder
          messages.push(r.messages + 2 * r.providers.length)
        }
      }
    }
    const fmt = (v: number): string => v.toFixed(0).padStart(6)
    return [
      `N=${String(size).padEnd(4)} search p50 ${fmt(median(ours))} ms  p95 ${fmt(percentile(ours, 95))} ms | raw findProviders+ping p50 ${fmt(median(raw))} ms  p95 ${fmt(percentile(raw, 95))} ms | ratio p50 ${(median(ours) / median(raw)).toFixed(2)}`,
      `        hops mean ${mean(hops).toFixed(2)}  p99 ${percentile(hops, 99)} | messages per search median ${median(messages)} vs gateway fan-out ${size} | success ${(100 * successes / RUNS).toFixed(0)} %`
    ]
  } finally {
    await Promise.all(nodes.map(async n => n.stop()))
  }
}

async function measureAddToFound (size: number): Promise<string> {
  console.log(`search: add → found at the farthest node, ${size} nodes…`)
  const nodes = await grid(size)
  try {
    const times: number[] = []
    for (let run = 0; run < 5; run++) {
      const holder = nodes[1 + run]!
      const farthest = nodes.filter(n => n !== holder).sort((a, b) => distance(b.peerId, holder.peerId) - distance(a.peerId, holder.peerId))[0]!
      const tag = `#fresh-${run}`
      const started = performance.now()
      await holder.datasets.add({ name: `fresh${run}`, rows: [{ run }], tags: [tag] })
      while ((await farthest.searchAll([tag], { cache: false, timeoutMs: 2_000 })).length === 0) {
        if (performance.now() - started > 30_000) throw new Error(`${tag} never found`)
      }
      times.push(performance.now() - started)
    }
    return `N=${size} datasets add → search success on the farthest node: median ${median(times).toFixed(0)} ms (runs: ${times.map(t => t.toFixed(0)).join(', ')}) — goal ≤ 1000 ms`
  } finally {
    await Promise.all(nodes.map(async n => n.stop()))
  }
}

/** A real `grid-node start` holder, killed with SIGKILL: next search, and liveness marking it down. */
async function measureKilledHolder (size: number): Promise<string> {
  console.log(`search: kill -9 a holder process in ${size} nodes…`)
  const nodes = await grid(size)
  const dataDir = await mkdtemp(join(tmpdir(), 'grid-bench-victim-'))
  dirs.push(dataDir)
  const bin = join(ROOT, 'packages/cli/bin/grid-node.js')
  const file = join(dataDir, 'victim.jsonl')
  const { writeFile } = await import('node:fs/promises')
  await writeFile(file, '{"a":1}\n')
  await new Promise(resolve => spawn(process.execPath, [bin, 'datasets', 'add', file, '--tag', '#victim', '--data-dir', dataDir]).on('close', resolve))
  const child = spawn(process.execPath, [bin, 'start', '--json', '--lan', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--bootstrap', nodes[0]!.shareableAddrs()[0]!.toString()], { stdio: ['ignore', 'pipe', 'ignore'] })
  try {
    for await (const line of createInterface({ input: child.stdout })) if (JSON.parse(line).event === 'ready') break
    const searcher = nodes[size - 1]!
    while ((await searcher.searchAll(['#victim'], { cache: false })).length === 0) { /* wait for the announcement */ }
    const victim = (await searcher.searchAll(['#victim']))[0]!.peerId
    const killedAt = performance.now()
    child.kill('SIGKILL')
    await new Promise(resolve => child.once('exit', resolve))
    const next = await searcher.searchAll(['#victim'])
    const nextMs = performance.now() - killedAt
    while (searcher.peerLiveness().find(p => p.peerId.equals(victim))?.state !== 'down') {
      if (performance.now() - killedAt > 120_000) break
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    const downMs = performance.now() - killedAt
    return `N=${size} kill -9 holder: very next search returned it: ${next.length > 0 ? 'YES (bad)' : 'no'} (${nextMs.toFixed(0)} ms after the kill); liveness marked it down after ${(downMs / 1000).toFixed(1)} s (interval 10 s × 3 misses)`
  } finally {
    child.kill('SIGKILL')
    await Promise.all(nodes.map(async n => n.stop()))
  }
}

const lines: string[] = []
try {
  for (const size of SIZES) lines.push(...await measureSize(size))
  lines.push(await measureAddToFound(50))
  lines.push(await measureKilledHolder(25))
} finally {
  await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true })))
}
console.log(`\nsearch, ${RUNS} runs per size, ours and the raw baseline alternated in one run (goals: ratio ≤ 2, hops mean ≤ 4 and p99 ≤ 7 at N=100, success 100 %):\n`)
for (const line of lines) console.log(line)
process.exit(0)
