/**
 * What the local API takes and answers, declared once: the routes build these answers and the
 * commands read them, and both turn requests into core's inits with the same functions. The
 * request bodies are the schemas' types (schemas.ts validates them at the API). Fields marked
 * optional in an answer may be absent from a node of an older version.
 */
import type { AddDatasetRequest, RunRequest, SearchRequest } from './schemas.js'
import type { AddDatasetInit, Approval, DatasetDescriptor, PubSubMessage, RunEvent, RunInit, SearchResult } from '@grid-node/core'

/** `GET /health-check`, the old gateway's shape. */
export interface HealthAnswer {
  status: 'ok'
  ready: boolean
  peerId: string
  addrs: string[]
  peers: number
  network: string
  /** Peers cannot dial any address this node announces: its datasets cannot be found. */
  addressWarning?: string
}

/** `GET /v1/status` */
export interface StatusAnswer {
  peerId: string
  /** The node's grid-node version. */
  version?: string
  network: string
  ready: boolean
  addrs: string[]
  shareableAddrs: string[]
  peers: number
  routingTableSize: number
  uptimeMs: number
  /** When this run of the node started, ms since the epoch: a new value means the node restarted. */
  startedAt: number
  /** Whether the DHT keeps private and loopback addresses, and why. */
  addressPolicy?: { setting: boolean | 'auto', mode: 'lan' | 'public', reason: string }
  addressWarning?: { code: string, message: string } | null
  /** How peers reach this node: directly, through which relays, or not at all, and why. */
  reachability?: { state: 'direct' | 'relayed' | 'unreachable' | 'checking', relays: string[], dhtServer: boolean, reason: string }
}

/** One peer of `GET /v1/peers`: '' for an address or direction not known, `lastSeen` 0 for never. */
export interface PeerAnswer {
  peerId: string
  state: string
  addr: string
  direction: string
  rttMs: number | null
  lastSeen: number
}

/** One live holder of `GET /v1/search`: an element of the array, or a line of NDJSON. */
export interface SearchAnswer {
  peerId: string
  addrs: string[]
  rttMs: number
  datasets: Array<{ name: string, tags: string[], description: string, rows: number, columns: Array<{ name: string, type: string }>, format: string, hash: string, status: string }>
  /** The searched capabilities (such as #compute:js) this holder offers. */
  capabilities?: string[]
  /** Its worker pool as it says in its answer, a hint (absent from older nodes and for this node). */
  load?: { poolSize: number, running: number, waiting: number }
}

/** `GET`, `POST` and `DELETE /v1/datasets…`: a dataset, or (GET) an array of them. */
export type DatasetAnswer = DatasetDescriptor

/** `GET`, `POST` and `DELETE /v1/approvals…`: an approval, or (GET) an array of them. */
export type ApprovalAnswer = Approval

/** One NDJSON line of `POST /v1/run`. */
export type RunAnswer = RunEvent

/** `POST /join`, the old gateway's shape. */
export interface JoinAnswer { status: 'ok', 'node-id': string, 'node-address': string }

/** `POST /search`, the old gateway's shape: `[peerId, multiaddr]` per holder. */
export interface GatewaySearchAnswer { 'node-addresses': Array<[string, string]> }

/** A holder as `GET /v1/search` and `grid-node search --json` give it. */
export function searchAnswer (r: SearchResult): SearchAnswer {
  return {
    peerId: r.peerId.toString(),
    addrs: r.addrs.map(String),
    rttMs: r.rttMs,
    datasets: r.datasets.map(d => ({
      name: d.name, tags: d.tags, description: d.description, rows: d.rows, columns: d.columns, format: d.format, hash: d.hash, status: d.status
    })),
    capabilities: r.capabilities,
    ...(r.load != null ? { load: r.load } : {})
  }
}

/** A run request as the scheduler takes it (optional fields left out, not undefined). */
export function runInitOf (request: RunRequest): RunInit {
  return {
    code: request.code,
    args: request.args,
    allowLocal: request.allowLocal === true,
    ...(request.tags != null ? { tags: request.tags } : {}),
    ...(request.peers != null ? { peers: request.peers } : {}),
    ...(request.timeoutMs != null ? { timeoutMs: request.timeoutMs } : {}),
    ...(request.retries != null ? { retries: request.retries } : {}),
    ...(request.match != null ? { match: request.match } : {}),
    ...(request.dataset != null ? { dataset: request.dataset } : {}),
    ...(request.replicas != null && request.replicas > 1 ? { replicas: request.replicas } : {}),
    ...(request.engine != null ? { engine: request.engine } : {})
  }
}

/** A dataset request as the store takes it (optional fields left out, not undefined). */
export function addDatasetInitOf (request: AddDatasetRequest): AddDatasetInit {
  return {
    tags: request.tags,
    private: request.private === true,
    ...(request.approveOnly === true ? { approveOnly: true } : {}),
    ...(request.allow != null ? { allow: request.allow } : {}),
    ...(request.path != null ? { path: request.path } : {}),
    ...(request.rows != null ? { rows: request.rows } : {}),
    ...(request.name != null ? { name: request.name } : {}),
    ...(request.description != null ? { description: request.description } : {})
  }
}

/** The URL of `GET /v1/search` for a query SearchQuery takes. */
export function searchPath (query: SearchRequest): string {
  const params = new URLSearchParams(query.tag.map(t => ['tag', t] as [string, string]))
  if (query.match != null) params.set('match', query.match)
  if (query.timeout != null) params.set('timeout', String(query.timeout))
  if (query.limit != null) params.set('limit', String(query.limit))
  return `/v1/search?${params.toString()}`
}

/** `POST /v1/pubsub/<topic>`: how many peers the message went to directly. */
export interface PublishAnswer { topic: string, peers: number }

/**
 * One line of `GET /v1/pubsub/<topic>` (NDJSON): first `subscribed`, then a `message` per
 * message (text as `text`, other bytes as `base64`; `dropped` when a slow reader lost some), and
 * `keep-alive` after 15 s without one.
 */
export type PubSubLine =
  | { type: 'subscribed', topic: string, peers: number }
  | { type: 'keep-alive' }
  | PubSubMessageAnswer

export interface PubSubMessageAnswer {
  type: 'message'
  topic: string
  from: string
  text?: string
  base64?: string
  bytes: number
  seqno: string
  id: string
  receivedAt: number
  dropped?: number
}

/** `GET /v1/pubsub`: this node's topics with their known subscribers, and its peers' gossipsub scores. */
export interface PubSubStatusAnswer {
  topics: Array<{ topic: string, peers: string[] }>
  scores: Array<{ peerId: string, score: number }>
}

export function pubsubMessageAnswer (m: PubSubMessage): PubSubMessageAnswer {
  return {
    type: 'message',
    topic: m.topic,
    from: m.from.toString(),
    ...(m.text != null ? { text: m.text } : { base64: Buffer.from(m.data).toString('base64') }),
    bytes: m.data.byteLength,
    seqno: m.seqno.toString(),
    id: m.id,
    receivedAt: m.receivedAt,
    ...(m.dropped != null ? { dropped: m.dropped } : {})
  }
}
