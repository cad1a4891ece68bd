/**
 * The V8 engine for Node.js holders: each job in a fresh V8 isolate (isolated-vm), with its own
 * heap limit and deadline, nothing of the host in it but the frozen input and the throttled
 * `progress`/`log`, and no `SharedArrayBuffer`, `Atomics` or `WebAssembly`. Isolates are created
 * ahead of time (a few per worker thread) so a job does not wait for one, and each is disposed
 * after its one job, whatever happened: no state of one job reaches the next. Node.js only:
 * browsers never import this file (see worker.node.ts and the package's `./v8` export).
 */
import ivm from 'isolated-vm'
import * as c from '../constants.js'
import { jsonDepthExceeds } from '../json-depth.js'
import { FREEZE, GUEST_ARGUMENT, GUEST_FORBIDDEN, inputJson } from './guest-argument.js'
import { classifyFailure } from './sandbox-failure.js'
import type { SandboxEngine, SandboxResult } from './engine.js'
import type { SandboxJob, SandboxLimits } from './sandbox.js'

const MiB = 1024 * 1024

/** A warm isolate; `data`: a dataset's rows parsed and frozen in it ahead of time, with the JSON text they came from. */
interface Warm { isolate: ivm.Isolate, context: ivm.Context, memoryMb: number, data?: { json: string, get: ivm.Reference } }

/** Isolates made ahead of time, each used for one job and then disposed. */
const warm: Warm[] = []
/** Isolates whose job is over, disposed once its outcome is on its way (disposing one takes ~0.5 ms). */
const spent: ivm.Isolate[] = []
/** The heap limit the last job had: the one the next isolates are made with. */
let warmMb = Math.ceil(c.SANDBOX_MEMORY_BYTES / MiB)
/** The last job's data as JSON text, when large enough to be worth preparing for the next job. */
let lastData: string | undefined
/** Isolates alive now (warm or running): what a leak would grow. */
let live = 0

/** How many isolates this thread holds now: warm ones, and the last job's until it is disposed. */
export function liveIsolates (): number {
  return live
}

/** Whether a warm isolate holds this data (JSON text) parsed and frozen for the next job. */
export function isPrepared (dataJson: string): boolean {
  return warm.some(w => w.data?.json === dataJson && !w.isolate.isDisposed)
}

/** isolated-vm's heap limit is in whole MiB, at least 8. */
function memoryMbOf (memoryBytes: number): number {
  return Math.max(8, Math.ceil(memoryBytes / MiB))
}

/** A new isolate with a context whose global has nothing but ECMAScript's built-ins, less what a job must not have. */
function fresh (memoryMb: number): Warm {
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb })
  live++
  try {
    const context = isolate.createContextSync()
    context.evalSync(HARDEN)
    return { isolate, context, memoryMb }
  } catch (err) {
    dispose(isolate)
    throw err
  }
}

function dispose (isolate: ivm.Isolate): void {
  if (!isolate.isDisposed) {
    try { isolate.dispose() } catch {}
  }
  live--
}

/**
 * Disposes the isolates of jobs that are over and makes isolates until V8_WARM_ISOLATES wait,
 * with the last job's heap limit: a job worker calls it once a job's outcome is posted.
 */
export function warmUp (): void {
  disposeSpent()
  for (let i = warm.length - 1; i >= 0; i--) {
    const w = warm[i] as Warm
    if (w.memoryMb !== warmMb || w.isolate.isDisposed) { warm.splice(i, 1); dispose(w.isolate) }
  }
  while (warm.length < c.V8_WARM_ISOLATES) warm.push(fresh(warmMb))
  prepare()
}

/**
 * Jobs on a dataset tend to come again: one warm isolate gets the last job's data parsed and
 * frozen ahead of time, so the next job with the same data (the same JSON text) skips that part.
 * Still one isolate per job: the prepared data is seen by the one job that takes it. One
 * prepared isolate at most: new data replaces the old. Data that does not fit the isolate's heap
 * is left for the job itself to fail on, as without preparation.
 */
