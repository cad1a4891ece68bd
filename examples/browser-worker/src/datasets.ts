import { formatOf } from '@grid-node/core'
import { el, element } from './dom.js'
import { forgetHolder, noteHolder } from './known-datasets.js'
import { logNote } from './log.js'
import type { DatasetDescriptor, GridNode } from '@grid-node/core'

/** The file picked and not added yet (it had no tags then). */
let chosen: File | undefined

/**
 * This tab's own datasets: pick a CSV or JSON file and give it tags, in either order (with the
 * tags already there, picking the file adds it); each is listed with a button that removes it.
 * The picker is emptied after each pick, so the same file can be picked again.
 */
export function bindDatasets (node: () => GridNode | undefined): void {
  const input = element<HTMLInputElement>('dataset-file')
  input.addEventListener('change', () => {
    const file = input.files?.[0]
    // without this, picking the same file again fires no change event
    input.value = ''
    if (file == null) return
    chosen = file
    const current = node()
    if (current == null) { say(`${file.name} chosen: it is added once this tab has started its node`); return }
    if (tagsOf().length === 0) {
      say(`${file.name} chosen: give it at least one tag, e.g. #mydata, then press Add dataset`)
      element('dataset-tags').focus()
      return
    }
    void add(current)
  })
  element<HTMLFormElement>('dataset-form').addEventListener('submit', event => {
    event.preventDefault()
    const current = node()
    if (current == null) { say('this tab has not started its node yet: connect first', true); return }
    if (chosen == null) { say('choose a CSV or JSON file first', true); return }
    void add(current)
  })
}

function tagsOf (): string[] {
  return element<HTMLInputElement>('dataset-tags').value.split(/[\s,]+/).filter(t => t !== '')
}

function say (text: string, error = false): void {
  const status = element('dataset-status')
  status.textContent = text
  status.className = error ? 'error' : 'muted'
}

async function add (node: GridNode): Promise<void> {
  const file = chosen
  if (file == null) return
  const tags = tagsOf()
  const name = element<HTMLInputElement>('dataset-name').value.trim() || file.name.replace(/\.[^.]+$/, '')
  try {
    const format = formatOf(file.name)
    if (format == null) throw new Error('name the file .csv, .json or .jsonl')
    if (tags.length === 0) throw new Error('give the dataset at least one tag first, e.g. #mydata')
    if ((await node.datasets.list()).some(d => d.name === name)) throw new Error(`this tab already has a dataset named ${name}: remove it first, or give this one another name`)
    const { rowsOf } = await import('./parse-file.js')
    const rows = await rowsOf(file, format)
    const added = await node.datasets.add({ name, tags, rows })
    chosen = undefined
    element<HTMLInputElement>('dataset-name').value = ''
    say(`${added.name}: ${added.rows} rows, announced as ${added.tags.join(' ')}; its rows stay in this tab`)
    logNote(`dataset ${added.name} added (${added.rows} rows, ${added.tags.join(' ')})`)
  } catch (err: any) {
    say(`cannot add ${file.name}: ${String(err.message ?? err)}`, true)
  }
  await renderDatasets(node)
}

async function remove (node: GridNode, name: string): Promise<void> {
  try {
    const removed = await node.datasets.remove(name)
    forgetHolder(node.peerId.toString(), removed.hash)
    say(`${name} removed: no longer announced, and jobs on it are refused`)
    logNote(`dataset ${name} removed`)
  } catch (err: any) {
    say(`cannot remove ${name}: ${String(err.message ?? err)}`, true)
  }
  await renderDatasets(node)
}

/** Lists the tab's datasets, each with its remove button; they count as held by this tab for "run on a dataset". */
export async function renderDatasets (node: GridNode): Promise<void> {
  const datasets = await node.datasets.list()
  const list = element<HTMLUListElement>('datasets')
  list.replaceChildren(...datasets.map(d => datasetItem(node, d)))
  if (datasets.length === 0) list.replaceChildren(el('li', 'muted', 'none yet'))
  noteHolder({ peerId: node.peerId, addrs: [], rttMs: 0, datasets, capabilities: [] })
}

function datasetItem (node: GridNode, d: DatasetDescriptor): HTMLLIElement {
  const li = el('li')
  li.dataset.name = d.name
  li.append(el('strong', '', d.name), ` ${d.rows} rows · ${d.tags.join(' ')} · `, el('code', '', d.hash.slice(0, 12)))
  li.title = `content sha256 ${d.hash}`
  const button = el('button', 'remove', 'Remove')
  button.type = 'button'
  button.setAttribute('aria-label', `Remove ${d.name}`)
  button.addEventListener('click', () => { button.disabled = true; void remove(node, d.name) })
  li.append(' ', button)
  return li
}
