// The baseline: a bare libp2p node with the grid's stack (packages/core/src/network/
// libp2p-options.ts: same transports, Noise, Yamux, identify, ping and Kademlia settings, same
// limits) but libp2p's in-memory datastore and no grid code. It keeps libp2p's own connection
// monitor, which the grid turns off because its liveness monitor (grid code) does that job.
// The libp2p packages are the very ones packages/core depends on; the settings come from its
// constants, which are plain values.
// Run directly, it is the idle-memory child process:
//   node --expose-gc test/bench/idle-bare-libp2p.ts [count]
import { noise } from '../../packages/core/node_modules/@chainsafe/libp2p-noise/dist/src/index.js'
import { yamux } from '../../packages/core/node_modules/@chainsafe/libp2p-yamux/dist/src/index.js'
import { identify } from '../../packages/core/node_modules/@libp2p/identify/dist/src/index.js'
import { kadDHT, passthroughMapper } from '../../packages/core/node_modules/@libp2p/kad-dht/dist/src/index.js'
import { ping } from '../../packages/core/node_modules/@libp2p/ping/dist/src/index.js'
import { tcp } from '../../packages/core/node_modules/@libp2p/tcp/dist/src/index.js'
import { webSockets } from '../../packages/core/node_modules/@libp2p/websockets/dist/src/index.js'
import { multiaddr } from '../../packages/core/node_modules/@multiformats/multiaddr/dist/src/index.js'
import { createLibp2p } from '../../packages/core/node_modules/libp2p/dist/src/index.js'
import * as c from '../../packages/core/dist/constants.js'
import { LISTEN, reportIdleRss } from './idle-rss.ts'
import type { BenchNode } from './idle-rss.ts'

async function createBareLibp2p () {
  return createLibp2p({
    addresses: { listen: [LISTEN] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: c.MAX_CONNECTIONS,
      inboundConnectionThreshold: c.INBOUND_CONNECTION_THRESHOLD,
      maxIncomingPendingConnections: c.MAX_INCOMING_PENDING_CONNECTIONS,
      dialTimeout: c.DIAL_TIMEOUT
    },
    peerStore: { maxAddressAge: c.MAX_ADDRESS_AGE, maxPeerAge: c.MAX_PEER_AGE },
    services: {
      identify: identify(),
      ping: ping({ maxInboundStreams: c.PING_MAX_STREAMS, maxOutboundStreams: c.PING_MAX_STREAMS }),
      dht: kadDHT({
        // the grid's protocol, so a bare node can also join a grid network
        protocol: c.kadProtocol(c.DEFAULT_NETWORK),
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        providers: {
          provideValidity: Math.round(c.PROVIDE_VALIDITY / 1000),
          cleanupInterval: Math.round(c.PROVIDER_CLEANUP_INTERVAL / 1000)
        },
        reprovide: { validity: c.PROVIDE_VALIDITY, threshold: c.REPROVIDE_THRESHOLD, interval: c.REPROVIDE_INTERVAL }
      })
    }
  })
}

type BareLibp2p = Awaited<ReturnType<typeof createBareLibp2p>>

/** The bare equivalent of a grid node's join: dial the bootstrap peer, then a DHT self-lookup. */
async function join (node: BareLibp2p, bootstrap: string): Promise<void> {
  await node.dial(multiaddr(bootstrap))
  for await (const event of node.services.dht.getClosestPeers(node.peerId.toMultihash().bytes)) void event
}

export async function startBareNode (bootstrap?: string): Promise<BenchNode> {
  const node = await createBareLibp2p()
  const ready = bootstrap != null ? join(node, bootstrap) : Promise.resolve()
  // a failed join surfaces where `ready` is awaited, not as an unhandled rejection before that
  ready.catch(() => {})
  return { addr: node.getMultiaddrs()[0]!.toString(), ready, stop: async () => { await node.stop() } }
}

if (import.meta.main) {
  await reportIdleRss(startBareNode)
  // the report is out: skip the second or so that stopped libp2p nodes keep the event loop alive
  process.exit(0)
}
