// Child process for the compute benchmark: a grid node that also answers a raw
// request/response protocol, the baseline a job is compared with on the same connection.
// Prints {"addr": "…"} once listening; optional argv[2]: a JSONL file to add as dataset "rows".
import { once } from 'node:events'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'
import type { Stream } from '@libp2p/interface'

export const RAW_PROTOCOL = '/bench/raw/1.0.0'

const node = await createGridNode({ dataDir: await mkdtemp(join(tmpdir(), 'grid-bench-holder-')), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true, compute: { poolSize: 2 } })
if (process.argv[2] != null) await node.datasets.add({ name: 'rows', path: process.argv[2], tags: ['#bench-rows'] })

// a request is 4 bytes: how many bytes to send back
await node.libp2p.handle(RAW_PROTOCOL, async (stream: Stream) => {
  const [chunk] = await once(stream, 'message') as [{ data: { subarray: () => Uint8Array } }]
  const bytes = chunk.data.subarray()
  const wanted = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0)
  const block = new Uint8Array(64 * 1024)
  for (let left = wanted; left > 0; left -= block.byteLength) {
    if (!stream.send(block.subarray(0, Math.min(block.byteLength, left)))) await new Promise(resolve => stream.addEventListener('drain', resolve, { once: true }))
  }
  await stream.close()
}, { maxInboundStreams: 1024 })

process.stdout.write(JSON.stringify({ addr: node.shareableAddrs()[0]!.toString(), peerId: node.peerId.toString() }) + '\n')
process.on('SIGTERM', () => { void node.stop().then(() => process.exit(0)) })
