import type { HistoryEntry } from './job-history.js'

/** Jobs kept on the page and across reloads; older ones are dropped. */
export const MAX_HISTORY = 25
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
    localStorage.setItem(KEY, JSON.stringify(entries.slice(0, MAX_HISTORY)))
  } catch {}
}
