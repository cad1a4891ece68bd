import { describe, expect, it } from 'vitest'
import { jsonDepthExceeds } from '../src/json-depth.js'

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth)

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
