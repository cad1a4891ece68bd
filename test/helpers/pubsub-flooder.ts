// A hostile grid peer, as its own process: it joins through a bootstrap address and publishes to
// a topic as fast as gossipsub lets it for a while, past the grid's per-sender rate (its own
// node's check is bypassed by publishing through gossipsub directly). Prints JSON lines:
// `started`, then `done` with how many it sent. `bytes` makes each message that long (past the
// grid's 64 KiB to send oversized ones), `max` stops after that many.
//   node test/helpers/pubsub-flooder.ts <bootstrap multiaddr> <topic> <ms> [bytes] [max]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'

const [bootstrap, topic = 'chat', ms = '5000', bytes, max = 'Infinity'] = process.argv.slice(2)
const dataDir = await mkdtemp(join(tmpdir(), 'grid-flooder-'))
const node = await createGridNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: bootstrap != null ? [bootstrap] : [], lan: true })
await node.whenReady()
const wire = `/grid/${node.network}/topic/${topic}`
// wait until some peer is known to be subscribed, so the flood has somewhere to go
const deadline = Date.now() + 30_000
while (node.libp2p.services.pubsub.getSubscribers(wire).length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
console.log(JSON.stringify({ event: 'started', peerId: node.peerId.toString(), subscribers: node.libp2p.services.pubsub.getSubscribers(wire).length }))
const started = Date.now()
let sent = 0
while (Date.now() - started < Number(ms) && sent < Number(max)) {
  const text = new TextEncoder().encode(`flood ${sent}`)
  const data = bytes != null ? new Uint8Array(Number(bytes)).fill(0x61) : text
  data.set(text)
  try {
    await node.libp2p.services.pubsub.publish(wire, data)
    sent++
  } catch {}
  // let the event loop turn now and then: the flood goes out, and the node stays a peer
  if (sent % 50 === 0) await new Promise(resolve => setImmediate(resolve))
}
console.log(JSON.stringify({ event: 'done', sent, ms: Date.now() - started }))
// stay a while, as a flooder that keeps its connections, until told to stop
process.on('SIGINT', () => { void node.stop().then(async () => rm(dataDir, { recursive: true, force: true })).then(() => process.exit(0)) })
setTimeout(() => { process.emit('SIGINT') }, 120_000)
