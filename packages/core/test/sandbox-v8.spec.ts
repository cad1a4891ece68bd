// The V8 engine's own promises: isolates made ahead of time and never reused, and none leaked
// by hostile jobs (the cases every engine must pass are in sandbox.spec.ts).
import { describe, expect, it } from 'vitest'
import { V8_WARM_ISOLATES } from '../src/constants.js'
import { isPrepared, liveIsolates, runInV8, warmUp } from '../src/compute/sandbox-v8.js'

const MiB = 1024 * 1024
const LIMITS = { timeoutMs: 5000, memoryBytes: 16 * MiB, resultBytes: 64 * 1024 }
/** Only the endless loop waits for its deadline: a short one; the rest end by themselves however loaded the machine. */
const LOOP_LIMITS = { ...LIMITS, timeoutMs: 100 }

/** Hostile jobs that end fast, each a different way out; bombs and loops are a share of them. */
const HOSTILE: Array<[code: string, failure: string]> = [
  ['export default () => { const a = []; for (;;) a.push(new Array(1e6).fill(1)) }', 'memory'],
  ['export default () => { const a = []; for (;;) a.push(new Float64Array(1e6)) }', 'memory'],
  ['export default () => { while (true) {} }', 'timeout'],
  ['export default () => { const f = (n) => f(n + 1) + 1; return f(0) }', 'stack'],
  ['export default () => "x".repeat(100 * 1024)', 'result-too-large'],
  ['export default () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)', 'threw'],
  ['export default () => new SharedArrayBuffer(8)', 'threw'],
  ['export default () => new WebAssembly.Memory({ initial: 1 })', 'threw'],
  ['export default () => { globalThis.leak = new Array(1e5).fill(7); throw new Error("bye") }', 'threw'],
  ['export default () => new Promise(() => {})', 'never-settled']
]

