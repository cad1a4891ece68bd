/**
 * What the page reads from the API: the parts of `/v1/status`, `/v1/peers` and `/v1/datasets`
 * (src/api/shapes.ts) and of the events on `/v1/events` (core's GridEvent) that it shows. The
 * page is its own TypeScript project (browser modules), so these are restated, not imported;
 * every field the page uses is checked before use or optional.
 */

export interface NodeStatus {
  peerId: string
  version?: string
  network: string
  ready: boolean
  addrs: string[]
  shareableAddrs?: string[]
  peers: number
  routingTableSize: number
  uptimeMs: number
  startedAt: number
  reachability?: Reachability
  addressWarning?: { code: string, message: string } | null
}

export interface Reachability {
  state: 'direct' | 'relayed' | 'unreachable' | 'checking'
  relays: string[]
  reason: string
}

export interface Peer {
  peerId: string
  state: string
  addr: string
  direction: string
  rttMs: number | null
  lastSeen: number
}

export interface Dataset {
  name: string
  tags: string[]
  description?: string
  rows: number
  columns?: Array<{ name: string, type: string }>
  format?: string
  /** ok, changed (the file is not what was added), missing */
  status?: string
  visibility?: 'public' | 'private'
}

export type JobPhase = 'dispatched' | 'accepted' | 'started' | 'progress' | 'result' | 'error'

/** One event of `/v1/events`: `{ seq, at, type, … }`. */
export interface GridEvent {
  seq: number
  at: number
  type: string
  peerId?: string
  reason?: string
  name?: string
  tags?: string[]
  rows?: number
  private?: boolean
  status?: string
  jobId?: string
  phase?: JobPhase
  dataset?: string
  queuePosition?: number
  progress?: number
  durationMs?: number
  message?: string
  via?: 'direct' | 'relay'
  holders?: number
  ok?: boolean
  state?: Reachability['state']
  relays?: string[]
  topic?: string
  from?: string
  text?: string
  bytes?: number
}
