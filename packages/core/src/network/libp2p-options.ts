import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { transports } from '#platform'
import * as c from '../constants.js'
import type { Identify } from '@libp2p/identify'
import type { ComponentLogger, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { Datastore } from 'interface-datastore'
import type { Libp2pOptions } from 'libp2p'

export interface GridServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  dht: KadDHT
}

export interface StackInit {
  privateKey: PrivateKey
  datastore: Datastore
  network: string
  listen: string[]
  /** Keep private and loopback addresses in DHT answers (a LAN or single-host grid). */
  lan: boolean
  /** Query the DHT without serving it: a short-lived client such as a one-off CLI search. */
  dhtClient?: boolean
  /** Provider-record validity and re-provide cadence, in ms. */
  provide?: { validityMs?: number, reprovideThresholdMs?: number, reprovideIntervalMs?: number }
  logger?: ComponentLogger
}

/**
 * The one libp2p stack every grid node runs: the platform's transports, Noise, Yamux,
 * identify, ping and a Kademlia DHT in the grid's own namespace, in server mode.
 */
export function libp2pOptions (init: StackInit): Libp2pOptions<GridServices> {
  return {
    start: false,
    privateKey: init.privateKey,
    datastore: init.datastore,
    ...(init.logger != null ? { logger: init.logger } : {}),
    addresses: { listen: init.listen },
    transports: transports(),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: c.MAX_CONNECTIONS,
      inboundConnectionThreshold: c.INBOUND_CONNECTION_THRESHOLD,
      maxIncomingPendingConnections: c.MAX_INCOMING_PENDING_CONNECTIONS,
      dialTimeout: c.DIAL_TIMEOUT
    },
    // the grid's liveness monitor pings every peer and hangs up on dead ones; libp2p's own
    // connection monitor would ping the same peers again
    connectionMonitor: { enabled: false },
    peerStore: {
      maxAddressAge: c.MAX_ADDRESS_AGE,
      maxPeerAge: c.MAX_PEER_AGE
    },
    services: {
      identify: identify(),
      ping: ping({ maxInboundStreams: c.PING_MAX_STREAMS, maxOutboundStreams: c.PING_MAX_STREAMS }),
      dht: kadDHT({
        protocol: c.kadProtocol(init.network),
        clientMode: init.dhtClient ?? false,
        // the first self-query runs as soon as the routing table has a peer, not a second later:
        // every other query waits for it, and the joiner reports ready when it is done
        initialQuerySelfInterval: 0,
        peerInfoMapper: init.lan ? passthroughMapper : removePrivateAddressesMapper,
        logPrefix: 'grid:dht',
        providers: {
          provideValidity: Math.round((init.provide?.validityMs ?? c.PROVIDE_VALIDITY) / 1000),
          cleanupInterval: Math.round(c.PROVIDER_CLEANUP_INTERVAL / 1000)
        },
        reprovide: {
          validity: init.provide?.validityMs ?? c.PROVIDE_VALIDITY,
          threshold: init.provide?.reprovideThresholdMs ?? c.REPROVIDE_THRESHOLD,
          interval: init.provide?.reprovideIntervalMs ?? c.REPROVIDE_INTERVAL
        }
      })
    }
  }
}
