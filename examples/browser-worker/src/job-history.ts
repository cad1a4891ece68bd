import type { RunEvent } from '@grid-node/core'

/** Characters of a result kept and shown; the rest is counted, not kept. */
export const MAX_RESULT_CHARS = 4_096
/** Characters of a job's last log line shown. */
const LOG_CHARS = 200

/** One peer's part of a job: one job on one holder, or one replica. */
export interface PeerRun {
  key: string
  jobId: string
  peerId: string
  dataset?: string
  replica?: number
  /** Times it was sent; more than one when a peer went away and another took the job. */
  attempts: number
  /** Peers tried before this one for the same job. */
  movedFrom: string[]
  /** ms since the entry was submitted */
  sentMs: number
  acceptedMs?: number
  startedMs?: number
  endedMs?: number
  queuePosition?: number
  via?: string
  /** The last numeric progress, 0…1 */
  progress?: number
  /** The job's last log line there (cut at LOG_CHARS) */
  lastLog?: string
  /** The result's JSON text (cut at MAX_RESULT_CHARS), or the error */
  result?: { text: string, chars: number }
  error?: string
  /** With replicas: what the vote said of this peer's result */
  vote?: 'agreed' | 'disagreed' | 'failed'
}

/** A job submitted from this tab, however many peers it ran on. */
export interface HistoryEntry {
  /** Increases with every job this tab submitted, across reloads. */
  seq: number
  /** ms since the epoch */
  submittedAt: number
  target: string
  code: string
  state: 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted'
  /** An error about the whole job (nothing to run on, bad input the library refused). */
  error?: string
  verdict?: string
  runs: PeerRun[]
  endedMs?: number
}

/** Applies one event of the job's run; `nowMs` is ms since the entry was submitted. */
export function applyEvent (entry: HistoryEntry, event: RunEvent, nowMs: number): void {
  if (event.jobId === '') {
    entry.error = event.type === 'error' ? event.message : 'no peer to run on'
    return
  }
  if (event.verdict != null) { applyVerdict(entry, event, nowMs); return }
  const key = `${event.jobId}:${event.replica ?? 0}`
  let run = entry.runs.find(r => r.key === key)
  if (event.type === 'dispatched') {
    if (run == null) {
      run = { key, jobId: event.jobId, peerId: event.peerId, attempts: 0, movedFrom: [], sentMs: nowMs }
      entry.runs.push(run)
    } else if (run.peerId !== event.peerId) {
      run.movedFrom.push(run.peerId)
    }
    Object.assign(run, { peerId: event.peerId, attempts: run.attempts + 1, sentMs: nowMs, acceptedMs: undefined, startedMs: undefined, progress: undefined })
    if (event.dataset != null) run.dataset = event.dataset
    if (event.replica != null) run.replica = event.replica
    return
  }
  if (run == null) return
  switch (event.type) {
    case 'accepted':
      run.acceptedMs = nowMs
      run.queuePosition = event.queuePosition
      if (event.via != null) run.via = event.via
      break
    case 'started':
      run.startedMs = nowMs
      break
    case 'progress':
      run.startedMs ??= nowMs
      if (typeof event.value === 'number' && Number.isFinite(event.value)) run.progress = Math.min(1, Math.max(0, event.value))
      break
    case 'log':
      run.lastLog = event.text.length > LOG_CHARS ? `${event.text.slice(0, LOG_CHARS)}…` : event.text
      break
    case 'result':
      run.endedMs = nowMs
      run.progress = 1
      run.result = resultText(event.value)
      break
    case 'error':
      run.endedMs = nowMs
      run.error = `${event.status}${event.failure != null ? `, ${event.failure}` : ''}: ${event.message}`
      break
  }
}

/** A replicated job's one outcome: each replica is marked as the vote saw it. */
function applyVerdict (entry: HistoryEntry, event: RunEvent, nowMs: number): void {
  const verdict = event.verdict!
  const agreed = new Set(verdict.agreed)
  const disagreed = new Map(verdict.disagreed.map(d => [d.peerId, d.hash]))
  const failed = new Map(verdict.failed.map(f => [f.peerId, f.message]))
  for (const run of entry.runs.filter(r => r.jobId === event.jobId)) {
    run.endedMs ??= nowMs
    if (agreed.has(run.peerId)) {
      run.vote = 'agreed'
      run.progress = 1
      if (event.type === 'result') run.result = resultText(event.value)
    } else if (disagreed.has(run.peerId)) {
      run.vote = 'disagreed'
      run.error = `its result (sha256 ${disagreed.get(run.peerId)!.slice(0, 8)}…) differed from the majority's`
    } else if (failed.has(run.peerId)) {
      run.vote = 'failed'
      run.error = failed.get(run.peerId)
    }
  }
  entry.verdict = `${verdict.replicas} replicas: ${verdict.agreed.length} agreed${verdict.disagreed.length > 0 ? `, ${verdict.disagreed.length} disagreed` : ''}${verdict.failed.length > 0 ? `, ${verdict.failed.length} failed` : ''}`
  if (event.type === 'error') entry.error = event.message
}

export function resultText (value: unknown): { text: string, chars: number } {
  const text = JSON.stringify(value) ?? 'undefined'
  return { text: text.length > MAX_RESULT_CHARS ? text.slice(0, MAX_RESULT_CHARS) : text, chars: text.length }
}

/** The entry's state once its run has ended. */
export function finish (entry: HistoryEntry, nowMs: number, cancelled: boolean): void {
  entry.endedMs = nowMs
  for (const run of entry.runs) {
    if (run.endedMs == null && cancelled) { run.endedMs = nowMs; run.error = 'cancelled' }
  }
  const failed = entry.error != null || entry.runs.length === 0 || entry.runs.some(r => r.error != null && r.vote !== 'disagreed')
  entry.state = cancelled ? 'cancelled' : failed ? 'failed' : 'done'
}
