import { element, item, shortId } from './dom.js'
import type { RunEvent, ServedJobEvent } from '@grid-node/core'

const MAX_ENTRIES = 200
const log = element<HTMLOListElement>('log')
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' })
/** Lines join the page at most this often, together. */
const FLUSH_MS = 200
/** Entries not on the page yet, oldest first. */
let pending: HTMLLIElement[] = []

/**
 * Adds a line within FLUSH_MS, with every other line of that time: a tab serving a hundred jobs
 * a second lays its page out five times a second, not twice per job (a layout of this page took
 * ~2 ms, a third of what serving a no-op job cost the tab).
 */
function add (text: string, kind: string): void {
  const entry = item(`${clock.format(new Date())} ${text}`)
  entry.dataset.kind = kind
  pending.push(entry)
  if (pending.length > MAX_ENTRIES) pending.shift()
  if (pending.length === 1) setTimeout(flush, FLUSH_MS)
}

function flush (): void {
  const entries = pending.reverse()
  pending = []
  log.prepend(...entries)
  while (log.children.length > MAX_ENTRIES) log.lastElementChild?.remove()
}

function brief (value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined'
  return text.length > 80 ? `${text.slice(0, 77)}…` : text
}

/** A job another peer runs in this tab. */
export function logServed ({ jobId, from, event }: ServedJobEvent): void {
  const who = `job ${jobId.slice(0, 8)} from ${shortId(from)}`
  if (event.type === 'result') add(`${who}: result ${brief(event.value)}`, 'served-result')
  else if (event.type === 'error') add(`${who}: ${event.status} - ${event.message}`, 'served-error')
  else if (event.type === 'started') add(`${who}: started`, 'served-started')
}

/** A job this tab submitted, wherever it runs. */
export function logSubmitted (event: RunEvent, self: string): void {
  const where = event.peerId === self ? 'this tab (no peer reachable)' : shortId(event.peerId)
  const who = `my job ${event.jobId.slice(0, 8)}`
  if (event.type === 'dispatched') add(`${who}: sent to ${where}${event.attempt > 0 ? ` (attempt ${event.attempt + 1})` : ''}`, 'submitted-dispatched')
  else if (event.type === 'result') add(`${who}: result ${brief(event.value)} from ${where}`, 'submitted-result')
  else if (event.type === 'error') add(`${who}: ${event.status} - ${event.message}`, 'submitted-error')
}

export function logNote (text: string): void {
  add(text, 'note')
}
