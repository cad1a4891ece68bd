import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { kadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { dhtClientByDefault, transports } from '#platform'
import * as c from '../constants.js'
import { gossipOptions } from '../pubsub/gossip-options.js'
import { lazyGossipsub } from '../pubsub/lazy-gossipsub.js'
import { HolePunch } from './hole-punch.js'
import { PublicRelayFilter } from './relay-filter.js'
import type { RelayShare } from './relay-share.js'
import { Reachability } from './reachability.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { AddressPolicy } from './address-policy.js'
import type { HolePunchComponents } from './hole-punch.js'
import type { ReachabilityComponents } from './reachability.js'
import type { ComponentLogger, PeerId, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { Datastore } from 'interface-datastore'
import type { Libp2pOptions } from 'libp2p'
import type { IceServer, TlsInit } from '../platform/seam.js'

export interface GridServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  dht: KadDHT
  reachability: Reachability
  punch: HolePunch
  pubsub: GossipSub
  /** Only on a node that serves as a relay (RelayInit). */
  relay?: CircuitRelayService
}

export interface StackInit {
  privateKey: PrivateKey
  datastore: Datastore
  network: string
  listen: string[]
  /**
   * Which addresses count as public and which the DHT keeps (see address-policy.ts); its
   * `lan: true` setting also opens a browser's gater.
   */
  policy: AddressPolicy
  /** Which peers may hold this node's relay reservations: attach it to libp2p once created. */
  relayFilter: PublicRelayFilter
  /** How many reservations this node's relay takes before it sends peers to other relays: attach it to libp2p once created. */
  relayShare?: RelayShare
  /** Test-only fault: answer dial-back requests with "not reached" (a lying peer). */
  lieOnDialBack?: boolean
  /** Query the DHT without serving it: a short-lived client such as a one-off CLI search. */
  dhtClient?: boolean
  /** Serve as a circuit relay, so peers that cannot listen (browser tabs) are reachable through this node. */
  relay?: RelayInit | false
  /** A certificate and key (PEM) for WebSockets over TLS: listen addresses ending in `/tls/ws`. */
  tls?: TlsInit
  /** STUN/TURN servers for WebRTC between tabs. @default none */
  iceServers?: IceServer[]
  /** WebRTC between tabs. @default true in browsers */
  webrtc?: boolean
  /** Provider-record validity and re-provide cadence, in ms. */
  provide?: { validityMs?: number, reprovideThresholdMs?: number, reprovideIntervalMs?: number }
  /** Gossipsub's application-specific score of a peer (the pub/sub guard's penalties). @default none */
  pubsubScore?: (peer: string) => number
  logger?: ComponentLogger
  /** libp2p's metrics factory, e.g. `@libp2p/prometheus-metrics`: none unless given. */
  metrics?: Libp2pOptions['metrics']
}

export interface RelayInit {
  /** Peers that may hold a reservation here at once. @default RELAY_MAX_RESERVATIONS */
  maxReservations?: number
  /** How long a reservation lasts before its holder must refresh it, in ms. @default RELAY_RESERVATION_TTL */
  reservationTtlMs?: number
  /**
   * Cap each relayed connection's lifetime (ms) and bytes each way. Unset by default: libp2p
   * never reuses a capped ("limited") connection for a new stream, so with caps every job, ping
   * or search of a tab dials a fresh relayed connection.
   */
  durationLimitMs?: number
  dataLimitBytes?: number
}

export type { TlsInit }

/**
 * The one libp2p stack every grid node runs: the platform's transports, Noise, Yamux,
 * identify, ping and a Kademlia DHT in the grid's own namespace, in server mode.
 */
export function libp2pOptions (init: StackInit): Libp2pOptions<GridServices> {
  const relay = init.relay === false || init.relay == null ? undefined : init.relay
  return {
    start: false,
    privateKey: init.privateKey,
    datastore: init.datastore,
    ...(init.logger != null ? { logger: init.logger } : {}),
    ...(init.metrics != null ? { metrics: init.metrics } : {}),
    addresses: { listen: init.listen },
    transports: transports({ relays: init.relayFilter, ...(init.tls != null ? { tls: init.tls } : {}), ...(init.iceServers != null ? { iceServers: init.iceServers } : {}), ...(init.webrtc != null ? { webrtc: init.webrtc } : {}) }),
    // only an explicit `lan: true` lets a browser dial private and plain-ws addresses, which
    // libp2p refuses there by default: a page must not probe the LAN of whoever opened it just
    // because it saw no public address yet. In Node.js the default gater allows them anyway.
    connectionGater: {
      ...(init.policy.status().setting === true ? { denyDialMultiaddr: async () => false } : {}),
      ...(init.relayShare != null ? { denyInboundRelayReservation: async (peer: PeerId) => init.relayShare!.denies(peer) } : {})
    },
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
        clientMode: init.dhtClient ?? dhtClientByDefault,
        // the first self-query runs as soon as the routing table has a peer, not a second later:
        // every other query waits for it, and the joiner reports ready when it is done
        initialQuerySelfInterval: 0,
        peerInfoMapper: init.policy.peerInfoMapper,
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
      }),
      ...(relay != null ? { relay: relayServer(relay) } : {}),
      reachability: (components: ReachabilityComponents) => new Reachability(components, {
        network: init.network,
        policy: init.policy,
        listens: init.listen.some(a => !a.includes('/p2p-circuit')),
        ...(init.dhtClient === true ? { client: true } : {}),
        ...(init.lieOnDialBack === true ? { lieOnDialBack: true } : {})
      }),
      punch: (components: HolePunchComponents) => new HolePunch(components, { network: init.network, policy: init.policy }),
      pubsub: lazyGossipsub(gossipOptions(init.pubsubScore ?? (() => 0)))
    }
  }
}

/**
 * The relay that makes browser tabs reachable. Reservations are capped in number and lifetime;
 * relayed connections are not capped unless asked (see RelayInit), because a tab's every
 * stream must run over one. The grid's protocols are marked to run over capped connections too.
 */
function relayServer (init: RelayInit): ReturnType<typeof circuitRelayServer> {
  const capped = init.durationLimitMs != null || init.dataLimitBytes != null
  return circuitRelayServer({
    reservations: {
      maxReservations: init.maxReservations ?? c.RELAY_MAX_RESERVATIONS,
      reservationTtl: init.reservationTtlMs ?? c.RELAY_RESERVATION_TTL,
      applyDefaultLimit: capped,
      ...(init.durationLimitMs != null ? { defaultDurationLimit: init.durationLimitMs } : {}),
      ...(init.dataLimitBytes != null ? { defaultDataLimit: BigInt(init.dataLimitBytes) } : {})
    }
  })
}
