/**
 * A node's events for people, one line each, as `grid-node events` and `grid-node start` print
 * them: `14:02:07  peer down 12D3KooW…: after 3 missed pings in a row`. A job is said when it
 * is first seen and when it ends (with its time); the steps between (queued again, running,
 * progress every 100 ms) stay in --json.
 */
import { seconds } from './commands/run/output.js'
import { reachabilityText } from './reachability-text.js'
import type { GridEvent, JobEventFields } from '@grid-node/core'

/** Jobs whose first line was printed, so that a holder's repeated `accepted` is said once; the oldest are forgotten beyond this. */
const REMEMBERED_JOBS = 4_096

/** Returns a formatter: the line for an event, or undefined when it is not worth a line. */
export function eventPrinter (): (event: GridEvent) => string | undefined {
  const seen = new Set<string>()
  const firstSight = (key: string): boolean => {
    if (seen.has(key)) return false
    seen.add(key)
    if (seen.size > REMEMBERED_JOBS) seen.delete(seen.values().next().value as string)
    return true
  }
  return (event) => {
    const text = describe(event, firstSight)
    return text == null ? undefined : `${clock(event.at)}  ${text}`
  }
}

function describe (e: GridEvent, firstSight: (key: string) => boolean): string | undefined {
  switch (e.type) {
    case 'ready': return 'ready: joined the grid'
    case 'not-ready': return `not ready: ${e.reason}`
    case 'peer:up': return `peer up ${e.peerId}`
    case 'peer:down': return `peer down ${e.peerId}: ${e.reason}`
    case 'dataset:added': return `dataset added ${e.name} (${e.tags.join(' ')}; ${e.rows} row${e.rows === 1 ? '' : 's'}${e.private ? '; private' : ''})`
    case 'dataset:removed': return `dataset removed ${e.name} (${e.tags.join(' ')})`
    case 'dataset:changed': return `dataset ${e.name} is ${e.status}`
    case 'job:served': return job('job for', e, firstSight)
    case 'job:requested': return job('job sent to', e, firstSight)
    case 'search': return `search ${e.tags.join(' ')}: ${e.ok ? '' : 'failed after '}${e.holders} holder${e.holders === 1 ? '' : 's'} in ${e.durationMs} ms`
    case 'reachability': return `reachable ${reachabilityText({ ...e, dhtServer: true })}`
    case 'pubsub:message': return `message on ${e.topic} from ${shortPeer(e.from)}: ${e.text != null ? JSON.stringify(e.text) : `${e.bytes} bytes`}`
    default: return undefined
  }
}

/** `job for 12D3KooW…F4CHCz cars  accepted (2 ahead)`, then `… result (0.4 s)` or `… error (failed, 1.2 s): why`. */
function job (what: string, e: JobEventFields & { seq: number }, firstSight: (key: string) => boolean): string | undefined {
  const who = `${what} ${shortPeer(e.peerId)}${e.dataset != null ? ` ${e.dataset}` : ''}`
  const key = `${what} ${e.jobId}`
  const took = e.durationMs != null ? seconds(e.durationMs) : undefined
  switch (e.phase) {
    case 'result': firstSight(key); return `${who}  result (${took ?? '?'})${replicaText(e)}`
    case 'error': firstSight(key); return `${who}  error (${[e.status, took].filter(Boolean).join(', ')}): ${e.message ?? ''}`
    default: {
      if (!firstSight(key)) return undefined
      // first seen running (events followed from the middle of a job): said once as running
      const step = e.phase === 'dispatched' ? 'sent' : e.phase === 'accepted' ? `accepted${e.queuePosition != null ? ` (${e.queuePosition} ahead)` : ''}` : 'running'
      return `${who}  ${step}${e.via === 'relay' ? ', through a relay' : ''}`
    }
  }
}

/** `, 3 replicas; 12D3KooW…a1b2c3 disagreed`: a replicated job's vote, as the result's line ends. */
function replicaText (e: JobEventFields): string {
  if (e.replicas == null) return ''
  const disagreed = e.disagreed ?? []
  return `, ${e.replicas} replicas${disagreed.length > 0 ? `; ${disagreed.map(shortPeer).join(', ')} disagreed` : ', all agreed'}`
}

/** `12D3KooW…F4CHCz`, as `run` shows peers. */
function shortPeer (peerId: string): string {
  return peerId.length > 16 ? `${peerId.slice(0, 8)}…${peerId.slice(-6)}` : peerId
}

/** Local wall-clock time, `14:02:07`. */
function clock (at: number): string {
  const d = new Date(at)
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map(n => String(n).padStart(2, '0')).join(':')
}
