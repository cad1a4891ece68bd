/**
 * Source of a function both engines run inside the sandbox to build a job's argument: the input
 * parsed from JSON and deep-frozen, and `progress`/`log` throttled before they reach the host
 * (each call into the host costs ~20 µs and leaves garbage there: a million of them took seconds
 * and ~200 MiB). The guest cannot undo this — it only ever sees the wrappers, and the wrappers
 * use functions captured before its code runs — and the host throttles again in any case.
 *
 * `(text, progressOut, logOut, limits) => [argument, flush]`: `flush()` sends the progress held
 * back and returns how many log lines were dropped.
 */
export const GUEST_ARGUMENT = `(text, progressOut, logOut, limits) => {
  const freeze = (o) => { if (o !== null && typeof o === 'object') { Object.freeze(o); for (const k of Object.keys(o)) freeze(o[k]) } return o }
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
  return [Object.freeze({ data: freeze(input.data), args: freeze(input.args), progress: Object.freeze(progress), log: Object.freeze(log) }), flush]
}`

/** What a job must not have, in either engine: shared memory, blocking waits, WebAssembly. */
export const GUEST_FORBIDDEN = ['SharedArrayBuffer', 'Atomics', 'WebAssembly']
