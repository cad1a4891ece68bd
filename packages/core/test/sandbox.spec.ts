import { describe, expect, it } from 'vitest'
import { sandboxWasmCeiling } from '../src/constants.js'
import { runInQuickJs, runInSandbox, sandboxHeapBytes } from '../src/compute/sandbox.js'
import { runInV8 } from '../src/compute/sandbox-v8.js'
import type { SandboxEngine } from '../src/compute/engine.js'
import type { SandboxJob, SandboxLimits, SandboxOutcome } from '../src/compute/sandbox.js'

const LIMITS: SandboxLimits = { timeoutMs: 500, memoryBytes: 16 * 1024 * 1024, resultBytes: 1024 * 1024 }

/** Each engine as the job worker runs it, with the result parsed as a requester would. */
const ENGINES: Array<[string, SandboxEngine['run']]> = [['QuickJS', runInQuickJs], ['V8', runInV8]]

// the same contract, case for case, on both engines
describe.each(ENGINES)('the %s sandbox', (_engine, runOn) => {
  const runJob = async (job: SandboxJob, limits: SandboxLimits = {}): Promise<SandboxOutcome> => {
    const result = await runOn(job, limits)
    return result.ok ? { ok: true, value: JSON.parse(result.json) } : result
  }
  const run = async (code: string, data: unknown = [{ x: 1 }, { x: 2 }], limits = LIMITS): Promise<SandboxOutcome> =>
    runJob({ code, data, args: { k: 10 } }, limits)

  it('runs an async default export over read-only data with args, progress and log', async () => {
    const progress: unknown[] = []
    const logs: string[] = []
    const outcome = await runJob({
      code: 'export default async function ({ data, args, progress, log }) { progress(0.5); log("rows", data.length); await null; return { sum: data.reduce((a, r) => a + r.x, 0) * args.k } }',
      data: [{ x: 1 }, { x: 2 }],
      args: { k: 10 },
      onProgress: v => progress.push(v),
      onLog: s => logs.push(s)
    }, LIMITS)
    expect(outcome).toEqual({ ok: true, value: { sum: 30 } })
    expect(progress).toEqual([0.5])
    expect(logs).toEqual(['rows 2'])
  })

  it.each([
    ['code that does not parse', 'export default function ( {', 'syntax'],
    ['code that throws', 'export default () => { throw new RangeError("nope") }', 'threw'],
    ['an endless loop', 'export default () => { while (true) {} }', 'timeout'],
    ['unbounded allocation', 'export default () => { const a = []; while (true) a.push(new Array(100000).fill(1)) }', 'memory'],
    ['deep recursion', 'export default () => { const f = (n) => f(n + 1) + 1; return f(0) }', 'stack'],
    ['process', 'export default () => process.exit(1)', 'threw'],
    ['require', 'export default () => require("fs")', 'threw'],
    ['dynamic import()', 'export default async () => await import("fs")', 'import-refused'],
    ['a static import', 'import fs from "fs"; export default () => 1', 'import-refused'],
    ['fetch', 'export default () => fetch("http://127.0.0.1:1")', 'threw'],
    ['writing to the data', 'export default ({ data }) => { data[0].x = 5 }', 'threw'],
    ['a huge result', 'export default () => "x".repeat(2 * 1024 * 1024)', 'result-too-large'],
    ['a BigInt result', 'export default () => 10n', 'not-serialisable'],
    ['a cyclic result', 'export default () => { const o = {}; o.o = o; return o }', 'not-serialisable'],
    ['a function result', 'export default () => () => 1', 'not-serialisable'],
    ['no default export', 'export const x = 1', 'no-default-export'],
    ['a promise that never settles', 'export default () => new Promise(() => {})', 'never-settled'],
    ['an endless chain of microtasks', 'export default async () => { const f = () => { Promise.resolve().then(f) }; f(); await new Promise(() => {}) }', 'timeout'],
    ['a string bomb', 'export default () => { const a = []; for (;;) a.push("x".repeat(1e6) + Math.random()) }', 'memory'],
    ['an ArrayBuffer bomb', 'export default () => { const a = []; for (;;) a.push(new Float64Array(1e6)) }', 'memory'],
    // neither engine has shared memory, blocking waits or WebAssembly
    ['Atomics.wait', 'export default () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)', 'threw'],
    ['a SharedArrayBuffer', 'export default () => new SharedArrayBuffer(1024).byteLength', 'threw'],
    ['WebAssembly', 'export default () => WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))', 'threw'],
    // 2,000 small objects of 1 KiB: over the limit only once serialised (few, so QuickJS builds them well within the deadline)
    ['a huge result on the way out', 'export default () => { const a = []; for (let i = 0; i < 2000; i++) a.push({ i, s: "abcdefgh".repeat(128) }); return a }', 'result-too-large']
  ])('%s: fails as %s, and the next job runs normally', async (_what, code, failure) => {
    const outcome = await run(code)
    expect(outcome).toMatchObject({ ok: false, failure })
    if (!outcome.ok) expect(outcome.message.length).toBeGreaterThan(10)
    expect(await run('export default ({ data }) => data.length')).toEqual({ ok: true, value: 2 })
  })

  it('cannot reach or pollute the host', async () => {
    expect(await run('export default () => Function("return typeof process + typeof require + typeof globalThis.fetch")()')).toEqual({ ok: true, value: 'undefinedundefinedundefined' })
    expect(await run('export default () => { Object.prototype.polluted = 1; Array.prototype.push = null; return 1 }')).toEqual({ ok: true, value: 1 })
    expect(({} as any).polluted).toBeUndefined()
    expect(await run('export default () => ({}).polluted')).toEqual({ ok: true, value: null }) // a fresh runtime per job
  })

  it.each([
    // which comes first, the deadline or the memory limit, depends on the machine
    ['microtasks queued without end', 'export default () => { for (;;) Promise.resolve().then(() => {}) }', ['timeout', 'memory']],
    // serialising it recurses in WebAssembly: on a calling thread with little stack left that overflows first
    ['a result nested 5,000 deep', 'export default () => { let a = []; for (let i = 0; i < 5000; i++) a = [a]; return a }', ['result-too-deep', 'stack']]
  ])('%s: fails as one of %s, and the next job runs normally', async (_what, code, failures) => {
    const outcome = await run(code)
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(failures).toContain(outcome.failure)
    expect(await run('export default ({ data }) => data.length')).toEqual({ ok: true, value: 2 })
  })

  it('a result nested 128 deep is still a result', async () => {
    const outcome = await run('export default () => { let a = []; for (let i = 1; i < 128; i++) a = [a]; return a }')
    expect(outcome.ok).toBe(true)
  })

  it('undefined becomes null', async () => {
    expect(await run('export default () => {}')).toEqual({ ok: true, value: null })
  })
})

describe('the QuickJS sandbox', () => {
  it('an allocation bomb cannot make the host hold more than the sandbox memory ceiling', async () => {
    const memoryBytes = 16 * 1024 * 1024
    const outcome = await runInSandbox({ code: 'export default () => { const a = []; for (;;) a.push(new Array(1e6).fill(1)) }' }, { memoryBytes, timeoutMs: 20_000 })
    expect(outcome).toMatchObject({ ok: false, failure: 'memory' })
    expect(await sandboxHeapBytes()).toBeLessThanOrEqual(sandboxWasmCeiling(memoryBytes))
  })
})
