import { DatasetParseError } from '../errors.js'

export type Row = Record<string, unknown>
export type Format = 'csv' | 'json' | 'jsonl'

/** The format a file's extension names, or undefined. */
export function formatOf (path: string): Format | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase()
  if (ext === 'csv') return 'csv'
  if (ext === 'json') return 'json'
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl'
  return undefined
}

/** A CSV cell as a number, boolean or null where it plainly is one; quoted cells stay text. */
export function castCell (value: string, context: { quoting: boolean }): unknown {
  if (context.quoting) return value
  if (value === '') return null
  if (value === 'true' || value === 'false') return value === 'true'
  const n = Number(value)
  return Number.isFinite(n) && /^[-+]?(\d|\.\d)/.test(value) ? n : value
}

export function assertObject (row: unknown, file: string, line: number | undefined, what: string): void {
  if (row == null || typeof row !== 'object' || Array.isArray(row)) {
    throw new DatasetParseError(file, line, `${what} is not an object: every row must be {"column": value, …}`)
  }
}

/** JSON.parse's reason without the copy of the input V8 appends to it. */
export function jsonReason (err: any): string {
  return String(err.message).split('\n')[0]!.replace(/, (\.\.\.)?".*$/, '').replace(/ (in JSON )?at position \d+.*$/, '')
}

/**
 * The line of the first syntax error: V8 names a line or a position for most errors, but only
 * quotes the input for an unexpected token; then find the shortest prefix that fails before
 * its end (binary search: a few parses, on the error path only).
 */
export function lineOfJsonError (text: string, err: any): number {
  const said = where(String(err.message))
  if (said.line != null) return said.line
  if (said.position != null) return text.slice(0, said.position).split('\n').length
  const failsInside = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n))
      return false
    } catch (e: any) {
      const at = where(String(e.message))
      if (/end of JSON input/.test(String(e.message))) return false
      return at.position == null || at.position < n
    }
  }
  let lo = 0
  let hi = text.length
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    if (failsInside(mid)) hi = mid
    else lo = mid + 1
  }
  return text.slice(0, lo).split('\n').length
}

function where (message: string): { line?: number, position?: number } {
  const line = /\(line (\d+) column \d+\)/.exec(message)?.[1]
  const position = /at position (\d+)/.exec(message)?.[1]
  return { ...(line != null ? { line: Number(line) } : {}), ...(position != null ? { position: Number(position) } : {}) }
}
