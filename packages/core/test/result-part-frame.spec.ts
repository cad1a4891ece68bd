import { Uint8ArrayList } from 'uint8arraylist'
import { equals } from 'uint8arrays/equals'
import { describe, expect, it } from 'vitest'
import { JobEvent as PbJobEvent, Status } from '../src/pb/grid.js'
import { encodeResultPart, resultPartOf } from '../src/compute/result-part-frame.js'

const frame = (fields: Partial<PbJobEvent>): Uint8Array => PbJobEvent.encode({ type: PbJobEvent.Type.RESULT_PART, queuePosition: 0, json: '', text: '', status: Status.OK, failure: '', part: new Uint8Array(0), resultBytes: 0, ...fields })

describe('RESULT_PART frames without copying the part', () => {
  it('writes the bytes protons writes, and reads back the part from any chunking of them', () => {
    for (const size of [1, 127, 128, 16_383, 16_384, 1024 * 1024]) {
      const part = Uint8Array.from({ length: size }, (_, i) => i % 251)
      const expected = frame({ part })
      // compared as bytes: toEqual walks a MiB element by element
      expect(equals(encodeResultPart(part).subarray(), expected)).toBe(true)
      const chunked = new Uint8ArrayList(expected.subarray(0, 2), expected.subarray(2, 5), expected.subarray(5))
      expect(equals(resultPartOf(chunked)?.subarray() ?? new Uint8Array(0), part)).toBe(true)
    }
  })

  it('leaves any other frame to the protobuf decoder: other types, other fields set, lengths that do not match', () => {
    const part = new Uint8Array(10).fill(1)
    expect(resultPartOf(new Uint8ArrayList(frame({ type: PbJobEvent.Type.RESULT, json: '"x"' })))).toBeUndefined()
    expect(resultPartOf(new Uint8ArrayList(frame({ part, resultBytes: 3 })))).toBeUndefined()
    expect(resultPartOf(new Uint8ArrayList(frame({ part, text: 'hi' })))).toBeUndefined()
    const whole = frame({ part })
    expect(resultPartOf(new Uint8ArrayList(whole.subarray(0, whole.byteLength - 1)))).toBeUndefined()
    expect(resultPartOf(new Uint8ArrayList(whole, Uint8Array.of(0)))).toBeUndefined()
    expect(resultPartOf(new Uint8ArrayList(Uint8Array.of(0x08, 0x06, 0x62, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)))).toBeUndefined()
  })
})
