import * as releaseSync from '@jitl/quickjs-wasmfile-release-sync'
import { logger } from '@libp2p/logger'
import { newQuickJSWASMModuleFromVariant, newVariant, shouldInterruptAfterDeadline } from 'quickjs-emscripten-core'
import * as c from '../constants.js'
import { SandboxError } from '../errors.js'
import { jsonDepthExceeds } from '../json-depth.js'
import { GUEST_ARGUMENT, GUEST_FORBIDDEN, inputJson } from './guest-argument.js'
import { classifyFailure } from './sandbox-failure.js'
import type { SandboxEngine, SandboxResult } from './engine.js'
import type { SandboxFailure } from './sandbox-failure.js'
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSSyncVariant, QuickJSWASMModule } from 'quickjs-emscripten-core'

export interface SandboxLimits {
  /** @default SANDBOX_MEMORY_BYTES (64 MiB) */
  memoryBytes?: number
  /** @default SANDBOX_STACK_BYTES (1 MiB) */
  stackBytes?: number
  /** @default SANDBOX_TIMEOUT (30 s) */
  timeoutMs?: number
  /** Size of the JSON result. @default SANDBOX_RESULT_BYTES (16 MiB) */
  resultBytes?: number
}

export interface SandboxJob {
  /** An ES module whose default export receives `{ data, args, progress, log }`. */
  code: string
  /** Read-only inside the sandbox (deep-frozen), passed as JSON. */
  data?: unknown
  /** `data` already as JSON text (what a job worker gets): used instead of `data`. */
  dataJson?: string
  args?: unknown
  onProgress?: (value: unknown) => void
  onLog?: (text: string) => void
  /** How many log lines the job's own throttle dropped (reported once, at the end). */
  onDropped?: (logLines: number) => void
}

export type SandboxOutcome =
  | { ok: true, value: unknown }
  | { ok: false, failure: SandboxFailure, message: string }

/** The thread's QuickJS WebAssembly module, and the most memory its instance may ever grow to. */
let quickjs: { ceiling: number, module: Promise<QuickJSWASMModule> } | undefined
const log = logger('grid:sandbox')
const WASM_PAGE = 64 * 1024

/**
 * The QuickJS WebAssembly module, compiled once per thread. Its memory has a hard ceiling:
 * QuickJS's own limit does not see every allocation (an array bomb grew an unbounded instance
 * to 2 GiB), while a WebAssembly memory cannot grow past its maximum, so the host's memory per
 * sandbox stays bounded whatever the guest does.
 */
async function engine (memoryBytes: number): Promise<QuickJSWASMModule> {
  const ceiling = c.sandboxWasmCeiling(memoryBytes)
  if (quickjs == null || quickjs.ceiling < ceiling) {
    // the variant is a CommonJS-typed ES module: its default export is the variant object.
    // QuickJS's own messages (an abort after a job ran out of memory) go to the debug log, not stderr
    const base = releaseSync.default as unknown as QuickJSSyncVariant
    const wasmMemory = new WebAssembly.Memory({ initial: c.SANDBOX_WASM_INITIAL_BYTES / WASM_PAGE, maximum: Math.ceil(ceiling / WASM_PAGE) })
    quickjs = { ceiling, module: newQuickJSWASMModuleFromVariant(newVariant(base, { wasmMemory, emscriptenModule: { printErr: (text: string) => { log(text) } } as any })) }
  }
  return await quickjs.module
}

/**
 * Bytes of WebAssembly memory this thread's sandbox holds now. A WebAssembly memory never
 * shrinks: a worker whose sandbox grew far past its start is replaced (see WorkerPool).
 */
export async function sandboxHeapBytes (): Promise<number> {
  if (quickjs == null) return 0
  return (await quickjs.module).getWasmMemory().buffer.byteLength
}

/**
 * Runs one job in a fresh QuickJS runtime: its own heap with a memory limit, a stack limit and
 * a deadline; no file system, network, timers, `require` or `import`; nothing of the host but
 * the frozen input and the progress/log callbacks. The runtime is destroyed afterwards, whatever
 * happened. Runs on the calling thread.
 */
