import { describe, expect, it } from 'vitest'
import { jsonDepthExceeds, jsonTooDeep as tooDeep } from '../src/json-depth.js'

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth)
/** The local API's limit (MAX_JSON_DEPTH in packages/cli/src/api/constants.ts). */
const MAX_JSON_DEPTH = 64

describe('jsonDepthExceeds', () => {
  it('measures arrays and objects, at the limit and one past it', () => {
    expect(jsonDepthExceeds(nested(128), 128)).toBe(false)
    expect(jsonDepthExceeds(nested(129), 128)).toBe(true)
    expect(jsonDepthExceeds('{"a":{"b":{"c":1}}}', 3)).toBe(false)
    expect(jsonDepthExceeds('{"a":{"b":{"c":[1]}}}', 3)).toBe(true)
  })

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(JSON.stringify({ s: '[[[[[[' }), 1)).toBe(false)
    expect(jsonDepthExceeds(JSON.stringify({ s: 'a"[[[[\\"{{{{' }), 1)).toBe(false)
    expect(jsonDepthExceeds(JSON.stringify(['\\', [[1]]]), 2)).toBe(true)
  })

  it('handles 5,000 levels and scalars without recursion', () => {
    expect(jsonDepthExceeds(nested(5000), 128)).toBe(true)
    expect(jsonDepthExceeds('42', 0)).toBe(false)
    expect(jsonDepthExceeds('"x"', 0)).toBe(false)
  })
})

describe('jsonTooDeep', () => {
  it('passes a body nested exactly MAX_JSON_DEPTH deep and refuses one level more', () => {
    expect(tooDeep(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBeUndefined()
    expect(tooDeep(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toEqual({})
  })

  it('names the top-level field the deep value is in', () => {
    const body = `{"tags":["#x"],"name":"a:b","rows":${nested(5_000)}}`
    expect(tooDeep(body, MAX_JSON_DEPTH)).toEqual({ field: 'rows' })
  })

  it('does not count brackets inside strings, escaped quotes included', () => {
    const body = JSON.stringify({ code: `"\\"${'['.repeat(500)}`, args: [[1]] })
    expect(tooDeep(body, 4)).toBeUndefined()
  })

  it('scans 100,000 levels in one pass, without recursing', () => {
    expect(tooDeep(nested(100_000), MAX_JSON_DEPTH)).toEqual({})
  })
})
