import { element, item, shortId } from './dom.js'
import type { GridNode } from '@grid-node/core'

/** The tag search box: each live holder is listed the moment it has answered. */
export function bindSearch (node: () => GridNode | undefined): void {
  let running: AbortController | undefined
  element<HTMLFormElement>('search').addEventListener('submit', event => {
    event.preventDefault()
    const current = node()
    const tags = element<HTMLInputElement>('tags').value.split(/[\s,]+/).filter(t => t !== '')
    if (current == null || tags.length === 0) return
    running?.abort()
    const controller = running = new AbortController()
    void search(current, tags, controller.signal)
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
      const datasets = holder.datasets.map(d => `${d.name} (${d.rows} rows, ${d.tags.join(' ')})`).join(', ')
      const entry = item(`${shortId(holder.peerId.toString())} · ${holder.rttMs} ms · ${datasets !== '' ? datasets : 'worker'}`, holder.peerId.toString())
      entry.dataset.peerId = holder.peerId.toString()
      results.append(entry)
    }
    if (!signal.aborted) status.textContent = `${found} holder${found === 1 ? '' : 's'} of ${tags.join(' ')} in ${Math.round(performance.now() - started)} ms`
  } catch (err: any) {
    if (!signal.aborted) status.textContent = `search failed: ${String(err.message ?? err)}`
  }
}