export async function runInSandbox (job: SandboxJob, limits: SandboxLimits = {}): Promise<SandboxOutcome> {
  const result = await runInQuickJs(job, limits)
  return result.ok ? { ok: true, value: JSON.parse(result.json) } : result
}

/** runInSandbox, with the result as the guest's JSON text: what a job worker hands on. */
export async function runInQuickJs (job: SandboxJob, limits: SandboxLimits = {}): Promise<SandboxResult> {
  const timeoutMs = limits.timeoutMs ?? c.SANDBOX_TIMEOUT
  const memoryBytes = limits.memoryBytes ?? c.SANDBOX_MEMORY_BYTES
  const runtime = (await engine(memoryBytes)).newRuntime()
  const deadline = Date.now() + timeoutMs
  runtime.setMemoryLimit(memoryBytes)
  runtime.setMaxStackSize(limits.stackBytes ?? c.SANDBOX_STACK_BYTES)
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline))
  runtime.setModuleLoader(name => ({ error: new Error(`import of "${name}" refused: a job cannot load modules`) }))
  const context = runtime.newContext()
  try {
    const json = evaluate(runtime, context, job, { resultBytes: limits.resultBytes ?? c.SANDBOX_RESULT_BYTES, deadline, timeoutMs })
    return { ok: true, json }
  } catch (err) {
    const { failure, message } = classifyFailure(err, timeoutMs)
    // past the deadline, whatever QuickJS made of the interrupt (a dropped job, an unwrap error), it is a timeout
    if (failure !== 'memory' && failure !== 'timeout' && Date.now() >= deadline) return { ok: false, failure: 'timeout', message: `the job ran past its deadline of ${timeoutMs} ms` }
    return { ok: false, failure, message }
  } finally {
    release(context, runtime)
  }
}

interface RunBounds { resultBytes: number, deadline: number, timeoutMs: number }

/**
 * Destroys the job's runtime. After some failures (out of memory, mostly) QuickJS cannot free
 * it cleanly and aborts its WebAssembly instance; that instance is then dropped and the next job
 * gets a fresh one, so one hostile job never harms the next.
 */
function release (context: QuickJSContext, runtime: QuickJSRuntime): void {
  try {
    context.dispose()
    runtime.dispose()
  } catch {
    // a fresh module gets a fresh WebAssembly memory; the pool replaces a worker that grew
    quickjs = undefined
  }
}

/** Throws a SandboxError or the dumped guest error; returns the result's JSON text. */
function evaluate (runtime: QuickJSRuntime, context: QuickJSContext, job: SandboxJob, bounds: RunBounds): string {
  const handles: QuickJSHandle[] = []
  const keep = (h: QuickJSHandle): QuickJSHandle => { handles.push(h); return h }
  let flush: QuickJSHandle | undefined
  try {
    const progress = keep(context.newFunction('progress', h => { job.onProgress?.(context.dump(h)) }))
    const log = keep(context.newFunction('log', (...hs) => { job.onLog?.(hs.map(h => String(context.dump(h))).join(' ')) }))
    const input = keep(context.newString(inputJson(job)))
    const limits = keep(context.newString(JSON.stringify({ burst: c.JOB_LOG_BURST, rate: c.JOB_LOG_RATE, interval: c.JOB_PROGRESS_INTERVAL })))
    const prepare = keep(context.unwrapResult(context.evalCode(PREPARE, 'prepare.js')))
    const prepared = keep(context.unwrapResult(context.callFunction(prepare, context.undefined, input, progress, log, limits)))
    const jobArg = keep(context.getProp(prepared, 0))
    flush = keep(context.getProp(prepared, 1))

    const exports = keep(settle(runtime, context, keep(context.unwrapResult(context.evalCode(job.code, 'job.js', { type: 'module' }))), bounds))
    const main = keep(context.getProp(exports, 'default'))
    if (context.typeof(main) !== 'function') throw new SandboxError('no-default-export', 'the job module has no default export function: write `export default async function ({ data, args }) { … }`')
    const returned = keep(settle(runtime, context, keep(context.unwrapResult(context.callFunction(main, context.undefined, jobArg))), bounds))

    const serialise = keep(context.unwrapResult(context.evalCode(SERIALISE, 'serialise.js')))
    const json = context.getString(keep(context.unwrapResult(context.callFunction(serialise, context.undefined, returned))))
    const bytes = new TextEncoder().encode(json).byteLength
    if (bytes > bounds.resultBytes) throw new SandboxError('result-too-large', `the result is ${bytes} bytes, over the limit of ${bounds.resultBytes}`)
    // structured cloning and JSON.stringify recurse: a result nested thousands deep overflows the host's stack
    if (jsonDepthExceeds(json, c.MAX_RESULT_DEPTH)) throw new SandboxError('result-too-deep', `the result is nested more than ${c.MAX_RESULT_DEPTH} levels deep; flatten it`)
    return json
  } finally {
    if (flush != null) flushReports(context, flush, job)
    for (const h of handles.reverse()) if (h.alive) h.dispose()
  }
}

