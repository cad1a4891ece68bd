import type { HistoryEntry } from './job-history.js'

/** Jobs kept on the page and across reloads; older ones are dropped. */
export const MAX_HISTORY = 25
/** What is saved of each job, so the whole history stays well inside localStorage's 5 MB: peers per job, characters per result. */
const SAVED_RUNS = 100
const SAVED_RESULT_CHARS = 1_024
const KEY = 'grid-node:browser-worker:jobs'

/** The jobs saved by an earlier visit, newest first; any still running then was cut short by the reload. */
export function loadHistory (): HistoryEntry[] {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown
    if (!Array.isArray(saved)) return []
    return (saved as HistoryEntry[]).filter(e => typeof e?.seq === 'number' && Array.isArray(e.runs)).slice(0, MAX_HISTORY).map(e => e.state === 'running' ? { ...e, state: 'interrupted' } : e)
  } catch {
    return []
  }
}

/** Saves the newest MAX_HISTORY jobs; storage that is full or refused only costs the history. */
export function saveHistory (entries: HistoryEntry[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(entries.slice(0, MAX_HISTORY).map(trimmed)))
  } catch {}
}

function trimmed (entry: HistoryEntry): HistoryEntry {
  return {
    ...entry,
    runs: entry.runs.slice(0, SAVED_RUNS).map(r => r.result == null || r.result.text.length <= SAVED_RESULT_CHARS ? r : { ...r, result: { text: r.result.text.slice(0, SAVED_RESULT_CHARS), chars: r.result.chars } }),
    ...(entry.runs.length > SAVED_RUNS ? { error: `${entry.error != null ? `${entry.error}; ` : ''}${entry.runs.length - SAVED_RUNS} more peers not kept` } : {})
  }
}
