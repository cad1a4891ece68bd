import { createHash } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { defaultLogger } from '@libp2p/logger'
import { describe, expect, it } from 'vitest'

// kad-dht imported its table of 65,536 key prefixes with the routing table's refresh, so every
// browser page carried it in its first chunk; the patched refresh loads it on its first run.
const KAD_DHT = realpathSync(resolve(import.meta.dirname, '../node_modules/@libp2p/kad-dht'))
const { RoutingTableRefresh } = await import(pathToFileURL(resolve(KAD_DHT, 'dist/src/routing-table/refresh.js')).href)

function commonPrefixBits (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length * 8; i++) {
    if (((a[i >> 3]! >> (7 - (i & 7))) & 1) !== ((b[i >> 3]! >> (7 - (i & 7))) & 1)) return i
  }
  return a.length * 8
}

describe('kad-dht routing table refresh, patched to load its prefix table when it first refreshes', () => {
  it('asks for a key in the bucket it refreshes: exactly that many leading bits shared with our own', async () => {
    const kadId = crypto.getRandomValues(new Uint8Array(32))
    const asked: Uint8Array[] = []
    const refresh = new RoutingTableRefresh({ logger: defaultLogger() }, {
      logPrefix: 'test',
      routingTable: { size: 0, kb: { localPeer: { kadId } } },
      peerRouting: { async * getClosestPeers (key: Uint8Array) { asked.push(key) } }
    })
    for (const bucket of [0, 3, 9, 15]) await refresh._refreshCommonPrefixLength(bucket, new Date(0), true)
    expect(asked.map(key => commonPrefixBits(createHash('sha256').update(key).digest(), kadId))).toEqual([0, 3, 9, 15])
  })
})
