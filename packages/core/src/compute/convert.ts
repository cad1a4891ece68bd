import { MAX_RESULT_DEPTH } from '../constants.js'
import { JobEvent as PbJobEvent, Status } from '../pb/grid.js'
import { jsonDepthExceeds } from '../json-depth.js'
import type { JobEvent } from './job-events.js'
import type { SandboxFailure } from './sandbox-failure.js'

const STATUS_OF: Record<Extract<JobEvent, { type: 'error' }>['status'], Status> = {
  'bad-request': Status.BAD_REQUEST,
  'not-found': Status.NOT_FOUND,
  forbidden: Status.FORBIDDEN,
  busy: Status.BUSY,
  failed: Status.OK,
  internal: Status.INTERNAL
}

/** The JSON text of results made by resultEvent: framed as they are, never stringified again. */
const resultText = new WeakMap<object, string>()

/**
 * A result event carrying the guest's JSON text as the worker handed it on: the text goes on
 * the wire as it is; `value` is parsed only if something here reads it (a listener of jobs
 * served here, say), once.
 */
export function resultEvent (json: string): Extract<JobEvent, { type: 'result' }> {
  let parsed: { value: unknown } | undefined
  const event = { type: 'result' } as Extract<JobEvent, { type: 'result' }>
  Object.defineProperty(event, 'value', { enumerable: true, get: () => { parsed ??= { value: JSON.parse(json) }; return parsed.value } })
  resultText.set(event, json)
  return event
}

export function toPbJobEvent (event: JobEvent): PbJobEvent {
  const base: PbJobEvent = { type: PbJobEvent.Type.ACCEPTED, queuePosition: 0, json: '', text: '', status: Status.OK, failure: '' }
  switch (event.type) {
    case 'accepted': return { ...base, queuePosition: event.queuePosition }
    case 'started': return { ...base, type: PbJobEvent.Type.STARTED }
    case 'progress': return { ...base, type: PbJobEvent.Type.PROGRESS, json: JSON.stringify(event.value ?? null) }
    case 'log': return { ...base, type: PbJobEvent.Type.LOG, text: event.text }
    case 'result': return { ...base, type: PbJobEvent.Type.RESULT, json: resultText.get(event) ?? JSON.stringify(event.value ?? null) }
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
