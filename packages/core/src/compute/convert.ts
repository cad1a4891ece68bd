import { MAX_JOB_EVENT_BYTES, MAX_RESULT_DEPTH, RESULT_PART_BYTES } from '../constants.js'
import { JobEvent as PbJobEvent, Status } from '../pb/grid.js'
import { jsonDepthExceeds } from '../json-depth.js'
import { Utf8Chunks } from './utf8-chunks.js'
import type { JobEvent } from './job-events.js'
import type { SandboxFailure } from './sandbox-failure.js'
import type { Uint8ArrayList } from 'uint8arraylist'

const STATUS_OF: Record<Extract<JobEvent, { type: 'error' }>['status'], Status> = {
  'bad-request': Status.BAD_REQUEST,
  'not-found': Status.NOT_FOUND,
  forbidden: Status.FORBIDDEN,
  busy: Status.BUSY,
  failed: Status.OK,
  internal: Status.INTERNAL
}

/** The JSON text of results made by resultEvent (or its UTF-8 bytes): framed as it is, never stringified again. */
const resultText = new WeakMap<object, string | Uint8Array>()

/**
 * A result event carrying the guest's JSON text as the worker handed it on (a large one as its
 * UTF-8 bytes): it goes on the wire as it is; `value` is parsed only if something here reads it
 * (a listener of jobs served here, say), once.
 */
export function resultEvent (text: string | Uint8Array): Extract<JobEvent, { type: 'result' }> {
  let parsed: { value: unknown } | undefined
  const event = { type: 'result' } as Extract<JobEvent, { type: 'result' }>
  Object.defineProperty(event, 'value', { enumerable: true, get: () => { parsed ??= { value: JSON.parse(jsonOf(event)) }; return parsed.value } })
  resultText.set(event, text)
  return event
}

/** A result event's JSON text. */
function jsonOf (event: Extract<JobEvent, { type: 'result' }>): string {
  const text = resultText.get(event)
  if (text == null) return JSON.stringify(event.value ?? null)
  return typeof text === 'string' ? text : new TextDecoder().decode(text)
}

/** What the holder writes besides job events: a part of a large result, then the result's end saying how many bytes the parts carried. */
export type WireEvent = JobEvent | { type: 'result-part', part: Uint8Array } | { type: 'result-end', bytes: number }

/**
 * A result as it goes on the wire: one RESULT frame, or, when the requester takes parts and the
 * JSON text is over RESULT_PART_BYTES, its UTF-8 bytes in RESULT_PART frames and a RESULT that
 * says how many bytes they carried.
 */
export function resultFrames (event: Extract<JobEvent, { type: 'result' }>, parts: boolean): WireEvent[] {
  if (!parts) return [event]
  const text = resultText.get(event) ?? JSON.stringify(event.value ?? null)
  // a character is at least one byte: text this short fits one part whatever it holds
  if (typeof text === 'string' && text.length <= RESULT_PART_BYTES / 3) return [event]
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
  if (bytes.byteLength <= RESULT_PART_BYTES) return [event]
  const frames: WireEvent[] = []
  for (let at = 0; at < bytes.byteLength; at += RESULT_PART_BYTES) frames.push({ type: 'result-part', part: bytes.subarray(at, at + RESULT_PART_BYTES) })
  frames.push({ type: 'result-end', bytes: bytes.byteLength })
  return frames
}

/**
 * The requester's side of a result in parts: bytes taken in as they come, never more than
 * MAX_JOB_EVENT_BYTES in all (a holder's claims are checked, not trusted), and, at the end, the
 * result's JSON text when the parts add up to what the holder said.
 */
export class ResultParts {
  private readonly decoder = new Utf8Chunks()
  private bytes = 0
  private any = false

  get started (): boolean { return this.any }

