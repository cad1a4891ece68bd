import type { DatasetDescriptor, DatasetFormat, DatasetStatus } from './descriptor.js'
import type { ColumnType } from './schema.js'
import type { Dataset } from '../pb/grid.js'

/** Wire types stay at the edge: descriptors in, protobuf out, and back. */
export function toPbDataset (d: DatasetDescriptor): Dataset {
  return {
    name: d.name,
    tags: d.tags,
    description: d.description,
    rows: BigInt(d.rows),
    columns: d.columns.map(col => ({ name: col.name, type: col.type })),
    format: d.format,
    hash: d.hash,
    bytes: BigInt(d.bytes),
    status: d.status
  }
}

export function fromPbDataset (d: Dataset): DatasetDescriptor {
  return {
    name: d.name,
    tags: d.tags,
    description: d.description,
    format: d.format as DatasetFormat,
    rows: Number(d.rows),
    columns: d.columns.map(col => ({ name: col.name, type: col.type as ColumnType })),
    hash: d.hash,
    bytes: Number(d.bytes),
    visibility: 'public',
    allow: [],
    addedAt: 0,
    status: d.status as DatasetStatus
  }
}