function prepare (): void {
  const json = lastData
  if (json == null || warm.some(w => w.data?.json === json)) return
  for (const old of warm.filter(w => w.data != null)) {
    warm.splice(warm.indexOf(old), 1)
    dispose(old.isolate)
    warm.push(fresh(warmMb))
  }
  const target = warm.find(w => w.data == null)
  if (target == null) return
  try {
    const get = target.context.evalClosureSync(`const data = (${FREEZE})(JSON.parse($0)); return () => data`, [json], { arguments: { copy: true }, result: { reference: true }, timeout: c.SANDBOX_TIMEOUT }) as ivm.Reference
    target.data = { json, get }
  } catch {
    // out of its heap or time: a fresh isolate takes its place, and the data is not tried again
    warm.splice(warm.indexOf(target), 1)
    dispose(target.isolate)
    warm.push(fresh(warmMb))
    lastData = undefined
  }
}

function disposeSpent (): void {
  for (let isolate = spent.pop(); isolate != null; isolate = spent.pop()) dispose(isolate)
}

/** A warm isolate for the job: one prepared with its data if there is one, else one with none (a fresh one if none waits). */
function take (memoryMb: number, dataJson: string | undefined): Warm {
  // a caller that never calls warmUp still holds at most one spent isolate
  disposeSpent()
  warmMb = memoryMb
  lastData = dataJson != null && dataJson.length >= c.V8_PREPARE_DATA_CHARS ? dataJson : undefined
  const usable = (w: Warm): boolean => w.memoryMb === memoryMb && !w.isolate.isDisposed
  let index = dataJson == null ? -1 : warm.findIndex(w => usable(w) && w.data?.json === dataJson)
  if (index === -1) index = warm.findIndex(w => usable(w) && w.data == null)
  return index === -1 ? fresh(memoryMb) : warm.splice(index, 1)[0] as Warm
}

/** Runs one job in a V8 isolate on the calling thread; the isolate is disposed afterwards (at the next warmUp or job). */
export async function runInV8 (job: SandboxJob, limits: SandboxLimits = {}): Promise<SandboxResult> {
  const timeoutMs = limits.timeoutMs ?? c.SANDBOX_TIMEOUT
  const deadline = Date.now() + timeoutMs
  const resultBytes = limits.resultBytes ?? c.SANDBOX_RESULT_BYTES
  const taken = take(memoryMbOf(limits.memoryBytes ?? c.SANDBOX_MEMORY_BYTES), job.dataJson)
  const { isolate, context } = taken
  try {
    return evaluate(isolate, context, job, { deadline, timeoutMs, resultBytes }, taken.data?.get)
  } catch (err: any) {
    return failed(err, isolate, deadline, timeoutMs)
  } finally {
    spent.push(isolate)
  }
}

interface Bounds { deadline: number, timeoutMs: number, resultBytes: number }

/** What the guest said at the end: [kind, text, dropped log lines] (read in two calls: [kind, dropped], then the text). */
type Settled = [kind: 'ok' | 'too-large' | 'threw' | 'pending' | 'no-default', text: string, dropped: number]