  /** Takes a part (as the stream's chunks); an error event when the parts grew past the limit. */
  add (part: Uint8Array | Uint8ArrayList): JobEvent | undefined {
    this.any = true
    this.bytes += part.byteLength
    if (this.bytes > MAX_JOB_EVENT_BYTES) return { type: 'error', status: 'failed', failure: 'result-too-large', message: `the holder sent a result of more than ${MAX_JOB_EVENT_BYTES} bytes` }
    if (part instanceof Uint8Array) this.decoder.add(part)
    else for (const chunk of part) this.decoder.add(chunk)
    return undefined
  }

  /** The result from the parts, as a RESULT frame would have carried it; an error event when they do not add up or are not UTF-8. */
  end (claimed: number): JobEvent {
    if (claimed !== this.bytes) return { type: 'error', status: 'failed', message: `the holder's result parts carried ${this.bytes} bytes, not the ${claimed} it said` }
    const json = this.decoder.end()
    if (json == null) return { type: 'error', status: 'failed', message: 'the holder\'s result is not UTF-8 text' }
    return fromPbJobEvent({ type: PbJobEvent.Type.RESULT, queuePosition: 0, json, text: '', status: Status.OK, failure: '', part: new Uint8Array(0), resultBytes: 0 })
  }
}

export function toPbJobEvent (event: WireEvent): PbJobEvent {
  const base: PbJobEvent = { type: PbJobEvent.Type.ACCEPTED, queuePosition: 0, json: '', text: '', status: Status.OK, failure: '', part: new Uint8Array(0), resultBytes: 0 }
  switch (event.type) {
    case 'result-part': return { ...base, type: PbJobEvent.Type.RESULT_PART, part: event.part as Uint8Array<ArrayBuffer> }
    case 'result-end': return { ...base, type: PbJobEvent.Type.RESULT, resultBytes: event.bytes }
    case 'accepted': return { ...base, queuePosition: event.queuePosition }
    case 'started': return { ...base, type: PbJobEvent.Type.STARTED }
    case 'progress': return { ...base, type: PbJobEvent.Type.PROGRESS, json: JSON.stringify(event.value ?? null) }
    case 'log': return { ...base, type: PbJobEvent.Type.LOG, text: event.text }
    case 'result': return { ...base, type: PbJobEvent.Type.RESULT, json: jsonOf(event) }
    case 'error': return { ...base, type: PbJobEvent.Type.ERROR, status: STATUS_OF[event.status], failure: event.failure ?? '', text: event.message }
  }
}

export function fromPbJobEvent (event: PbJobEvent): JobEvent {
  switch (event.type) {
    case PbJobEvent.Type.ACCEPTED: return { type: 'accepted', queuePosition: event.queuePosition }
    case PbJobEvent.Type.STARTED: return { type: 'started' }
    // a holder is a stranger: a value nested thousands deep would overflow whatever walks it here
    case PbJobEvent.Type.PROGRESS: return jsonDepthExceeds(event.json, MAX_RESULT_DEPTH) ? { type: 'log', text: `(a progress value nested over ${MAX_RESULT_DEPTH} levels deep was dropped)` } : { type: 'progress', value: JSON.parse(event.json) }
    case PbJobEvent.Type.LOG: return { type: 'log', text: event.text }
    case PbJobEvent.Type.RESULT: return jsonDepthExceeds(event.json, MAX_RESULT_DEPTH) ? { type: 'error', status: 'failed', failure: 'result-too-deep', message: `the holder sent a result nested over ${MAX_RESULT_DEPTH} levels deep` } : { type: 'result', value: JSON.parse(event.json) }
    default: {
      const status = (Object.entries(STATUS_OF).find(([, s]) => s === event.status)?.[0] ?? 'internal') as Extract<JobEvent, { type: 'error' }>['status']
      return { type: 'error', status: event.failure !== '' ? 'failed' : status, ...(event.failure !== '' ? { failure: event.failure as SandboxFailure } : {}), message: event.text }
    }
  }
}
