/**
 * @packageDocumentation
 *
 * `@grid-node/core` is one peer of a grid-node grid, as a library for Node.js and browsers.
 * Every peer runs the same libp2p stack (TCP and WebSockets in Node.js, WebSockets in a
 * browser; Noise; Yamux; identify; ping; a Kademlia DHT in the grid's own namespace), keeps
 * its identity and peer store in one level database, and joins the grid by dialling any peer
 * it knows - no gateway anywhere.
 *
 * @example
 * ```ts
 * import { createGridNode } from '@grid-node/core'
 *
 * const node = await createGridNode({
 *   dataDir: './my-node',
 *   bootstrap: ['/ip4/192.0.2.10/tcp/7400/p2p/12D3KooW…']
 * })
 * await node.whenReady()
 * const { peers, routingTableSize } = node.status()
 * await node.stop()
 * ```
 */

import { runtimeProblem } from '#platform'
import { PlatformUnsupportedError } from './errors.js'
import { createNode } from './grid-node.js'
import type { Approval, ApproveInit } from './approvals.js'
import type { DatasetStoreInit } from './catalog/datasets.js'
import type { AddDatasetInit, DatasetDescriptor } from './catalog/descriptor.js'
import type { Row } from './catalog/parse.js'
import type { ComputeInit, ServedJobEvent } from './compute/compute-service.js'
import type { FederateInit, FederateResult } from './compute/federate.js'
import type { JobEvent, JobInit } from './compute/job-events.js'
import type { RunEvent, RunInit } from './compute/scheduler.js'
import type { LivenessInit, PeerLiveness } from './discovery/liveness.js'
import type { SearchOptions, SearchResult } from './discovery/search.js'
import type { GridEvent } from './events/grid-events.js'
import type { AddressPolicyStatus, AddressWarning, LanSetting } from './network/address-policy.js'
import type { GridServices, RelayInit, TlsInit } from './network/libp2p-options.js'
import type { IceServer } from './platform/seam.js'
import type { ReachabilityStatus } from './network/reachability.js'
import type { GridNodePubSub } from './pubsub/pubsub-service.js'
import type { AbortOptions, ComponentLogger, Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2pOptions } from 'libp2p'