/** Sends the progress the guest held back and the count of log lines it dropped, if the guest can still say. */
function flushReports (context: QuickJSContext, flush: QuickJSHandle, job: SandboxJob): void {
  try {
    const result = context.callFunction(flush, context.undefined)
    if (result.error != null) { result.error.dispose(); return }
    const dropped = context.getNumber(result.value)
    result.value.dispose()
    if (dropped > 0) job.onDropped?.(dropped)
  } catch {
    // past the deadline or out of memory: the counts are lost with the job
  }
}

/**
 * Runs pending jobs until a promise settles; a value that is not a promise is returned as is.
 * Pending jobs run in batches with the deadline checked in between, so an endless chain of
 * microtasks ends as a timeout.
 */
function settle (runtime: QuickJSRuntime, context: QuickJSContext, handle: QuickJSHandle, bounds: RunBounds): QuickJSHandle {
  for (;;) {
    if (Date.now() >= bounds.deadline) throw new SandboxError('timeout', `the job ran past its deadline of ${bounds.timeoutMs} ms`)
    const state = context.getPromiseState(handle)
    if (state.type === 'fulfilled') return state.notAPromise === true ? handle.dup() : state.value
    if (state.type === 'rejected') {
      const error = context.dump(state.error)
      state.error.dispose()
      throw error
    }
    const ran = runtime.executePendingJobs(c.SANDBOX_PENDING_JOBS_BATCH)
    if (ran.error != null) {
      const error = context.dump(ran.error)
      ran.error.dispose()
      throw error
    }
    if (ran.value === 0) throw new SandboxError('never-settled', 'the job awaits something that never happens (there are no timers, network or I/O in the sandbox)')
  }
}

/** The job's argument (see GUEST_ARGUMENT), after taking away what a job must not have. */
const PREPARE = `(text, progressHost, logHost, limitsText) => {
  for (const name of ${JSON.stringify(GUEST_FORBIDDEN)}) delete globalThis[name]
  return (${GUEST_ARGUMENT})(text, progressHost, logHost, JSON.parse(limitsText))
}`

/** JSON inside the sandbox, so the host never touches a guest object. */
const SERIALISE = `(value) => {
  if (value === undefined) return 'null'
  let text
  try {
    text = JSON.stringify(value)
  } catch (e) {
    if (/stack overflow/.test(String(e && e.message))) throw new RangeError('the result is nested too deep to serialise; flatten it')
    throw e
  }
  if (text === undefined) throw new TypeError('the result is not JSON-serialisable (a ' + typeof value + ')')
  return text
}`

/** QuickJS as a job worker runs it. */
export const quickJsEngine: SandboxEngine = {
  run: runInQuickJs,
  heapBytes: sandboxHeapBytes
}
