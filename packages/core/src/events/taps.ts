/**
 * The requester's side of the event stream: searches and the jobs this node sends out, passed
 * through unchanged while each step is put on the bus.
 */
import type { EventBus } from './event-bus.js'
import type { JobTracker } from './job-tracker.js'
import type { JobEvent } from '../compute/job-events.js'
import type { RunEvent } from '../compute/scheduler.js'
import type { SearchResult } from '../discovery/search.js'

export async function * tapRun (events: AsyncGenerator<RunEvent>, bus: EventBus, jobs: JobTracker): AsyncGenerator<RunEvent> {
  for await (const event of events) {
    const fields = jobs.fields(event.jobId, event.peerId, event, event.dataset)
    if (fields != null && event.verdict != null) Object.assign(fields, { replicas: event.verdict.replicas, disagreed: event.verdict.disagreed.map(d => d.peerId) })
    if (fields != null) bus.emit({ type: 'job:requested', ...fields })
    yield event
  }
}

export async function * tapJob (events: AsyncGenerator<JobEvent>, jobId: string, peerId: string, bus: EventBus, jobs: JobTracker): AsyncGenerator<JobEvent> {
  for await (const event of events) {
    const fields = jobs.fields(jobId, peerId, event)
    if (fields != null) bus.emit({ type: 'job:requested', ...fields })
    yield event
  }
}

/** One `search` event when the search ends: how many holders answered, how long it took, whether it failed (a caller that stops early is no failure). */
export async function * tapSearch (results: AsyncGenerator<SearchResult>, tags: string[], bus: EventBus): AsyncGenerator<SearchResult> {
  const started = performance.now()
  let holders = 0
  let ok = true
  try {
    for await (const result of results) {
      holders++
      yield result
    }
  } catch (err) {
    ok = false
    throw err
  } finally {
    bus.emit({ type: 'search', tags, holders, durationMs: Math.round(performance.now() - started), ok })
  }
}