function evaluate (isolate: ivm.Isolate, context: ivm.Context, job: SandboxJob, bounds: Bounds, prepared?: ivm.Reference): SandboxResult {
  const left = (): number => {
    const ms = bounds.deadline - Date.now()
    if (ms <= 0) throw new Error('Script execution timed out.')
    return ms
  }
  const module = compile(isolate, job.code)
  module.instantiateSync(context, (specifier: string) => { throw new Error(`import of "${specifier}" refused: a job cannot load modules`) })
  module.evaluateSync({ timeout: left() })
  const progress = new ivm.Callback((text: string) => { job.onProgress?.(JSON.parse(text)) })
  const log = new ivm.Callback((text: string) => { job.onLog?.(text) })
  const input = inputJson(job, prepared == null)
  const reportLimits = JSON.stringify({ burst: c.JOB_LOG_BURST, rate: c.JOB_LOG_RATE, interval: c.JOB_PROGRESS_INTERVAL, resultChars: bounds.resultBytes })
  // starts the job; its promise settles during the microtask checkpoint at the end of this call
  const read = context.evalClosureSync(RUN, [module.namespace.derefInto(), input, reportLimits, progress, log, prepared?.derefInto()], { arguments: { copy: true }, result: { reference: true }, timeout: left() }) as ivm.Reference<(part: number) => unknown>
  // the text comes out as a string primitive: copied once, not serialised with the rest (8 MiB: < 1 ms against 14+ ms)
  const [kind, dropped] = read.applySync(undefined, [0], { result: { copy: true }, timeout: left() }) as [Settled[0], number]
  const text = read.applySync(undefined, [1], { timeout: left() }) as string
  if (dropped > 0) job.onDropped?.(dropped)
  switch (kind) {
    case 'ok': return checked(text, bounds.resultBytes)
    case 'too-large': return { ok: false, failure: 'result-too-large', message: `the result is ${text} characters (as many bytes at least), over the limit of ${bounds.resultBytes} bytes` }
    case 'no-default': return { ok: false, failure: 'no-default-export', message: 'the job module has no default export function: write `export default async function ({ data, args }) { … }`' }
    case 'pending': return { ok: false, failure: 'never-settled', message: 'the job awaits something that never happens (there are no timers, network or I/O in the sandbox)' }
    default: return guestFailure(JSON.parse(text), bounds.timeoutMs)
  }
}

function compile (isolate: ivm.Isolate, code: string): ivm.Module {
  try {
    return isolate.compileModuleSync(code, { filename: 'job.js' })
  } catch (err: any) {
    // isolated-vm appends the place to the message: " [job.js:1:20]"
    const at = /\[job\.js:(\d+):(\d+)\]\s*$/.exec(String(err?.message ?? ''))
    const message = String(err?.message ?? err).replace(/\s*\[job\.js:\d+:\d+\]\s*$/, '')
    throw Object.assign(new SyntaxError(message), { stack: at != null ? `SyntaxError: ${message}\n    at job.js:${at[1]}:${at[2]}` : '' })
  }
}

/** The result's JSON text, within its size and nesting bounds. */
function checked (json: string, resultBytes: number): SandboxResult {
  // Node.js only, as this file is: counted without encoding the text
  const bytes = json.length > resultBytes ? json.length : Buffer.byteLength(json, 'utf8')
  if (bytes > resultBytes) return { ok: false, failure: 'result-too-large', message: `the result is ${bytes} bytes, over the limit of ${resultBytes}` }
  if (jsonDepthExceeds(json, c.MAX_RESULT_DEPTH)) return { ok: false, failure: 'result-too-deep', message: `the result is nested more than ${c.MAX_RESULT_DEPTH} levels deep; flatten it` }
  return { ok: true, json }
}

/**
 * A guest error, as the QuickJS sandbox names it, plus what only V8 says: an `import()` (V8 has
 * no module loader here and answers "Not supported") and an ArrayBuffer past the heap limit.
 */
function guestFailure (err: { name: string, message: string, stack: string }, timeoutMs: number): SandboxResult {
  if (err.message === 'Not supported' && err.name === 'Error') return { ok: false, failure: 'import-refused', message: 'import() refused: a job cannot load modules' }
  if (err.name === 'RangeError' && /^Array buffer allocation failed$|^Invalid typed array length/.test(err.message)) return { ok: false, failure: 'memory', message: 'the job ran out of memory (the sandbox\'s memory limit)' }
  const { failure, message } = classifyFailure(err, timeoutMs)
  return { ok: false, failure, message }
}

