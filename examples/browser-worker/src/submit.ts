import { element } from './dom.js'
import { applyEvent, finish } from './job-history.js'
import { MAX_HISTORY, loadHistory, saveHistory } from './job-history-store.js'
import { renderEntry } from './job-history-view.js'
import { jobRequest } from './job-request.js'
import { logNote, logSubmitted } from './log.js'
import type { HistoryEntry } from './job-history.js'
import type { JobForm, TargetKind } from './job-request.js'
import type { GridNode, RunInit } from '@grid-node/core'

/** How often at most a running job's entry is redrawn, in ms (progress comes up to 10 times a second per peer). */
const REDRAW_MS = 100

const history: HistoryEntry[] = loadHistory()
const running = new Map<number, AbortController>()
const redraws = new Map<number, ReturnType<typeof setTimeout>>()
let self = ''

/**
 * The run form and the job history: a job goes to any `#compute:js` worker (this tab's own
 * pool when no peer is reachable), to the holders of tags, to named peers, or to a holder of a
 * dataset found by a search; each shows in the history, newest first, with every peer's progress.
 */
export function bindSubmit (node: () => GridNode | undefined): void {
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="target"]')) radio.addEventListener('change', showTargetFields)
  showTargetFields()
  showHistory(node()?.peerId.toString() ?? '')
  element<HTMLFormElement>('submit').addEventListener('submit', event => {
    event.preventDefault()
    const error = element('submit-error')
    error.textContent = ''
    const current = node()
    if (current == null) { error.textContent = 'this tab has not started its node yet: connect first'; return }
    const request = jobRequest(readForm())
    if (request instanceof Error) {
      error.textContent = request.message
      logNote(request.message)
      return
    }
    self = current.peerId.toString()
    void submit(current, request.init, request.target)
  })
}

function readForm (): JobForm {
  const value = (id: string): string => element<HTMLInputElement>(id).value
  return {
    target: (document.querySelector<HTMLInputElement>('input[name="target"]:checked')?.value ?? 'any') as TargetKind,
    tags: value('run-tags'),
    match: element<HTMLInputElement>('run-match-all').checked ? 'all' : 'any',
    peers: value('run-peers'),
    peerDataset: value('run-peer-dataset'),
    dataset: value('run-dataset'),
    code: element<HTMLTextAreaElement>('code').value,
    args: value('args'),
    replicas: value('replicas'),
    timeoutSeconds: value('timeout')
  }
}

/** Shows only the fields of the chosen target. */
function showTargetFields (): void {
  const target = document.querySelector<HTMLInputElement>('input[name="target"]:checked')?.value ?? 'any'
  for (const fields of document.querySelectorAll<HTMLElement>('[data-target-fields]')) fields.hidden = fields.dataset.targetFields !== target
}

async function submit (node: GridNode, init: RunInit, target: string): Promise<void> {
  const submittedAt = Date.now()
  const started = performance.now()
  const entry: HistoryEntry = { seq: (history[0]?.seq ?? 0) + 1, submittedAt, target, code: init.code, state: 'running', runs: [] }
  const controller = new AbortController()
  running.set(entry.seq, controller)
  history.unshift(entry)
  const dropped = history.splice(MAX_HISTORY)
  for (const old of dropped) element('history').querySelector(`[data-seq="${old.seq}"]`)?.remove()
  element('history').prepend(renderEntry(entry, self, () => { controller.abort() }))
  saveHistory(history)
  try {
    for await (const event of node.run({ ...init, signal: controller.signal })) {
      applyEvent(entry, event, performance.now() - started)
      logSubmitted(event, self)
      redraw(entry)
    }
  } catch (err: any) {
    if (!controller.signal.aborted) {
      entry.error = `the job could not be sent: ${String(err.message ?? err)}`
      logNote(entry.error)
    }
  } finally {
    running.delete(entry.seq)
    finish(entry, performance.now() - started, controller.signal.aborted)
    clearTimeout(redraws.get(entry.seq))
    redraws.delete(entry.seq)
    draw(entry)
    saveHistory(history)
  }
}

/** Draws the whole history; jobs that ran on `self` say "this tab". */
export function showHistory (selfId: string): void {
  self = selfId
  element('history').replaceChildren(...history.map(e => renderEntry(e, self, running.has(e.seq) ? () => { running.get(e.seq)?.abort() } : undefined)))
}

/** Redraws an entry soon, once for however many events came in the meantime. */
function redraw (entry: HistoryEntry): void {
  if (redraws.has(entry.seq)) return
  redraws.set(entry.seq, setTimeout(() => { redraws.delete(entry.seq); draw(entry) }, REDRAW_MS))
}

function draw (entry: HistoryEntry): void {
  const shown = element('history').querySelector(`[data-seq="${entry.seq}"]`)
  if (shown == null) return
  const controller = running.get(entry.seq)
  const next = renderEntry(entry, self, controller != null ? () => { controller.abort() } : undefined)
  // a result or the code someone opened stays open
  const open = [...shown.querySelectorAll('details')].map(d => d.open)
  next.querySelectorAll('details').forEach((d, i) => { d.open = open[i] ?? false })
  shown.replaceWith(next)
}