export * from './errors.js'
export { DEFAULT_NETWORK, DEFAULT_SECURE_WEBSOCKETS_LISTEN, JOB_RETRIES, MAX_APPROVAL_LABEL, MAX_APPROVALS, LIVENESS_INTERVAL, LIVENESS_MISSES, LIVENESS_TIMEOUT, MAX_CATALOG_TAGS, MAX_DATASET_FILE_BYTES, PROVIDE_VALIDITY, PUBSUB_MAX_MESSAGE_BYTES, PUBSUB_PUBLISH_RATE, SANDBOX_TIMEOUT, SEARCH_TIMEOUT } from './constants.js'
/** Where a node listens unless told otherwise, on this platform (Node.js: fixed TCP and WebSockets ports). */
export { defaultListen as DEFAULT_LISTEN } from '#platform'
export { parseMultiaddr, peerIdOf, sameHostAddrs, shareableAddrs } from './network/addresses.js'
export { addressScope } from './network/address-policy.js'
export type { AddressMode, AddressPolicyStatus, AddressScope, AddressWarning, LanSetting } from './network/address-policy.js'
export { PublicRanges } from './network/public-ranges.js'
export type { ReachabilityState, ReachabilityStatus } from './network/reachability.js'
export { validateInit } from './validate-init.js'
export { loadPeerId } from './store/identity.js'
export { openDatasets } from './catalog/open-datasets.js'
export { formatOf } from './catalog/parse.js'
export { parseRows } from './catalog/parse-rows.js'
export { normaliseTag, normaliseTags, tagKey } from './tags.js'
export { jsonTooDeep } from './json-depth.js'
export type { TooDeep } from './json-depth.js'
export { runInSandbox } from './compute/sandbox.js'
export { federate } from './compute/federate.js'
export { codeCid, parseCodeCid } from './compute/code-cid.js'
export { openApprovals } from './approvals.js'
export type { Approval, ApproveInit } from './approvals.js'
export type { SandboxJob, SandboxLimits, SandboxOutcome } from './compute/sandbox.js'
export type { SandboxFailure } from './compute/sandbox-failure.js'
export type { EngineChoice, EngineName } from './compute/engine.js'
export type { JobEvent, JobInit } from './compute/job-events.js'
export type { ComputeInit, ServedJobEvent } from './compute/compute-service.js'
export type { RunEvent, RunInit } from './compute/scheduler.js'
export type { ReplicaVerdict } from './compute/replicas.js'
export type { PeerLoad } from './compute/load-book.js'
export { MAX_REPLICAS } from './constants.js'
export { canonicalJson, resultHash } from './compute/result-hash.js'
export type { FederateInit, FederateResult, FederateRound } from './compute/federate.js'
export type { GridServices, RelayInit, TlsInit } from './network/libp2p-options.js'
export type { IceServer } from './platform/seam.js'
export type { AddDatasetInit, DatasetDescriptor, DatasetFormat, DatasetStatus } from './catalog/descriptor.js'
export type { DatasetStoreInit } from './catalog/datasets.js'
export type { Column, ColumnType } from './catalog/schema.js'
export type { Row } from './catalog/parse.js'
export type { SearchOptions, SearchResult } from './discovery/search.js'
export type { LivenessInit, PeerLiveness } from './discovery/liveness.js'
export type { GridNodePubSub, PubSubMessage, SubscribeOptions } from './pubsub/pubsub-service.js'
export { validateTopic } from './pubsub/topic.js'
export { GRID_EVENT_TYPES } from './events/grid-events.js'
export type { GridEvent, GridEventBody, GridEventType, JobEventFields, JobPhase } from './events/grid-events.js'
export { RECENT_EVENTS_KEPT } from './events/event-bus.js'

