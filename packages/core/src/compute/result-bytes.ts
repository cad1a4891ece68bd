import { JobEvent as PbJobEvent } from '../pb/grid.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The job event codec the compute protocol's streams use, as pbStream takes it. */
export interface JobEventCodec {
  encode(event: PbJobEvent): Uint8Array
  decode(bytes: Uint8Array | Uint8ArrayList): PbJobEvent
}

/**
 * Bytes of job results on the wire (a result in parts: every part), counted where the frames pass: a result encoded to go out
 * to a requester (served here), or decoded as it came in from a holder (requested from here).
 * The frame's own length, so a result is never serialised again just to be measured.
 */
export class ResultBytes {
  served = 0
  requested = 0

  codec (side: 'served' | 'requested'): JobEventCodec {
    return {
      encode: event => {
        const bytes = PbJobEvent.encode(event)
        if (event.type === PbJobEvent.Type.RESULT || event.type === PbJobEvent.Type.RESULT_PART) this[side] += bytes.byteLength
        return bytes
      },
      decode: bytes => {
        const event = PbJobEvent.decode(bytes)
        if (event.type === PbJobEvent.Type.RESULT || event.type === PbJobEvent.Type.RESULT_PART) this[side] += bytes.byteLength
        return event
      }
    }
  }
}
