import type { Row } from './parse.js'

export type ColumnType = 'number' | 'string' | 'boolean' | 'object' | 'null' | 'mixed'
export interface Column { name: string, type: ColumnType }

/** Columns in order of first appearance, each typed by its non-null values. */
export function inferColumns (rows: Row[]): Column[] {
  const types = new Map<string, Set<ColumnType>>()
  for (const row of rows) {
    for (const [name, value] of Object.entries(row)) {
      let seen = types.get(name)
      if (seen == null) { seen = new Set(); types.set(name, seen) }
      if (value != null) seen.add(typeOf(value))
    }
  }
  return [...types].map(([name, seen]) => ({ name, type: seen.size === 0 ? 'null' : seen.size === 1 ? [...seen][0]! : 'mixed' }))
}

function typeOf (value: unknown): ColumnType {
  switch (typeof value) {
    case 'number': case 'bigint': return 'number'
    case 'boolean': return 'boolean'
    case 'string': return 'string'
    default: return 'object'
  }
}
