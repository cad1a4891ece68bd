// What the two idle scripts share: start N nodes of one kind (the rest bootstrapping off the
// first), wait until all have joined, sit idle, collect garbage and print the resident memory
// as one JSON line: {"nodes":N,"rss":bytes,"rssBefore":bytes}, rssBefore being the process
// with its modules loaded but no node yet. Run with --expose-gc so the garbage is collected.
import { setTimeout as sleep } from 'node:timers/promises'

export const LISTEN = '/ip4/127.0.0.1/tcp/0'
const IDLE_MS = 3_000

export interface BenchNode {
  /** The TCP address, with /p2p/, that other nodes bootstrap from. */
  addr: string
  /** Resolves once the node has joined: dialled its bootstrap peer and run a self-lookup. */
  ready: Promise<void>
  stop: () => Promise<void>
}

export type StartNode = (bootstrap?: string) => Promise<BenchNode>

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

/** Reads the node count from argv[2] (default 1), measures and prints, then stops the nodes. */
export async function reportIdleRss (start: StartNode): Promise<void> {
  const count = Number(process.argv[2] ?? 1)
  gc()
  const rssBefore = process.memoryUsage().rss
  const first = await start()
  const nodes = [first]
  for (let i = 1; i < count; i++) nodes.push(await start(first.addr))
  await Promise.all(nodes.map(async n => n.ready))
  await sleep(IDLE_MS)
  gc()
  const rss = process.memoryUsage().rss
  process.stdout.write(JSON.stringify({ nodes: count, rss, rssBefore }) + '\n')
  await Promise.all(nodes.map(async n => n.stop()))
}
