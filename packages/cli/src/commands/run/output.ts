import type { Io } from '../../io.js'
import type { RunEvent } from '@grid-node/core'

/**
 * Live progress for people: one line per job as it moves (dispatched, queued, started,
 * progress, log), then its result or error; with --json, one object per result or error.
 * finish() gives the exit code: 1 if any job failed or none ran.
 */
export function runPrinter (io: Io, json: boolean): { event: (e: RunEvent) => void, finish: () => number } {
  let results = 0
  let failures = 0
  const queued = new Map<string, number>()
  const who = (e: RunEvent): string => `${e.peerId === '' ? '-' : `${e.peerId.slice(0, 8)}…${e.peerId.slice(-6)}`}${e.dataset != null ? ` ${e.dataset}` : ''}`
  return {
    event: (e) => {
      if (e.type === 'result') results++
      if (e.type === 'error') failures++
      if (json) {
        if (e.type === 'result' || e.type === 'error') io.out(JSON.stringify(e))
        return
      }
      switch (e.type) {
        case 'dispatched': queued.delete(e.jobId); io.out(`${who(e)}  ${e.attempt === 0 ? 'sent' : `sent again (attempt ${e.attempt + 1})`}`); break
        case 'accepted':
          // a holder repeats `accepted` while the job waits: say it again only when the place changes
          if (queued.get(e.jobId) !== e.queuePosition) io.out(`${who(e)}  queued (${e.queuePosition} ahead)`)
          queued.set(e.jobId, e.queuePosition)
          break
        case 'started': io.out(`${who(e)}  running`); break
        case 'progress': io.out(`${who(e)}  progress ${typeof e.value === 'number' && e.value <= 1 ? `${Math.round(e.value * 100)} %` : JSON.stringify(e.value)}`); break
        case 'log': io.out(`${who(e)}  log: ${e.text}`); break
        case 'result': io.out(`${who(e)}  result: ${JSON.stringify(e.value)}`); break
        case 'error': io.err(`${who(e)}  error (${e.status}${e.failure != null ? `, ${e.failure}` : ''}): ${e.message}`); break
      }
    },
    finish: () => {
      if (!json) io.out(`${results} result${results === 1 ? '' : 's'}, ${failures} failed`)
      return failures > 0 || results === 0 ? 1 : 0
    }
  }
}
