// Two grid nodes in one program, the way an application embeds @grid-node/core: the first
// founds a private grid on loopback, the second joins it, and each looks the other up in the DHT.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'

const dirs = [await mkdtemp(join(tmpdir(), 'grid-a-')), await mkdtemp(join(tmpdir(), 'grid-b-'))]
const common = { network: 'example', listen: ['/ip4/127.0.0.1/tcp/0'], lan: true }

const a = await createGridNode({ ...common, dataDir: dirs[0] })
const b = await createGridNode({ ...common, dataDir: dirs[1], bootstrap: [a.shareableAddrs()[0]] })
try {
  await Promise.all([a.whenReady(), b.whenReady()])
  console.log(`a ${a.peerId}`)
  console.log(`b ${b.peerId} joined through ${a.shareableAddrs()[0]}`)
  for (const peer of await b.peers()) console.log(`b is connected to ${peer.peerId} (${peer.direction}, ${peer.rttMs ?? '?'} ms)`)
  const found = await a.closestPeers(b.peerId)
  console.log(`a's DHT lookup for b found: ${found.map(String).join(', ')}`)
} finally {
  await Promise.all([a.stop(), b.stop()])
  await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true })))
}
