import type { EngineChoice } from './engine.js'
import type { SandboxFailure } from './sandbox-failure.js'
import type { StreamPath } from '../network/grid-streams.js'

/** What a requester sees of a job, in order: accepted → started → progress/log* → result | error. */
export type JobEvent =
  /** `via`: whether the job's stream runs on a direct connection or through a relay (requester side). */
  | { type: 'accepted', queuePosition: number, via?: StreamPath }
  | { type: 'started' }
  | { type: 'progress', value: unknown }
  | { type: 'log', text: string }
  | { type: 'result', value: unknown }
  | { type: 'error', status: 'bad-request' | 'not-found' | 'forbidden' | 'busy' | 'failed' | 'internal', failure?: SandboxFailure, message: string }

export interface JobInit {
  /** An ES module; its default export receives `{ data, args, progress, log }`. */
  code: string
  /** A dataset name on the holder; none for a data-free job. */
  dataset?: string
  args?: unknown
  /** @default the holder's default (30 s); never above its cap */
  timeoutMs?: number
  /** The engine the holder runs it on; a browser tab has QuickJS only. @default 'auto' (the holder's choice: V8 on Node.js) */
  engine?: EngineChoice
}
