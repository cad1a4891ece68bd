import { JobEvent as PbJobEvent } from '../pb/grid.js'
import { encodeResultPart, resultPartOf } from './result-part-frame.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** A frame as the requester reads it: a job event, or a part of a large result still in the stream's chunks. */
export type IncomingFrame = PbJobEvent | { type: PbJobEvent.Type.RESULT_PART, part: Uint8ArrayList }

/** The job event codec the compute protocol's streams use: a result's parts go through uncopied (see result-part-frame.ts). */
export interface JobEventCodec {
  encode(event: PbJobEvent): Uint8Array | Uint8ArrayList
  decode(bytes: Uint8Array | Uint8ArrayList): IncomingFrame
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
        const bytes = event.type === PbJobEvent.Type.RESULT_PART && event.part.byteLength > 0 ? encodeResultPart(event.part) : PbJobEvent.encode(event)
        if (event.type === PbJobEvent.Type.RESULT || event.type === PbJobEvent.Type.RESULT_PART) this[side] += bytes.byteLength
        return bytes
      },
      decode: bytes => {
        const part = typeof (bytes as Uint8ArrayList).sublist === 'function' ? resultPartOf(bytes as Uint8ArrayList) : undefined
        if (part != null) {
          this[side] += bytes.byteLength
          return { type: PbJobEvent.Type.RESULT_PART, part }
        }
        const event = PbJobEvent.decode(bytes)
        if (event.type === PbJobEvent.Type.RESULT || event.type === PbJobEvent.Type.RESULT_PART) this[side] += bytes.byteLength
        return event
      }
    }
  }
}
