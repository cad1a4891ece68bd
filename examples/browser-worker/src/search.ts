import { el, element, item, shortId } from './dom.js'
import { knownDatasets, noteHolder, onKnownDatasets } from './known-datasets.js'
import type { GridNode, SearchResult } from '@grid-node/core'

/** Holders listed per search; the rest are counted. */
const HOLDERS_SHOWN = 100

/**
 * The tag search box: each live holder is listed the moment it has answered, each of its
 * datasets with its content hash and a button that makes it the target of the next job.
 */
export function bindSearch (node: () => GridNode | undefined): void {
  let running: AbortController | undefined
  element<HTMLFormElement>('search').addEventListener('submit', event => {
    event.preventDefault()
    const current = node()
    const tags = element<HTMLInputElement>('tags').value.split(/[\s,]+/).filter(t => t !== '')
    if (tags.length === 0) { element('search-status').textContent = 'give at least one tag to search for, e.g. #cars'; return }
    if (current == null) return
    running?.abort()
    const controller = running = new AbortController()
    void search(current, tags, controller.signal)
  })
  // the "dataset" target's suggestions: every content hash seen so far
  onKnownDatasets(() => {
    element('known-datasets').replaceChildren(...knownDatasets().map(d => {
      const option = el('option')
      option.value = d.hash
      option.label = `${[...new Set([...d.holders.values()].map(h => h.name))].join(' / ')} · ${d.rows} rows · ${d.holders.size} holder${d.holders.size === 1 ? '' : 's'}`
      return option
    }))
  })
}

async function search (node: GridNode, tags: string[], signal: AbortSignal): Promise<void> {
  const results = element<HTMLUListElement>('results')
  const status = element('search-status')
  results.replaceChildren()
  status.textContent = `searching ${tags.join(' ')}…`
  const started = performance.now()
  let found = 0
  try {
    for await (const holder of node.search(tags, { signal, cache: false })) {
      found++
      noteHolder(holder)
      if (found <= HOLDERS_SHOWN) results.append(holderItem(holder))
    }
    if (!signal.aborted) status.textContent = `${found} holder${found === 1 ? '' : 's'} of ${tags.join(' ')} in ${Math.round(performance.now() - started)} ms${found > HOLDERS_SHOWN ? ` (the first ${HOLDERS_SHOWN} listed)` : ''}`
  } catch (err: any) {
    if (!signal.aborted) status.textContent = `search failed: ${String(err.message ?? err)}`
  }
}

function holderItem (holder: SearchResult): HTMLLIElement {
  const peerId = holder.peerId.toString()
  const entry = item(`${shortId(peerId)} · ${holder.rttMs} ms · ${holder.datasets.length > 0 ? '' : 'worker'}`, peerId)
  entry.dataset.peerId = peerId
  holder.datasets.forEach((d, i) => {
    if (i > 0) entry.append(', ')
    entry.append(`${d.name} (${d.rows} rows, ${d.tags.join(' ')}) `)
    const use = el('button', 'link', `run on ${d.hash.slice(0, 12)}`)
    use.type = 'button'
    use.title = `run the next job on this content (sha256 ${d.hash})`
    use.setAttribute('aria-label', `run on ${d.name} (${d.hash.slice(0, 12)})`)
    use.addEventListener('click', () => { chooseDataset(d.hash) })
    entry.append(use)
  })
  return entry
}

/** Makes a content hash the next job's target. */
function chooseDataset (hash: string): void {
  const radio = element<HTMLInputElement>('target-dataset')
  radio.checked = true
  radio.dispatchEvent(new Event('change'))
  element<HTMLInputElement>('run-dataset').value = hash
  element('submit-panel').scrollIntoView({ block: 'nearest' })
}
