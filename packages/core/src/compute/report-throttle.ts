import * as c from '../constants.js'
import { jsonDepthExceeds } from '../json-depth.js'

export interface Reports {
  progress(value: unknown): void
  log(text: string): void
  /** Log lines dropped before they got here (by the sandbox's own throttle), to count with these. */
  dropped(logLines: number): void
  /** Sends the last progress held back and says how many reports were dropped. */
  finish(): void
}

/**
 * Bounds what a job reports while it runs, where it runs: log lines through a token bucket
 * (a burst, then a steady rate), each line cut to a maximum length; progress coalesced to the
 * latest value at most every PROGRESS_INTERVAL. A job calling log() a million times costs the
 * holder, the wire and the requester a few hundred messages and one line saying how many were
 * dropped.
 */
export function throttleReports (send: { progress: (value: unknown) => void, log: (text: string) => void }, now: () => number = Date.now): Reports {
  let tokens = c.JOB_LOG_BURST
  let refilled = now()
  let droppedLogs = 0
  let droppedProgress = 0
  let lastProgress = -Infinity
  let held: { value: unknown } | undefined

  return {
    progress (value) {
      if (!fits(value)) { droppedProgress++; return }
      const t = now()
      if (t - lastProgress >= c.JOB_PROGRESS_INTERVAL) {
        lastProgress = t
        held = undefined
        send.progress(value)
      } else {
        held = { value }
      }
    },
    log (text) {
      const t = now()
      tokens = Math.min(c.JOB_LOG_BURST, tokens + (t - refilled) * c.JOB_LOG_RATE / 1000)
      refilled = t
      if (tokens < 1) { droppedLogs++; return }
      tokens--
      send.log(text.length > c.JOB_LOG_LINE_CHARS ? `${text.slice(0, c.JOB_LOG_LINE_CHARS)}… (${text.length - c.JOB_LOG_LINE_CHARS} more characters cut)` : text)
    },
    dropped (logLines) {
      droppedLogs += logLines
    },
    finish () {
      if (held != null) send.progress(held.value)
      held = undefined
      if (droppedLogs > 0) send.log(`(${droppedLogs} log lines dropped: a job may log ${c.JOB_LOG_BURST} lines at once, then ${c.JOB_LOG_RATE} per second)`)
      if (droppedProgress > 0) send.log(`(${droppedProgress} progress values dropped: over ${c.JOB_PROGRESS_BYTES} bytes of JSON or ${c.MAX_RESULT_DEPTH} levels deep)`)
    }
  }
}

function fits (value: unknown): boolean {
  let json: string | undefined
  try {
    json = JSON.stringify(value ?? null)
  } catch {
    return false
  }
  return json.length <= c.JOB_PROGRESS_BYTES && !jsonDepthExceeds(json, c.MAX_RESULT_DEPTH)
}
