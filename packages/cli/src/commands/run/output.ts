import { duration } from '../../format.js'
import { inJobFile } from './job-file.js'
import type { Io } from '../../io.js'
import type { ReplicaVerdict, RunEvent } from '@grid-node/core'

export interface RunPrinterInit {
  /** The job file as the person named it: the holder's `job.js:3:14` is shown as `<file>:3:14`. */
  file?: string
  /** @default Date.now */
  now?: () => number
}

/**
 * Live progress for people: one line per job as it moves (sent, queued, running, progress,
 * log), then its result or error with the time since it was sent; finish() prints
 * `N results, N failed in T`. With --json, one object per result or error (with `elapsedMs`)
 * and nothing else. finish() gives the exit code: 1 if any job failed or none ran.
 */
export function runPrinter (io: Io, json: boolean, init: RunPrinterInit = {}): { event: (e: RunEvent) => void, finish: () => number } {
  const now = init.now ?? Date.now
  const began = now()
  let results = 0
  let failures = 0
  const queued = new Map<string, number>()
  const sent = new Map<string, number>()
  /** Whether each job's stream ran on a direct connection or through a relay, as its holder accepted it. */
  const paths = new Map<string, string>()
  // an error that no peer sent (nobody holds the tag) has no peer to name: the line starts with what happened
  const who = (e: RunEvent): string => e.peerId === '' ? '' : `${e.peerId.slice(0, 8)}…${e.peerId.slice(-6)}${e.dataset != null ? ` ${e.dataset}` : ''}  `
  const elapsed = (e: RunEvent): number | undefined => { const at = sent.get(e.jobId); return at == null ? undefined : now() - at }
  const message = (text: string): string => init.file != null ? inJobFile(init.file, text) : text
  return {
    event: (e) => {
      if (e.type === 'dispatched' && e.jobId !== '' && !sent.has(e.jobId)) sent.set(e.jobId, now())
      if (e.type === 'accepted' && e.via != null) paths.set(e.jobId, e.via)
      if (e.type === 'result') results++
      if (e.type === 'error') failures++
      if (json) {
        const ms = elapsed(e)
        const via = paths.get(e.jobId)
        if (e.type === 'result' || e.type === 'error') io.out(JSON.stringify({ ...e, ...(ms != null ? { elapsedMs: ms } : {}), ...(via != null ? { via } : {}) }))
        return
      }
      const took = elapsed(e)
      switch (e.type) {
        case 'dispatched': queued.delete(`${e.jobId} ${e.peerId}`); io.out(`${who(e)}${e.attempt === 0 ? 'sent' : `sent again (attempt ${e.attempt + 1})`}`); break
        case 'accepted':
          // a holder repeats `accepted` while the job waits: say it again only when the place changes
          // per job and peer: the replicas of one job wait in different queues
          if (queued.get(`${e.jobId} ${e.peerId}`) !== e.queuePosition) io.out(`${who(e)}queued (${e.queuePosition} ahead)`)
          queued.set(`${e.jobId} ${e.peerId}`, e.queuePosition)
          break
        case 'started': io.out(`${who(e)}running`); break
        case 'progress': io.out(`${who(e)}progress ${typeof e.value === 'number' && e.value <= 1 ? `${Math.round(e.value * 100)} %` : JSON.stringify(e.value)}`); break
        case 'log': io.out(`${who(e)}log: ${e.text}`); break
        case 'result':
          io.out(`${who(e)}result${took != null ? ` (${[seconds(took), paths.get(e.jobId) === 'relay' ? 'through a relay' : ''].filter(Boolean).join(', ')})` : ''}: ${JSON.stringify(e.value)}`)
          if (e.verdict != null) io.out(verdictText(e.verdict))
          break
        case 'error': {
          const detail = [e.status, e.failure].filter(Boolean).join(', ')
          io.err(`${who(e)}error (${detail}${took != null ? `; ${seconds(took)}` : ''}): ${e.failure === 'threw' || e.failure === 'syntax' ? message(e.message) : e.message}`)
          if (e.verdict != null) io.err(verdictText(e.verdict))
          break
        }
      }
    },
    finish: () => {
      if (!json) io.out(`${results} result${results === 1 ? '' : 's'}, ${failures} failed in ${seconds(now() - began)}`)
      return failures > 0 || results === 0 ? 1 : 0
    }
  }
}

/**
 * How the replicas voted, for people: `  3 replicas: 2 agreed (12D3KooW…F4CHCz, …); disagreed:
 * 12D3KooW…a1b2c3 (result sha256 9f86d081…), avoided from now on`. Peers in full where it
 * matters (who lied), so they can be copied.
 */
export function verdictText (v: ReplicaVerdict): string {
  const parts = [`  ${v.replicas} replicas: ${v.agreed.length} agreed${v.agreed.length > 0 ? ` (${v.agreed.map(short).join(', ')})` : ''}`]
  if (v.disagreed.length > 0) parts.push(`disagreed: ${v.disagreed.map(d => `${d.peerId} (result sha256 ${d.hash.slice(0, 8)}…)`).join(', ')}${v.hash != null ? ', avoided from now on' : ''}`)
  if (v.failed.length > 0) parts.push(`failed: ${v.failed.map(f => `${short(f.peerId)} (${f.message})`).join(', ')}`)
  return parts.join('; ')
}

function short (peerId: string): string {
  return `${peerId.slice(0, 8)}…${peerId.slice(-6)}`
}

/** `0.4 s`, `12 s`, `2m 5s`: tenths while they matter. */
export function seconds (ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`
  return duration(ms)
}
