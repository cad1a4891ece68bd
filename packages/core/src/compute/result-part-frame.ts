import { Uint8ArrayList } from 'uint8arraylist'

/**
 * RESULT_PART frames without copying their part, both ways: a result's bytes go from the worker's
 * buffer to the stream, and from the stream's chunks to the UTF-8 decoder, as they are. The
 * bytes are what `JobEvent.encode` writes for a JobEvent with only `type` and `part` set (field 1
 * varint, field 12 length-delimited): any other frame is encoded and decoded as usual.
 */
const TYPE_TAG = (1 << 3) | 0
/** JobEvent.Type.RESULT_PART's number in grid.proto (protons' enum holds its name). */
const RESULT_PART = 6
const PART_TAG = (12 << 3) | 2

/** A RESULT_PART frame: its protobuf header (type, part's tag and length), then the part itself. */
export function encodeResultPart (part: Uint8Array): Uint8ArrayList {
  return new Uint8ArrayList(Uint8Array.from([TYPE_TAG, RESULT_PART, PART_TAG, ...varint(part.byteLength)]), part)
}

/** A frame that is a RESULT_PART and nothing else: its part, uncopied; undefined for any other frame. */
export function resultPartOf (frame: Uint8ArrayList): Uint8ArrayList | undefined {
  if (frame.byteLength < 4 || frame.get(0) !== TYPE_TAG || frame.get(1) !== RESULT_PART || frame.get(2) !== PART_TAG) return undefined
  let length = 0
  let at = 3
  // a part is at most RESULT_PART_BYTES: four length bytes are plenty, more is another frame's business
  for (let shift = 0; at < frame.byteLength && shift < 28; shift += 7) {
    const byte = frame.get(at++)
    length += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return at + length === frame.byteLength ? frame.sublist(at) : undefined
  }
  return undefined
}

function varint (value: number): number[] {
  const bytes: number[] = []
  for (; value >= 0x80; value = Math.floor(value / 128)) bytes.push((value & 0x7f) | 0x80)
  bytes.push(value)
  return bytes
}
