import { EngineUnavailableError } from '../errors.js'
import type { SandboxFailure } from './sandbox-failure.js'
import type { SandboxJob, SandboxLimits } from './sandbox.js'

/** The JavaScript engines a job can run on: QuickJS (WebAssembly, everywhere) and V8 isolates (Node.js holders). */
export type EngineName = 'quickjs' | 'v8'

/** What a node or a job asks for: `auto` is V8 where the platform has it, else QuickJS. */
export type EngineChoice = 'auto' | EngineName

export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'quickjs', 'v8']

/**
 * How a sandboxed job ended, as the worker hands it on: the result as the guest's own JSON text
 * (never parsed and stringified again on the way out), or why it failed.
 */
export type SandboxResult =
  | { ok: true, json: string }
  | { ok: false, failure: SandboxFailure, message: string }

/**
 * A job's outcome as a worker hands it to the host: a large result's JSON text already as the
 * UTF-8 bytes that go on the wire, moved to the host's thread (transferred, not copied), so the
 * host only cuts it into frames; a small one as text.
 */
export type WorkerResult = SandboxResult | { ok: true, utf8: Uint8Array }

/** A worker's result as JSON text (a large one decoded from its bytes). */
export function resultJson (result: Extract<WorkerResult, { ok: true }>): string {
  return 'json' in result ? result.json : new TextDecoder().decode(result.utf8)
}

/**
 * An engine as a job worker runs it: one job at a time on the worker's thread. `heapBytes` is
 * memory the engine keeps between jobs (so the pool can replace a worker that grew); `idle` is
 * called once a job's outcome is on its way, for work that should not delay it (warming the
 * next sandbox).
 */
export interface SandboxEngine {
  run: (job: SandboxJob, limits: SandboxLimits) => Promise<SandboxResult>
  heapBytes: () => Promise<number>
  idle?: () => void
}

/** Whether a value names an engine choice. */
export function isEngineChoice (value: unknown): value is EngineChoice {
  return typeof value === 'string' && (ENGINE_CHOICES as readonly string[]).includes(value)
}

/**
 * The engine a job runs on: its own choice, else the node's, `auto` meaning V8 where this
 * platform has it. A job naming an engine this platform lacks gets an EngineUnavailableError.
 */
export function pickEngine (job: EngineChoice | undefined, node: EngineChoice | undefined, available: readonly EngineName[]): EngineName {
  const wanted = job ?? 'auto'
  if (wanted !== 'auto') {
    if (!available.includes(wanted)) throw new EngineUnavailableError(wanted, available)
    return wanted
  }
  const fallback = node ?? 'auto'
  if (fallback !== 'auto' && available.includes(fallback)) return fallback
  return available.includes('v8') ? 'v8' : 'quickjs'
}
