// Child process: start `count` nodes of one kind (all bootstrapping off the first), let them
// settle, collect garbage, and print the resident memory they added, per node, as JSON.
// Usage: node --expose-gc test/bench/memory.ts <grid|bare> <count>
import { startNode } from './nodes.ts'
import type { Kind } from './nodes.ts'

const kind = process.argv[2] as Kind
const count = Number(process.argv[3] ?? 1)
const settle = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

// a network that never settles is a failure to report, not a benchmark to wait for
setTimeout(() => { process.stderr.write(`memory child: ${count} ${kind} nodes not all joined after 180 s\n`); process.exit(2) }, 180_000).unref()
gc()
const before = process.memoryUsage().rss
const first = await startNode(kind)
const nodes = [first]
// a node whose handshake timed out on a loaded host is counted, not fatal: it still holds its memory
let failed = 0
const joined = [first.ready]
for (let i = 1; i < count; i++) {
  const node = await startNode(kind, first.addr)
  nodes.push(node)
  joined.push(node.ready.catch(() => { failed++ }))
}
await Promise.all(joined)
await settle(3_000)
gc()
const rss = process.memoryUsage().rss
process.stdout.write(JSON.stringify({ rss, perNode: (rss - before) / count, failed }) + '\n')
await Promise.all(nodes.map(async n => n.stop()))
process.exit(0)
