// `pnpm bench`, pub/sub part: N = 50 loopback nodes (one process), every one subscribed to one
// topic; messages published one after another by different nodes. Delivery latency from publish()
// to each other node's receipt, p50/p99, and to the last of them (all N-1); deliveries against
// expected; copies of each message sent over the wire per publish (gossipsub's mesh, its gossip
// answers and its duplicates), next to N-1, the least any scheme can send, and to flooding.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'
import { median, percentile } from './stats.ts'
import type { GridNode } from '@grid-node/core'

const SIZE = Number(process.argv[2] ?? 50)
const PUBLISHES = 40
const GAP_MS = 250
const TOPIC = 'bench'
const dirs: string[] = []

async function grid (size: number): Promise<GridNode[]> {
  const make = async (bootstrap: string[]): Promise<GridNode> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'grid-bench-pubsub-'))
    dirs.push(dataDir)
    return createGridNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, lan: true, compute: { poolSize: 1 } })
  }
  const first = await make([])
  const nodes = [first]
  for (let i = 1; i < size; i++) nodes.push(await make([first.shareableAddrs()[0]!.toString()]))
  await Promise.all(nodes.map(async n => n.whenReady()))
  return nodes
}

/** Copies of messages this node sends (published or forwarded, to mesh peers or answering IWANT). */
function countCopies (node: GridNode, counter: { copies: number }): void {
  const gossip = node.libp2p.services.pubsub as unknown as { sendRpc: (id: string, rpc: { messages?: unknown[] }) => boolean }
  const send = gossip.sendRpc.bind(gossip)
  gossip.sendRpc = (id, rpc) => {
    counter.copies += rpc.messages?.length ?? 0
    return send(id, rpc)
  }
}

const nodes = await (async () => {
  console.log(`pubsub: building ${SIZE} nodes…`)
  return grid(SIZE)
})()
try {
  const received = new Map<string, number[]>()
  const counter = { copies: 0 }
  for (const node of nodes) {
    countCopies(node, counter)
    void (async () => {
      for await (const m of node.pubsub.subscribe(TOPIC)) {
        if (m.from.equals(node.peerId)) continue
        const at = received.get(m.text ?? '') ?? []
        at.push(m.receivedAt)
        received.set(m.text ?? '', at)
      }
    })()
  }
  // meshes form on the heartbeat (1 s): wait until every node knows subscribed peers, then a little more
  const settleStart = performance.now()
  while (nodes.some(n => n.pubsub.peers(TOPIC).length < Math.min(4, SIZE - 1)) && performance.now() - settleStart < 60_000) await new Promise(resolve => setTimeout(resolve, 250))
  await new Promise(resolve => setTimeout(resolve, 3_000))
  console.log(`pubsub: subscribed and meshed in ${((performance.now() - settleStart) / 1000).toFixed(1)} s; publishing ${PUBLISHES} messages…`)

  counter.copies = 0
  const sentAt = new Map<string, number>()
  const direct: number[] = []
  for (let i = 0; i < PUBLISHES; i++) {
    const publisher = nodes[(i * 7) % SIZE]!
    const text = `m${i}`
    sentAt.set(text, Date.now())
    direct.push(await publisher.pubsub.publish(TOPIC, text))
    await new Promise(resolve => setTimeout(resolve, GAP_MS))
  }
  await new Promise(resolve => setTimeout(resolve, 3_000))

  const each: number[] = []
  const toAll: number[] = []
  let delivered = 0
  let complete = 0
  for (const [text, at] of sentAt) {
    const times = (received.get(text) ?? []).map(t => t - at)
    delivered += times.length
    each.push(...times)
    if (times.length >= SIZE - 1) {
      complete++
      toAll.push(Math.max(...times))
    }
  }
  const expected = PUBLISHES * (SIZE - 1)
  // flooding: the publisher sends to each subscribed neighbour, every other node forwards to all of its own but the sender
  const flood = nodes.reduce((n, node) => n + node.pubsub.peers(TOPIC).length, 0) - (SIZE - 1)
  const perPublish = counter.copies / PUBLISHES
  console.log(`\npub/sub, N=${SIZE} nodes in one process, ${PUBLISHES} messages from ${Math.min(PUBLISHES, SIZE)} publishers, ${GAP_MS} ms apart:\n`)
  console.log(`delivery latency to each node: p50 ${median(each).toFixed(0)} ms, p99 ${percentile(each, 99).toFixed(0)} ms`)
  console.log(`delivery latency to all ${SIZE - 1} others: p50 ${median(toAll).toFixed(0)} ms, p99 ${percentile(toAll, 99).toFixed(0)} ms (${complete}/${PUBLISHES} publishes reached all)`)
  console.log(`delivered: ${delivered}/${expected} (${(100 * delivered / expected).toFixed(1)} %)`)
  console.log(`copies sent per publish: ${perPublish.toFixed(0)} (${(perPublish / (SIZE - 1)).toFixed(2)} per receiver); the least possible is ${SIZE - 1}, flooding every subscribed neighbour would send ${flood}; the publisher sent to ${median(direct)} peers directly (median)`)
} finally {
  await Promise.all(nodes.map(async n => n.stop()))
  await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true })))
}
process.exit(0)
