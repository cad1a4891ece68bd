// The two kinds of node the benchmarks compare: a grid node, and a bare libp2p node carrying
// the same transports, encryption, muxer and services (in-memory datastore, no grid code).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { createGridNode } from '@grid-node/core'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import all from 'it-all'
import { createLibp2p } from 'libp2p'

export type Kind = 'grid' | 'bare'

export interface BenchNode {
  /** The TCP address others bootstrap from. */
  addr: string
  /** Resolves once joined: dialled the bootstrap peer and finished a self-lookup. */
  ready: Promise<void>
  stop: () => Promise<void>
}

export async function startNode (kind: Kind, bootstrap?: string): Promise<BenchNode> {
  return kind === 'grid' ? startGridNode(bootstrap) : startBareNode(bootstrap)
}

async function startGridNode (bootstrap?: string): Promise<BenchNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'grid-bench-'))
  const node = await createGridNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: bootstrap != null ? [bootstrap] : [], lan: true })
  return {
    addr: node.shareableAddrs()[0]!.toString(),
    ready: node.whenReady(),
    stop: async () => {
      await node.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}

async function startBareNode (bootstrap?: string): Promise<BenchNode> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp(), webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 100, maxIncomingPendingConnections: 100 },
    services: {
      identify: identify(),
      ping: ping(),
      // configured as the grid configures it, so the comparison is of the grid's code, not its settings
      dht: kadDHT({ protocol: '/bench/kad/1.0.0', clientMode: false, peerInfoMapper: passthroughMapper, initialQuerySelfInterval: 0 }),
      relay: circuitRelayServer({ reservations: { maxReservations: 128 } })
    }
  })
  // joined = dialled the bootstrap peer and kad-dht's first self-query finished, as for a grid node
  const selfQueried = new Promise<void>(resolve => { node.addEventListener('kad-dht:query:self' as 'start', () => { resolve() }, { once: true }) })
  const join = async (): Promise<void> => {
    if (bootstrap == null) return
    const { multiaddr } = await import('@multiformats/multiaddr')
    // a loaded host can time a handshake out: try again, as a grid node's joiner does
    for (let attempt = 1; ; attempt++) {
      try {
        await node.dial(multiaddr(bootstrap))
        break
      } catch (err) {
        if (attempt === 3) throw err
      }
    }
    // kad-dht's own first self-query can be lost on a loaded host; then look ourselves up, as
    // the grid's joiner does after the same 6 s
    const waited = await Promise.race([selfQueried.then(() => true), new Promise<boolean>(resolve => setTimeout(() => { resolve(false) }, 6_000))])
    if (!waited) await all(node.services.dht.getClosestPeers(node.peerId.toMultihash().bytes, { signal: AbortSignal.timeout(30_000) }))
  }
  return { addr: node.getMultiaddrs()[0]!.toString(), ready: join(), stop: async () => { await node.stop() } }
}
