import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { toPbJobEvent } from '../src/compute/convert.js'
import { ResultBytes } from '../src/compute/result-bytes.js'

describe('result bytes, counted as job event frames pass', () => {
  it('counts each result frame\'s length on its side, and nothing else', () => {
    const bytes = new ResultBytes()
    const served = bytes.codec('served')
    const requested = bytes.codec('requested')
    const steps = [toPbJobEvent({ type: 'accepted', queuePosition: 0 }), toPbJobEvent({ type: 'log', text: 'x'.repeat(500) }), toPbJobEvent({ type: 'result', value: 'é'.repeat(100) })]
    const frames = steps.map(e => served.encode(e))
    const result = frames.at(-1)!
    // a JSON string of 100 two-byte characters, its quotes and the frame's own fields: UTF-8 bytes, not characters
    expect(result.byteLength).toBeGreaterThan(202)
    expect(bytes).toMatchObject({ served: result.byteLength, requested: 0 })
    expect(frames.map(f => requested.decode(new Uint8ArrayList(f)).type)).toEqual(steps.map(s => s.type))
    expect(bytes).toMatchObject({ served: result.byteLength, requested: result.byteLength })
  })
})