export interface GridNodeInit {
  /**
   * Where the node keeps its identity and peer store: a directory in Node.js (the database is
   * `<dataDir>/db`), the name of an IndexedDB database in a browser. The same dataDir always
   * gives the same peer ID.
   */
  dataDir: string
  /**
   * The grid to join. Nodes of different networks never see each other.
   *
   * @default 'main'
   */
  network?: string
  /**
   * Multiaddrs to listen on.
   *
   * @default ['/ip4/0.0.0.0/tcp/7400', '/ip4/0.0.0.0/tcp/7401/ws'] in Node.js, none in a browser
   */
  listen?: string[]
  /**
   * Peers to dial on start and whenever this node finds itself alone. Peers remembered from
   * earlier runs are dialled too.
   *
   * @default []
   */
  bootstrap?: Array<string | Multiaddr>
  /**
   * Which addresses the DHT keeps and hands out. `'auto'`: private and loopback addresses are
   * kept while this node's own addresses, its bootstrap addresses and the grid peers it reached
   * are all private or loopback (a grid on one host or one LAN); from the first public one on,
   * they are stripped, so a grid on public addresses never spreads unroutable addresses.
   * `true` always keeps them (and, in a browser, lets the tab dial private and plain `ws://`
   * addresses, which a tab otherwise refuses); `false` always strips them.
   * `status().addressPolicy` says which applies and why.
   *
   * @default 'auto'
   */
  lan?: LanSetting
  /**
   * IP ranges (CIDR) that count as the grid's public side besides the internet's own: an
   * organisation whose WAN is `10.0.0.0/8`, with sites behind NAT inside it, gives
   * `['10.0.0.0/8']`. Addresses in them are announced and kept in a public grid's DHT, checked
   * for reachability and used for hole punching; relays must be on this side.
   *
   * @default [] (only internet addresses are public)
   */
  publicRanges?: string[]
  /**
   * Start the node before returning it.
   *
   * @default true
   */
  start?: boolean
  /**
   * Serve as a circuit relay for peers that cannot listen (browser tabs): on by default in
   * Node.js, with at most 128 reservations of 2 h each (refreshed by their holders); relayed
   * connections are uncapped unless `durationLimitMs`/`dataLimitBytes` are given. `false`
   * turns it off. Browsers cannot relay.
   *
   * @default { maxReservations: 128, reservationTtlMs: 7_200_000 } in Node.js
   */
  relay?: boolean | RelayInit
  /**
   * A certificate and key (PEM text) to serve WebSockets over TLS (`wss://`), which pages
   * served over https need: listen addresses ending in `/tls/ws` use it, and the default
   * listeners gain `/ip4/0.0.0.0/tcp/7403/tls/ws`. Node.js only.
   */
  tls?: TlsInit
  /**
   * STUN/TURN servers for WebRTC connections between tabs (browsers only). None by default: tabs
   * on one host or LAN connect by their host candidates, and a page contacts no third party on
   * its own; tabs behind different NATs need a STUN server (and a TURN server behind symmetric
   * NATs) — without one their traffic stays on the relay.
   *
   * @default []
   */
  iceServers?: IceServer[]
  /**
   * WebRTC between tabs (browsers only): a tab listens on `/webrtc` and two tabs met over a
   * relay upgrade to a WebRTC connection. `false`: no WebRTC, the relay carries what tabs send
   * each other (a page whose users must not open peer-to-peer connections). @default true
   */
  webrtc?: boolean
  /** Backoff of the re-bootstrap loop, in ms. @default { initialDelay: 1000, maxDelay: 60000 } */
  rebootstrap?: { initialDelay?: number, maxDelay?: number }
  /** Logger for the node and its libp2p stack. @default libp2p's, switched on with DEBUG=grid:* */
  logger?: ComponentLogger
  /**
   * Query the DHT without answering DHT queries: for a short-lived node such as a one-off
   * search. @default false
   */
  dhtClient?: boolean
  /**
   * Provider records for the tags this node announces, in ms.
   *
   * @default { validityMs: 1_800_000, reprovideThresholdMs: 900_000, reprovideIntervalMs: 300_000 }
   */
  provide?: { validityMs?: number, reprovideThresholdMs?: number, reprovideIntervalMs?: number }
  /** Background liveness checks of peers. @default { intervalMs: 10_000, timeoutMs: 5_000, misses: 3 } */
  liveness?: LivenessInit
  /**
   * Running other peers' jobs here: `allow` (peer IDs; absent: open to all), the worker pool's
   * size and queue, per-peer and deadline caps, sandbox memory and result size; `approveOnly`:
   * jobs on this node's datasets run only with code whose CID is in `approvals` (data-free jobs
   * are not affected), anything else is refused with its CID; `engine`: what jobs that do not
   * name one run on (`auto`: V8 isolates on Node.js, QuickJS in a tab; `v8` in a tab throws
   * EngineUnavailableError).
   *
   * @default { poolSize: CPU count, maxQueue: 256, maxJobsPerPeer: 128, maxTimeoutMs: 30_000, approveOnly: false, engine: 'auto' }
   */
  compute?: ComputeInit & { poolSize?: number, maxQueue?: number }
  /**
   * Dataset files: the largest accepted (1 GiB by default; a job reads at most the sandbox's
   * memory limit of one) and how often catalog requests may re-check the files in the background.
   *
   * @default { maxFileBytes: 1 GiB, statusRefreshMs: 60_000 }
   */
  datasets?: DatasetStoreInit
  /**
   * libp2p's metrics (connections, streams, traffic per protocol, the DHT), e.g.
   * `prometheusMetrics({ registry })` from `@libp2p/prometheus-metrics` in Node.js, as the CLI's
   * `/metrics` does. The grid's own figures come from `onEvent`, `poolStatus` and `jobResultBytes`.
   *
   * @default none
   */
  metrics?: Libp2pOptions['metrics']
  /**
   * @internal Faults for tests: `lieOnDialBack` answers every reachability check with "not
   * reached"; `lieInResults` returns `{ lie: <result> }` instead of every job's result.
   */
  faults?: { lieOnDialBack?: boolean, lieInResults?: boolean }
}

