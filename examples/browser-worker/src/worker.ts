import { formatOf, parseRows } from '@grid-node/core'
import { element } from './dom.js'
import { logNote } from './log.js'
import type { GridNode } from '@grid-node/core'

/** The worker switch, the pool-size control and the "add a dataset" picker. */
export function bindWorker (node: () => GridNode | undefined): void {
  const offer = element<HTMLInputElement>('offer')
  offer.addEventListener('change', () => {
    const current = node()
    if (current == null) return
    void current.offerCompute(offer.checked).then(() => {
      logNote(offer.checked ? 'this tab now runs jobs for the grid' : 'this tab stopped taking jobs')
    })
  })
  const size = element<HTMLInputElement>('pool-size')
  size.addEventListener('change', () => {
    const n = Number(size.value)
    if (!Number.isInteger(n) || n < 1) return
    node()?.resizePool(n)
    logNote(`pool resized to ${n} (queued jobs kept)`)
  })
  element<HTMLInputElement>('dataset-file').addEventListener('change', event => {
    const file = (event.target as HTMLInputElement).files?.[0]
    const current = node()
    if (file != null && current != null) void addDataset(current, file)
  })
}

async function addDataset (node: GridNode, file: File): Promise<void> {
  const status = element('dataset-status')
  const tags = element<HTMLInputElement>('dataset-tags').value.split(/[\s,]+/).filter(t => t !== '')
  try {
    const format = formatOf(file.name)
    if (format == null) throw new Error('name the file .csv, .json or .jsonl')
    if (tags.length === 0) throw new Error('give the dataset at least one tag first, e.g. #mydata')
    const rows = parseRows(await file.text(), format, file.name)
    const added = await node.datasets.add({ name: file.name.replace(/\.[^.]+$/, ''), tags, rows })
    status.textContent = `${added.name}: ${added.rows} rows, announced as ${added.tags.join(' ')}; its rows stay in this tab`
  } catch (err: any) {
    status.textContent = `cannot add ${file.name}: ${String(err.message ?? err)}`
  }
}
