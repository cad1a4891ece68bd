import { el, shortId } from './dom.js'
import type { HistoryEntry, PeerRun } from './job-history.js'

/** A result longer than this is folded: its start shows, the rest opens on a click. */
const FOLD_CHARS = 120
/** Characters of a job's code shown in the history. */
const CODE_CHARS = 2_000
/** Peers shown per job; the rest are counted. */
const ROWS_SHOWN = 100

/** One job of the history: its number, time, target and state, then one row per peer with progress, timings and result. */
export function renderEntry (entry: HistoryEntry, self: string, onCancel?: () => void): HTMLLIElement {
  const li = document.createElement('li')
  li.className = 'job'
  li.dataset.seq = String(entry.seq)
  li.dataset.state = entry.state
  li.setAttribute('aria-label', `job ${entry.seq}`)
  const head = el('div', 'job-head')
  head.append(el('strong', '', `#${entry.seq}`), time(entry.submittedAt), el('span', 'job-target', entry.target), el('span', `job-state ${entry.state}`, stateText(entry)))
  if (entry.state === 'running' && onCancel != null) {
    const cancel = el('button', 'cancel', 'Cancel')
    cancel.type = 'button'
    cancel.setAttribute('aria-label', `cancel job ${entry.seq}`)
    cancel.addEventListener('click', onCancel)
    head.append(cancel)
  }
  li.append(head)
  if (entry.error != null) li.append(el('p', 'error', entry.error))
  if (entry.verdict != null) li.append(el('p', 'verdict', entry.verdict))
  const code = el('details', 'code')
  code.append(el('summary', '', 'code'), el('pre', '', entry.code.length > CODE_CHARS ? `${entry.code.slice(0, CODE_CHARS)}…` : entry.code))
  li.append(code)
  if (entry.runs.length > 0) li.append(runsTable(entry.runs, self))
  return li
}

function stateText (entry: HistoryEntry): string {
  const results = entry.runs.filter(r => r.result != null && r.vote !== 'disagreed').length
  const failed = entry.runs.filter(r => r.error != null).length
  const counts = `${results} result${results === 1 ? '' : 's'}, ${failed} failed`
  const took = entry.endedMs != null ? ` in ${Math.round(entry.endedMs)} ms` : ''
  switch (entry.state) {
    case 'running': return `running · ${counts}`
    case 'interrupted': return `interrupted by a reload · ${counts}`
    default: return `${entry.state} · ${counts}${took}`
  }
}

function runsTable (runs: PeerRun[], self: string): HTMLTableElement {
  const table = el('table', 'runs')
  const head = el('tr')
  for (const title of ['Peer', 'Dataset', 'Progress', 'Timings (ms since submitted)', 'Result']) head.append(el('th', '', title))
  const thead = el('thead')
  thead.append(head)
  const body = el('tbody')
  for (const run of runs.slice(0, ROWS_SHOWN)) body.append(runRow(run, self))
  if (runs.length > ROWS_SHOWN) {
    const more = el('tr')
    const cell = el('td', 'muted', `… and ${runs.length - ROWS_SHOWN} more peers`)
    cell.colSpan = 5
    more.append(cell)
    body.append(more)
  }
  table.append(thead, body)
  return table
}

function runRow (run: PeerRun, self: string): HTMLTableRowElement {
  const tr = el('tr')
  tr.dataset.peerId = run.peerId
  tr.dataset.state = run.error != null ? 'error' : run.result != null ? 'result' : 'running'
  const who = run.peerId === self ? 'this tab' : shortId(run.peerId)
  const peer = el('td', '', who + (run.replica != null ? ` (replica ${run.replica + 1})` : ''))
  peer.title = run.peerId
  if (run.movedFrom.length > 0) peer.append(el('div', 'muted', `attempt ${run.attempts}, after ${run.movedFrom.map(shortId).join(', ')} went away`))
  const bar = document.createElement('progress')
  bar.max = 1
  // no figure from the job yet: indeterminate while it runs, empty while it waits
  if (run.progress != null) bar.value = run.progress
  else if (run.startedMs == null || run.endedMs != null) bar.value = 0
  bar.setAttribute('aria-label', `progress on ${who}`)
  const progress = el('td')
  progress.append(bar, el('span', 'muted', run.progress != null ? ` ${Math.round(run.progress * 100)} %` : ''))
  if (run.lastLog != null) progress.append(el('div', 'log-line', run.lastLog))
  tr.append(peer, el('td', '', run.dataset ?? '-'), progress, el('td', 'timings', timings(run)), outcome(run))
  return tr
}

function timings (run: PeerRun): string {
  const parts = [`sent ${ms(run.sentMs)}`]
  if (run.acceptedMs != null) parts.push(`queued ${ms(run.acceptedMs)}${run.queuePosition != null && run.queuePosition > 0 ? ` (#${run.queuePosition})` : ''}`)
  if (run.startedMs != null) parts.push(`started ${ms(run.startedMs)}`)
  if (run.endedMs != null) parts.push(`finished ${ms(run.endedMs)}`)
  const ran = run.endedMs != null && run.startedMs != null ? ` · ran ${Math.round(run.endedMs - run.startedMs)} ms` : ''
  return parts.join(' · ') + ran + (run.via != null ? ` · ${run.via}` : '')
}

function outcome (run: PeerRun): HTMLTableCellElement {
  const td = el('td', 'outcome')
  if (run.error != null) {
    td.className = 'outcome error'
    td.textContent = run.error
    return td
  }
  if (run.result == null) { td.textContent = run.endedMs != null ? '-' : run.startedMs != null ? 'running' : 'waiting'; return td }
  const { text, chars } = run.result
  const more = chars > text.length ? `… (${chars - text.length} more characters not kept)` : ''
  if (chars <= FOLD_CHARS) {
    td.append(el('code', '', text))
  } else {
    const fold = el('details')
    fold.append(el('summary', '', `${text.slice(0, FOLD_CHARS)}… (${chars} characters)`), el('pre', '', text + more))
    td.append(fold)
  }
  if (run.vote === 'agreed') td.append(el('span', 'muted', ' agreed'))
  return td
}

function ms (value: number): string {
  return `+${Math.round(value)}`
}

function time (at: number): HTMLTimeElement {
  const t = el('time', '', new Date(at).toLocaleTimeString())
  t.dateTime = new Date(at).toISOString()
  return t
}
