import type { SandboxJob } from './sandbox.js'

/**
 * Source of a function deep-freezing a value parsed from JSON (arrays walked by index, objects by
 * their own keys; primitives are not called on), as the data of a job is: the guest can read it,
 * never change it.
 */
export const FREEZE = `(o) => {
  const freeze = (o) => {
    Object.freeze(o)
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) { const v = o[i]; if (typeof v === 'object' && v !== null) freeze(v) }
    } else {
      for (const k of Object.keys(o)) { const v = o[k]; if (typeof v === 'object' && v !== null) freeze(v) }
    }
    return o
  }
  return typeof o === 'object' && o !== null ? freeze(o) : o
}`

/**
 * Source of a function both engines run inside the sandbox to build a job's argument: the input
 * parsed from JSON and deep-frozen, and `progress`/`log` throttled before they reach the host
 * (each call into the host costs ~20 µs and leaves garbage there: a million of them took seconds
 * and ~200 MiB). The guest cannot undo this — it only ever sees the wrappers, and the wrappers
 * use functions captured before its code runs — and the host throttles again in any case.
 *
 * `(text, progressOut, logOut, limits, prepared?) => [argument, flush]`: `flush()` sends the
 * progress held back and returns how many log lines were dropped; `prepared`, when given, returns
 * the data parsed and frozen ahead of time (see FREEZE), and the text's data is then ignored.
 */
export const GUEST_ARGUMENT = `(text, progressOut, logOut, limits, prepared) => {
  const freeze = ${FREEZE}
  const now = Date.now
  const min = Math.min
  let tokens = limits.burst
  let refilled = now()
  let dropped = 0
  let lastProgress = -Infinity
  let held = []
  const log = (...parts) => {
    const t = now()
    tokens = min(limits.burst, tokens + (t - refilled) * limits.rate / 1000)
    refilled = t
    if (tokens < 1) { dropped++; return }
    tokens--
    logOut(...parts)
  }
  const progress = (value) => {
    const t = now()
    if (t - lastProgress >= limits.interval) { lastProgress = t; held = []; progressOut(value) } else { held = [value] }
  }
  const flush = () => { if (held.length > 0) progressOut(held[0]); held = []; return dropped }
  const input = JSON.parse(text)
  return [Object.freeze({ data: prepared !== undefined ? prepared() : freeze(input.data), args: freeze(input.args), progress: Object.freeze(progress), log: Object.freeze(log) }), flush]
}`

/** What a job must not have, in either engine: shared memory, blocking waits, WebAssembly. */
export const GUEST_FORBIDDEN = ['SharedArrayBuffer', 'Atomics', 'WebAssembly']

/** The job's input as the guest's argument is built from: `{ data, args }` as JSON text, the data's text taken as it came. */
export function inputJson (job: SandboxJob, withData = true): string {
  // JSON.stringify gives undefined for a function, say: null, as before
  const data = !withData ? 'null' : job.dataJson ?? JSON.stringify(job.data ?? null) ?? 'null'
  return `{"data":${data},"args":${JSON.stringify(job.args ?? null) ?? 'null'}}`
}
