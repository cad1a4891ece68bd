import { MAX_DATASET_COLUMNS } from '../constants.js'
import { DatasetInvalidError } from '../errors.js'
import type { Row } from './parse.js'

export type ColumnType = 'number' | 'string' | 'boolean' | 'object' | 'null' | 'mixed'
export interface Column { name: string, type: ColumnType }

/** Columns in order of first appearance, each typed by its non-null values. */
export function inferColumns (rows: Row[]): Column[] {
  const inference = new ColumnInference()
  for (const row of rows) inference.add(row)
  return inference.columns()
}

/**
 * The same inference one row at a time, for rows streamed from a file and never kept: it holds
 * one entry per column, at most `maxColumns`.
 */
export class ColumnInference {
  private readonly types = new Map<string, Set<ColumnType>>()
  private readonly maxColumns: number

  constructor (maxColumns = MAX_DATASET_COLUMNS) {
    this.maxColumns = maxColumns
  }

  add (row: Row): void {
    for (const [name, value] of Object.entries(row)) {
      let seen = this.types.get(name)
      if (seen == null) {
        if (this.types.size >= this.maxColumns) throw new DatasetInvalidError(`the rows have more than ${this.maxColumns} distinct columns; a dataset's schema must stay small enough to describe`)
        seen = new Set()
        this.types.set(name, seen)
      }
      if (value != null) seen.add(typeOf(value))
    }
  }

  columns (): Column[] {
    return [...this.types].map(([name, seen]) => ({ name, type: seen.size === 0 ? 'null' : seen.size === 1 ? [...seen][0]! : 'mixed' }))
  }
}

function typeOf (value: unknown): ColumnType {
  switch (typeof value) {
    case 'number': case 'bigint': return 'number'
    case 'boolean': return 'boolean'
    case 'string': return 'string'
    default: return 'object'
  }
}