/** What isolated-vm threw (a timeout, the heap limit, an import refused, a guest error at the module's top level). */
function failed (err: any, isolate: ivm.Isolate, deadline: number, timeoutMs: number): SandboxResult {
  const message = String(err?.message ?? err)
  if (/memory limit|Array buffer allocation failed|allocation failed/i.test(message) || (isolate.isDisposed && Date.now() < deadline)) {
    return { ok: false, failure: 'memory', message: 'the job ran out of memory (the sandbox\'s memory limit)' }
  }
  if (/timed out|execution terminated/i.test(message) || Date.now() >= deadline) return { ok: false, failure: 'timeout', message: `the job ran past its deadline of ${timeoutMs} ms` }
  if (/refused: a job cannot load modules/.test(message)) return { ok: false, failure: 'import-refused', message: `import ${message.replace(/^import /, '')}` }
  const { failure, message: text } = classifyFailure({ name: err?.name, message, stack: err?.stack }, timeoutMs)
  return { ok: false, failure, message: text }
}

/** The V8 engine as a job worker runs it. */
export const v8Engine: SandboxEngine = {
  run: runInV8,
  heapBytes: async () => 0,
  idle: warmUp
}

/** Run once in each fresh context, before any job code: what a job must not have (and V8's console, which QuickJS has not). */
const HARDEN = `for (const name of ${JSON.stringify([...GUEST_FORBIDDEN, 'console'])}) delete globalThis[name]`

/**
 * The job's run, inside the isolate: its argument built as in the QuickJS sandbox
 * (GUEST_ARGUMENT), the default export called and its value serialised to JSON there, so the
 * host never touches a guest object. Returns a function telling how the job settled.
 */
const RUN = `const [ns, text, limitsText, progressHost, logHost, prepared] = [$0, $1, $2, $3, $4, $5]
  const stringify = JSON.stringify
  const limits = JSON.parse(limitsText)
  // the host takes progress as JSON text and a log line as one string
  const send = (value) => { let t; try { t = stringify(value === undefined ? null : value) } catch { return } if (t !== undefined) progressHost(t) }
  const describe = (e) => {
    try {
      if (e !== null && (typeof e === 'object' || typeof e === 'function')) return stringify({ name: String(e.name ?? 'Error'), message: String(e.message ?? e), stack: typeof e.stack === 'string' ? e.stack.slice(0, 2048) : '' })
      return stringify({ name: 'Error', message: String(e), stack: '' })
    } catch {
      return stringify({ name: 'Error', message: 'a thrown value that cannot be described', stack: '' })
    }
  }
  // a long string with nothing JSON escapes is its own JSON text between quotes: the check runs
  // at twice the speed of V8's stringify (8 MiB: ~10 ms against ~23 ms)
  const escaped = /["\\\\\\u0000-\\u001f\\ud800-\\udfff]/
  const test = RegExp.prototype.test
  const serialise = (value) => {
    if (value === undefined) return 'null'
    if (typeof value === 'string' && value.length > 4096 && !test.call(escaped, value)) return '"' + value + '"'
    let out
    try {
      out = stringify(value)
    } catch (e) {
      if (e instanceof RangeError && /call stack/.test(String(e.message))) throw new RangeError('the result is nested too deep to serialise; flatten it')
      throw e
    }
    if (out === undefined) throw new TypeError('the result is not JSON-serialisable (a ' + typeof value + ')')
    return out
  }
  let settled = ['pending', '', 0]
  const main = ns.default
  if (typeof main !== 'function') {
    settled = ['no-default', '', 0]
  } else {
    const [arg, flush] = (${GUEST_ARGUMENT})(text, send, (...parts) => { logHost(parts.map(p => String(p)).join(' ')) }, limits, prepared)
    ;(async () => serialise(await main(arg)))().then(
      (json) => { settled = json.length > limits.resultChars ? ['too-large', String(json.length), 0] : ['ok', json, 0] },
      (e) => { settled = ['threw', describe(e), 0] }
    ).finally(() => { settled[2] = flush() })
  }
  return (part) => part === 0 ? [settled[0], settled[2]] : settled[1]`
