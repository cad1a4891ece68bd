import { table } from '../../format.js'
import type { DatasetDescriptor } from '@grid-node/core'

export function describeDataset (d: DatasetDescriptor): string {
  return `${d.name}: ${d.rows} rows, ${d.columns.length} columns, ${d.tags.join(' ')} (${visibility(d)})`
}

export function datasetTable (list: DatasetDescriptor[]): string {
  return table(['NAME', 'ROWS', 'COLUMNS', 'TAGS', 'VISIBILITY', 'STATUS'], list.map(d => [
    d.name, String(d.rows), String(d.columns.length), d.tags.join(' '), visibility(d),
    d.status === 'ok' ? 'ok' : `${d.status}: the file is not what was added; rm and add it again`
  ]))
}

/** `public`, `private`; `, approved code only` for a dataset added with --approve-only. */
function visibility (d: DatasetDescriptor): string {
  return d.approveOnly === true ? `${d.visibility}, approved code only` : d.visibility
}