describe('the V8 engine', () => {
  it('keeps isolates made ahead of time, and disposes each after its one job', async () => {
    warmUp()
    expect(liveIsolates()).toBe(V8_WARM_ISOLATES)
    // a job takes a warm isolate: none is made while it runs; it is disposed once the outcome is on its way
    expect(await runInV8({ code: 'export default () => 1' })).toEqual({ ok: true, json: '1' })
    expect(liveIsolates()).toBe(V8_WARM_ISOLATES)
    warmUp()
    expect(liveIsolates()).toBe(V8_WARM_ISOLATES)
    // without warmUp, the next job disposes the last one's isolate first
    for (let i = 0; i < 5; i++) await runInV8({ code: 'export default () => 1' })
    expect(liveIsolates()).toBeLessThanOrEqual(V8_WARM_ISOLATES)
  })

  it('a long string result is the JSON text JSON.stringify makes, whatever it holds (quotes, backslashes, control characters, surrogates)', async () => {
    const strings = ['x', 'é漢', '"', '\\', '\n', '\u0001', '\u001f', '\ud83d\ude00', '\ud800', '\udfff', '\u007f\u2028'].map(s => 'a'.repeat(5000) + s + 'b'.repeat(5000))
    for (const value of strings) {
      expect(await runInV8({ code: 'export default ({ args }) => args', args: value }, { ...LIMITS, memoryBytes: 64 * MiB })).toEqual({ ok: true, json: JSON.stringify(value) })
    }
  })

  it('rows made ahead for the next job on them are frozen: no job changes what another sees', async () => {
    const rows = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i, xs: [i, i + 1], o: { n: i } })))
    const limits = { ...LIMITS, memoryBytes: 64 * MiB }
    const tamper = `export default ({ data }) => {
      const tries = [() => { data[0].i = 99 }, () => { data.push(1) }, () => { data[1].xs[0] = 5 }, () => { data[2].o.n = 7 }, () => { delete data[3].i }, () => { Object.defineProperty(data[4], 'y', { value: 1 }) }, () => { data.length = 0 }]
      const refused = tries.filter(t => { try { t(); return false } catch { return true } }).length
      Array.prototype.polluted = 1
      return [refused, tries.length, Reflect.set(data[0], 'i', 42), Object.isFrozen(data[5].o)]
    }`
    const look = 'export default ({ data }) => [data.length, data[0].i, data[1].xs[0], data[2].o.n, "y" in data[4], [].polluted === undefined]'
    expect(await runInV8({ code: tamper, dataJson: rows }, limits)).toEqual({ ok: true, json: '[7,7,false,true]' })
    warmUp()
    expect(isPrepared(rows)).toBe(true)
    // the prepared isolate went to a job that tried again; the one after gets rows made ahead again, untouched
    expect(await runInV8({ code: tamper, dataJson: rows }, limits)).toEqual({ ok: true, json: '[7,7,false,true]' })
    warmUp()
    expect(isPrepared(rows)).toBe(true)
    expect(await runInV8({ code: look, dataJson: rows }, limits)).toEqual({ ok: true, json: '[5000,0,1,2,false,true]' })
    warmUp()
    // data-free jobs leave the prepared isolate waiting; other rows take its place
    expect(await runInV8({ code: 'export default () => 1' }, limits)).toEqual({ ok: true, json: '1' })
    warmUp()
    expect(isPrepared(rows)).toBe(true)
    const other = rows.replace('"i":0,', '"i":-1,')
    expect(await runInV8({ code: look, dataJson: other }, limits)).toEqual({ ok: true, json: '[5000,-1,1,2,false,true]' })
    warmUp()
    expect([isPrepared(other), isPrepared(rows), liveIsolates()]).toEqual([true, false, V8_WARM_ISOLATES])
  })

  it('rows past the heap limit: the job fails on memory, and making them ahead for the next job fails quietly', async () => {
    const rows = JSON.stringify(Array.from({ length: 200_000 }, (_, i) => ({ i, s: `row ${i}` })))
    const limits = { ...LIMITS, memoryBytes: 8 * MiB }
    expect(await runInV8({ code: 'export default ({ data }) => data.length', dataJson: rows }, limits)).toMatchObject({ ok: false, failure: 'memory' })
    warmUp()
    expect(isPrepared(rows)).toBe(false)
    expect(liveIsolates()).toBe(V8_WARM_ISOLATES)
    expect(await runInV8({ code: 'export default () => 2' }, limits)).toEqual({ ok: true, json: '2' })
  })

  it('a job never sees what the job before it left behind', async () => {
    warmUp()
    expect(await runInV8({ code: 'export default () => { globalThis.left = 1; Object.prototype.polluted = 2; Array.prototype.map = null; return 0 }' })).toEqual({ ok: true, json: '0' })
    warmUp()
    expect(await runInV8({ code: 'export default () => [typeof globalThis.left, typeof ({}).polluted, typeof [].map]' })).toEqual({ ok: true, json: '["undefined","undefined","function"]' })
  })

  it('1,000 hostile jobs: each one error, no isolate left behind, memory back near its baseline', async () => {
    for (let i = 0; i < 20; i++) await runInV8({ code: 'export default () => 1' }, LIMITS)
    warmUp()
    globalThis.gc?.()
    const baseline = process.memoryUsage().rss
    const failures = new Map<string, number>()
    for (let i = 0; i < 1000; i++) {
      const [code, failure] = HOSTILE[i % HOSTILE.length]!
      const outcome = await runInV8({ code }, failure === 'timeout' ? LOOP_LIMITS : LIMITS)
      expect(outcome).toMatchObject({ ok: false, failure })
      failures.set(failure, (failures.get(failure) ?? 0) + 1)
      // a warm isolate is made after each job, as a job worker does once the outcome is posted
      warmUp()
      expect(liveIsolates()).toBe(V8_WARM_ISOLATES)
    }
    expect(await runInV8({ code: 'export default ({ data }) => data.length', data: [1, 2, 3] }, LIMITS)).toEqual({ ok: true, json: '3' })
    globalThis.gc?.()
    await new Promise(resolve => setTimeout(resolve, 500))
    const after = process.memoryUsage().rss
    console.log(`RSS around 1,000 hostile V8 jobs: ${(baseline / MiB).toFixed(0)} → ${(after / MiB).toFixed(0)} MiB (${[...failures].map(([f, n]) => `${n} ${f}`).join(', ')})`)
    // each bomb reached a 16 MiB heap: 100 of them left behind would be 1.6 GiB
    expect(after - baseline).toBeLessThan(100 * MiB)
  }, 300_000)
})
