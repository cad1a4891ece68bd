// Both engines give the same result for the same job and data: 100 programs generated from a
// seed (filters, maps, sorts, groupings, string work and arithmetic over random rows), each run
// on QuickJS and on V8, results compared as values. Left out on purpose: the Math functions the
// language leaves "implementation-approximated" (hypot, sin, exp, pow of non-integers…), where
// the engines may differ in the last bit (Math.hypot did), and comparators that are not consistent.
import { describe, expect, it } from 'vitest'
import { runInQuickJs } from '../src/compute/sandbox.js'
import { runInV8 } from '../src/compute/sandbox-v8.js'
import type { SandboxResult } from '../src/compute/engine.js'

/** mulberry32: a small seeded generator, so a failing program can be regenerated from its seed. */
function random (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generate (seed: number): { code: string, data: unknown[], args: unknown } {
  const r = random(seed)
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T
  const word = (): string => Array.from({ length: int(1, 6) }, () => pick('abcdefghijklmnopqrstuvwxyzÄé漢 -_'.split(''))).join('')
  const data = Array.from({ length: int(0, 300) }, (_, i) => ({ id: i, a: int(-1000, 1000), b: int(-4000, 4000) / 8, s: word(), t: r() < 0.5, tags: Array.from({ length: int(0, 3) }, word) }))
  const num = (): string => pick([
    'r.a', 'r.b', '(r.a * 3 + r.b)', 'Math.floor(r.b / 3)', 'Math.abs(r.a - args.k)', 'Math.sqrt(Math.abs(r.a))', '(r.a % 7)',
    'Math.max(r.a, r.b)', 'Math.min(r.a, r.b * 2)', 'Math.round(r.b * 10) / 10', '(r.a / 7)', '(r.b ** 2)', '(r.t ? r.a : -r.a)',
    'r.s.length', 'r.tags.length', '(r.a | 0) ^ 0x55', '(r.a >>> 3)', 'Math.trunc(r.b / 2.5)', 'Math.sqrt(r.a * r.a + 9)'
  ])
  const str = (): string => pick(['r.s', 'r.s.toUpperCase()', 'r.s.slice(1, 3)', 'r.s + Math.floor(r.a)', '[...r.s].reverse().join("")', 'r.tags.join("/")', 'r.s.padStart(4, "*")', 'r.s.replace(/[aeiou]/g, "#")', 'JSON.stringify(r.tags)'])
  const steps: string[] = []
  for (let i = int(1, 4); i > 0; i--) {
    steps.push(pick([
      `rows = rows.filter(r => ${num()} ${pick(['>', '<', '>=', '<=', '!=='])} ${int(-300, 300)})`,
      `rows = rows.map(r => ({ ...r, a: ${num()}, s: ${str()} }))`,
      `rows = rows.map(r => ({ ...r, b: ${num()} }))`,
      // a consistent comparator (one field, ties by id): an inconsistent one leaves the order to the engine
      ((f: string) => `rows = [...rows].sort((x, y) => (x.${f} < y.${f} ? -1 : x.${f} > y.${f} ? 1 : 0) || x.id - y.id)`)(pick(['a', 'b', 's'])),
      `rows = rows.slice(${int(0, 20)}, ${int(20, 200)})`,
      'rows = rows.flatMap(r => r.tags.map(tag => ({ ...r, s: tag })))'
    ]))
  }
  const finish = pick([
    `return rows.reduce((acc, r) => acc + ${num()}, 0)`,
    `return rows.map(r => [r.id, ${num()}, ${str()}])`,
    `const groups = {}; for (const r of rows) { const k = ${str()}; groups[k] = (groups[k] ?? 0) + ${num()} } return groups`,
    `return { n: rows.length, max: rows.length === 0 ? null : Math.max(...rows.map(r => ${num()})), min: rows.length === 0 ? null : Math.min(...rows.map(r => ${num()})), some: rows.some(r => r.t) }`,
    `const seen = new Map(); for (const r of rows) seen.set(${str()}, r.id); return [...seen.entries()]`,
    `return rows.map(r => ${str()}).join(",")`,
    `const m = new Set(rows.map(r => ${num()})); return [...m].sort((x, y) => x - y)`
  ])
  const async = r() < 0.5
  const body = `${async ? 'await null; ' : ''}let rows = data.map(r => ({ ...r }))\n  ${steps.join('\n  ')}\n  ${finish}`
  return { code: `export default ${async ? 'async ' : ''}function ({ data, args }) {\n  ${body}\n}`, data, args: { k: int(-50, 50) } }
}

const parsed = (result: SandboxResult): unknown => result.ok ? { ok: true, value: JSON.parse(result.json) } : { ok: false, failure: result.failure }

describe('QuickJS and V8 agree', () => {
  it('100 random jobs over random data give the same results on both engines', async () => {
    let results = 0
    for (let seed = 1; seed <= 100; seed++) {
      const { code, data, args } = generate(seed)
      const limits = { timeoutMs: 5000 }
      const [quickjs, v8] = [await runInQuickJs({ code, data, args }, limits), await runInV8({ code, data, args }, limits)]
      // a disagreement names the seed and the program
      expect({ seed, code, v8: parsed(v8) }).toEqual({ seed, code, v8: parsed(quickjs) })
      if (quickjs.ok) results++
    }
    // the generator makes programs that run: a run of errors would compare nothing
    expect(results).toBeGreaterThan(90)
  }, 120_000)
})
