import { errors } from 'quickjs-emscripten-core'
import { SandboxError } from '../errors.js'

import type { SandboxFailure } from '../errors.js'

export type { SandboxFailure }

/** Maps what QuickJS threw (a dumped guest error, or a SandboxError) to a failure and a message. */
export function classifyFailure (err: any, timeoutMs: number): { failure: SandboxFailure, message: string } {
  // a guest can throw an object with any name: only the host's own errors are taken at their word
  if (err instanceof SandboxError) return { failure: err.failure, message: err.message }
  // an exception QuickJS had no memory left to build comes out empty
  if (err instanceof errors.QuickJSUnwrapError) return err.cause == null || err.cause === '' ? classifyFailure(null, timeoutMs) : classifyFailure(err.cause, timeoutMs)
  const name = String(err?.name ?? 'Error')
  const message = String(err?.message ?? err)
  if (name === 'InternalError' && /interrupted/.test(message)) return { failure: 'timeout', message: `the job ran past its deadline of ${timeoutMs} ms` }
  if (/out of memory/i.test(message) || err == null) return { failure: 'memory', message: 'the job ran out of memory (the sandbox\'s memory limit)' }
  if (/nested too deep to serialise/.test(message)) return { failure: 'result-too-deep', message }
  if (/stack overflow|call stack/i.test(message)) return { failure: 'stack', message: 'the job overflowed its stack (too deep a recursion)' }
  if (name === 'SyntaxError') return { failure: 'syntax', message: `the job does not parse: ${message}${where(err)}` }
  if (/refused: a job cannot load modules|could not load module/i.test(message)) return { failure: 'import-refused', message }
  if (name === 'TypeError' && /not JSON-serialisable|BigInt|circular|cyclic/i.test(message)) return { failure: 'not-serialisable', message: `the result is not JSON-serialisable: ${message}` }
  return { failure: 'threw', message: `${name}: ${message}${where(err)}` }
}

/** The stack of a guest error is guest data: only its head is read. */
const STACK_SCAN_CHARS = 2048

/**
 * ` (at job.js:3:14)`: the first place in the job's own code that the guest error's stack names
 * (QuickJS names the module `job.js`), or '' when it names none (a thrown string, a bare object).
 */
function where (err: any): string {
  const stack = typeof err?.stack === 'string' ? err.stack.slice(0, STACK_SCAN_CHARS) : ''
  const at = /\bjob\.js:(\d{1,9}):(\d{1,9})/.exec(stack)
  return at == null ? '' : ` (at job.js:${at[1]}:${at[2]})`
}
