import type { EngineName, SandboxResult } from './engine.js'
import type { SandboxLimits } from './sandbox.js'
import type { WorkerHandle } from '../platform/seam.js'

/** Host → worker: run one job on one engine. */
export interface RunMessage { type: 'run', id: number, engine: EngineName, code: string, data: unknown, args: unknown, limits: SandboxLimits }

/** Worker → host: what the job reports while it runs, then its outcome (a result as the guest's JSON text). */
export type WorkerMessage =
  | { type: 'progress', id: number, value: unknown }
  | { type: 'log', id: number, text: string }
  | { type: 'done', id: number, outcome: SandboxResult, /** the sandbox's WebAssembly memory */ heapBytes: number, /** the worker's JavaScript heap, 0 where unknown */ jsHeapBytes: number }

/** A job worker: the platform's worker speaking this protocol. */
export type JobWorker = WorkerHandle<RunMessage, WorkerMessage>
