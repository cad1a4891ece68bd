import { RESULT_PART_BYTES } from '../constants.js'
import type { EngineName, SandboxResult, WorkerResult } from './engine.js'
import type { SandboxLimits } from './sandbox.js'
import type { WorkerHandle } from '../platform/seam.js'

/** Host → worker: run one job on one engine. */
export interface RunMessage { type: 'run', id: number, engine: EngineName, code: string, /** the job's data as JSON text */ dataJson?: string, args: unknown, limits: SandboxLimits }

/** Worker → host: what the job reports while it runs, then its outcome (a result as the guest's JSON text). */
export type WorkerMessage =
  | { type: 'progress', id: number, value: unknown }
  | { type: 'log', id: number, text: string }
  | { type: 'done', id: number, outcome: WorkerResult, /** the sandbox's WebAssembly memory */ heapBytes: number, /** the worker's JavaScript heap, 0 where unknown */ jsHeapBytes: number }

/** A job worker: the platform's worker speaking this protocol. */
export type JobWorker = WorkerHandle<RunMessage, WorkerMessage>

/**
 * The outcome as it goes to the host: a result that may go in parts (over a third of
 * RESULT_PART_BYTES in characters, as many bytes at least) encoded to UTF-8 here, on the
 * worker's thread, with the buffer to transfer (see `transferOf`).
 */
export function forHost (outcome: SandboxResult): WorkerResult {
  if (!outcome.ok || outcome.json.length <= RESULT_PART_BYTES / 3) return outcome
  return { ok: true, utf8: new TextEncoder().encode(outcome.json) }
}

/** What a reply moves to the host instead of copying: a large result's bytes, when they own their whole buffer. */
export function transferOf (reply: WorkerMessage): ArrayBuffer[] {
  if (reply.type !== 'done' || !('utf8' in reply.outcome)) return []
  const { buffer, byteOffset, byteLength } = reply.outcome.utf8
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength ? [buffer] : []
}
