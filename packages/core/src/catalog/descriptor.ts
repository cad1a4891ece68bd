import type { Column } from './schema.js'

export type DatasetFormat = 'csv' | 'json' | 'jsonl' | 'rows'
/** `changed` / `missing`: the file is no longer what was added, so rows and columns are stale. */
export type DatasetStatus = 'ok' | 'changed' | 'missing'

/** What a node says about a dataset. Never its rows. */
export interface DatasetDescriptor {
  name: string
  tags: string[]
  description: string
  format: DatasetFormat
  rows: number
  columns: Column[]
  /** sha256 of the content when added, hex */
  hash: string
  bytes: number
  visibility: 'public' | 'private'
  /** Peer IDs that may see and compute on a private dataset. */
  allow: string[]
  addedAt: number
  status: DatasetStatus
  /** Jobs on it run only with code this node approved (by CID), whatever the node's own setting. */
  approveOnly?: boolean
}

export interface AddDatasetInit {
  /** @default the file's name without its extension */
  name?: string
  tags: string[]
  description?: string
  /** Never announced; described and computable only for the peers in `allow`. @default false */
  private?: boolean
  /** Peer IDs allowed to see and compute on it; implies private. @default [] */
  allow?: string[]
  /** Jobs on it run only with approved code (see `approvals`), even on a node that runs any code elsewhere. @default false */
  approveOnly?: boolean
  /** A CSV, JSON (array of objects) or JSONL file; Node.js only. Its rows stay in the file. */
  path?: string
  /** The rows themselves (a browser has no files); kept in this node's database only. */
  rows?: Array<Record<string, unknown>>
}

/** True when the dataset carries every tag (`all`) or at least one (`any`). */
export function matches (descriptor: Pick<DatasetDescriptor, 'tags'>, tags: string[], match: 'any' | 'all'): boolean {
  return match === 'all' ? tags.every(t => descriptor.tags.includes(t)) : tags.some(t => descriptor.tags.includes(t))
}