/** The datasets a node holds. Rows never leave the node; descriptors do. */
export interface GridNodeDatasets {
  /** Validates, infers the schema, counts rows, hashes; then announces its tags (public only). */
  add(dataset: AddDatasetInit): Promise<DatasetDescriptor>
  remove(name: string): Promise<DatasetDescriptor>
  /** Every dataset, each file re-checked: `status` says `changed` or `missing` when it moved on. */
  list(): Promise<DatasetDescriptor[]>
  get(name: string): Promise<DatasetDescriptor>
  /** The rows, read now from where they live. */
  readRows(name: string): Promise<Row[]>
}

/** The code this node approved, by CID (at most 4,096). */
export interface GridNodeApprovals {
  /** Approves a code CID (CodeCidInvalidError for one that is not; ApprovalLimitError past the limit). */
  approve(init: ApproveInit): Promise<Approval>
  /** Withdraws one (ApprovalNotFoundError when it is not approved). */
  remove(cid: string): Promise<Approval>
  /** Oldest first. */
  list(): Promise<Approval[]>
  has(cid: string): Promise<boolean>
}

export interface PeerSummary {
  peerId: PeerId
  addr: Multiaddr
  direction: 'inbound' | 'outbound'
  /** Round-trip time; absent when the peer did not answer a ping in time. */
  rttMs?: number
}

export interface GridNodeStatus {
  peerId: PeerId
  network: string
  /** Joined the grid: connected and self-looked-up, or alone with nobody to dial. */
  ready: boolean
  addrs: Multiaddr[]
  /** Distinct connected peers. */
  peers: number
  routingTableSize: number
  uptimeMs: number
  /** When this run of the node started (ms since the epoch; 0 before): the same for every answer of one run. */
  startedAt: number
  /** Peers can dial it: directly, through its relays, or (while `checking`) presumably directly. */
  reachable: boolean
  /** How peers reach it (directly, through which relays, or not at all) and why. */
  reachability: ReachabilityStatus
  /** Tags this node is a provider of on the DHT right now. */
  announced: string[]
  /** Serves as a circuit relay for browser tabs. */
  relaying: boolean
  /** Whether the DHT keeps private and loopback addresses now (`mode: 'lan'`), and why. */
  addressPolicy: AddressPolicyStatus
  /** Set when peers cannot dial any address this node announces: its datasets cannot be found. */
  addressWarning?: AddressWarning
}

