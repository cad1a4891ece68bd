/**
 * What happens on a node, as plain JSON (peer IDs as strings): one stream feeding the console,
 * the local API's Server-Sent Events, the status page and the metrics. `seq` grows by one per
 * event on this node; `at` is the wall-clock time (ms since the epoch).
 */
import type { ReachabilityStatus } from '../network/reachability.js'

/** A job's step, as the requester and the worker both see it. */
export type JobPhase = 'dispatched' | 'accepted' | 'started' | 'progress' | 'result' | 'error'

export interface JobEventFields {
  jobId: string
  /** served: the requester; requested: the worker. */
  peerId: string
  phase: JobPhase
  dataset?: string
  /** accepted: place in the worker's queue. */
  queuePosition?: number
  /** progress: the job's own report when it is a number (0…1 by convention). */
  progress?: number
  /** result / error: time since this node first saw the job. */
  durationMs?: number
  /** error: its class and message. */
  status?: string
  message?: string
  /** requested, accepted: whether the stream runs on a direct connection or through a relay. */
  via?: 'direct' | 'relay'
  /** requested with replicas, result / error: how many ran it, and the peers whose results differed from the majority's. */
  replicas?: number
  disagreed?: string[]
}

export type GridEventBody =
  | { type: 'ready' }
  | { type: 'not-ready', reason: string }
  | { type: 'peer:up', peerId: string }
  | { type: 'peer:down', peerId: string, reason: string }
  | { type: 'dataset:added', name: string, tags: string[], rows: number, private: boolean }
  | { type: 'dataset:removed', name: string, tags: string[] }
  | { type: 'dataset:changed', name: string, status: string }
  | ({ type: 'job:served' } & JobEventFields)
  | ({ type: 'job:requested' } & JobEventFields)
  | { type: 'search', tags: string[], holders: number, durationMs: number, ok: boolean }
  | { type: 'reachability', state: ReachabilityStatus['state'], relays: string[], reason: string }
  | { type: 'pubsub:message', topic: string, from: string, text?: string, base64?: string, bytes: number }

export type GridEventType = GridEventBody['type']

export type GridEvent = GridEventBody & { seq: number, at: number }

export const GRID_EVENT_TYPES: readonly GridEventType[] = [
  'ready', 'not-ready', 'peer:up', 'peer:down', 'dataset:added', 'dataset:removed', 'dataset:changed',
  'job:served', 'job:requested', 'search', 'reachability', 'pubsub:message'
]