export interface GridNode {
  readonly peerId: PeerId
  readonly network: string
  readonly ready: boolean
  /** The libp2p node underneath, for anything this interface does not cover. */
  readonly libp2p: Libp2p<GridServices>
  start(): Promise<void>
  /** Stops libp2p and closes the database. A stopped node cannot be started again. */
  stop(): Promise<void>
  /** Resolves once the node has joined the grid. */
  whenReady(options?: AbortOptions): Promise<void>
  getMultiaddrs(): Multiaddr[]
  /** One address per listener that another node can use as its bootstrap address. */
  shareableAddrs(): Multiaddr[]
  /** Dials a peer by multiaddr, as the old gateway's `POST /join` did; resolves to its peer ID. */
  join(addr: string | Multiaddr, options?: AbortOptions): Promise<PeerId>
  /** Connected peers with address, direction and round-trip time (pinged if not yet measured). */
  peers(options?: AbortOptions): Promise<PeerSummary[]>
  status(): GridNodeStatus
  /** Called whenever how peers reach this node changes; returns the unsubscribe. */
  onReachability(listener: (status: ReachabilityStatus) => void): () => void
  /** A DHT lookup of the peers closest to a key. */
  closestPeers(key: PeerId, options?: AbortOptions): Promise<PeerId[]>
  readonly datasets: GridNodeDatasets
  /**
   * The code CIDs (`codeCid(code)`) this node runs on its datasets when started with
   * `compute.approveOnly`; kept in its database, so they survive a restart.
   */
  readonly approvals: GridNodeApprovals
  /**
   * Gossipsub topics between the grid's peers (browser tabs too): `subscribe(topic)` yields
   * messages as they come, `publish(topic, data)` signs and sends one. Topics are scoped to the
   * network (`/grid/<network>/topic/<name>` on the wire); messages are at most 64 KiB, and a
   * sender past 20 at once then 10 a second is refused here and penalised by its peers.
   */
  readonly pubsub: GridNodePubSub
  /**
   * Live holders of datasets with these tags, each yielded as soon as it answered a ping and
   * described its matching datasets. Dead provider records never reach the caller.
   */
  search(tags: string[], options?: SearchOptions): AsyncGenerator<SearchResult>
  /** `search`, collected. */
  searchAll(tags: string[], options?: SearchOptions): Promise<SearchResult[]>
  /** What the background monitor knows of each peer: up or down, last seen, round-trip time. */
  peerLiveness(): PeerLiveness[]
  /**
   * Sends one job to a peer over `/grid/<network>/compute/1.0.0` and yields its events:
   * accepted → started → progress/log → result | error. Aborting the signal (or stopping the
   * iteration) cancels the job on the peer.
   */
  runJob(peer: PeerId, job: JobInit, options?: AbortOptions): AsyncGenerator<JobEvent>
  /**
   * Runs a job on every live holder of `tags` (one per distinct dataset), on given `peers`, or,
   * with neither, on one `#compute:js` worker. A job whose stream or connection dies before a
   * result goes to another holder of the same data (`retries`, default 2); each job ends in
   * exactly one `result` or `error`. Events carry `jobId`, `peerId` and `dataset`.
   */
  run(init: RunInit): AsyncGenerator<RunEvent>
  /** `run`, keeping each job's one result or error. */
  runAll(init: RunInit): Promise<RunEvent[]>
  /** Federated averaging over the holders of `tags`: see FederateInit. */
  federate(init: FederateInit): Promise<FederateResult>
  /**
   * Runs other peers' jobs here or stops (a tab's "offer this tab as a worker" switch): also
   * announces or withdraws `#compute:js`. Jobs already accepted finish.
   */
  offerCompute(on: boolean): Promise<void>
  readonly offeringCompute: boolean
  /**
   * Everything that happens on this node, as it happens (see GridEvent): ready, peers up and
   * down, datasets, jobs served here and requested from here, searches, reachability, messages
   * of the topics it is subscribed to. Returns the unsubscribe. A listener that throws is logged
   * and never stops the node.
   */
  onEvent(listener: (event: GridEvent) => void): () => void
  /** The last RECENT_EVENTS_KEPT (512) events, oldest first; only those after `since` (a `seq`) when given. */
  recentEvents(since?: number): GridEvent[]
  /** Every event of every job this node runs for another peer; returns the unsubscribe. */
  onServedJob(listener: (served: ServedJobEvent) => void): () => void
  /** Grows or shrinks this node's worker pool; queued jobs are kept, none runs twice. */
  resizePool(size: number): void
  poolStatus(): { size: number, running: number, waiting: number }
  /**
   * Bytes of job results since start, counted as their frames pass on the compute protocol:
   * `served`, sent to requesters by this node; `requested`, received here from holders.
   */
  jobResultBytes(): { served: number, requested: number }
}

/**
 * Opens (or creates) the node's data dir, then builds and starts its libp2p stack. Invalid
 * input is rejected before anything is written.
 */
export async function createGridNode (init: GridNodeInit): Promise<GridNode> {
  // before anything else: an old runtime fails deep inside libp2p with a misleading error
  const problem = runtimeProblem()
  if (problem != null) throw new PlatformUnsupportedError('this runtime', problem)
  return createNode(init)
}
