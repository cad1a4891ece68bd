import { parse as parseCsv } from 'csv-parse/sync'
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

/**
 * Parses a dataset's text into rows, or throws DatasetParseError naming the file, the line
 * and the reason. CSV cells become numbers, booleans or null where they plainly are.
 */
export function parseRows (text: string, format: Format, file: string): Row[] {
  switch (format) {
    case 'csv': return parseCsvRows(text, file)
    case 'json': return parseJsonRows(text, file)
    case 'jsonl': return parseJsonlRows(text, file)
  }
}

function parseCsvRows (text: string, file: string): Row[] {
  try {
    return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, cast: castCell }) as Row[]
  } catch (err: any) {
    throw new DatasetParseError(file, err.lines, String(err.message).replace(/^Invalid Record Length: /, '').replace(/ on line \d+$/, ''))
  }
}

function castCell (value: string, context: { quoting: boolean }): unknown {
  if (context.quoting) return value
  if (value === '') return null
  if (value === 'true' || value === 'false') return value === 'true'
  const n = Number(value)
  return Number.isFinite(n) && /^[-+]?(\d|\.\d)/.test(value) ? n : value
}

function parseJsonRows (text: string, file: string): Row[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err: any) {
    throw new DatasetParseError(file, lineOfJsonError(text, err.message), `not valid JSON (${String(err.message)})`)
  }
  if (!Array.isArray(value)) throw new DatasetParseError(file, 1, 'a JSON dataset must be an array of objects')
  value.forEach((row, i) => { assertObject(row, file, undefined, `element ${i}`) })
  return value as Row[]
}

function parseJsonlRows (text: string, file: string): Row[] {
  const rows: Row[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return
    let row: unknown
    try {
      row = JSON.parse(line)
    } catch (err: any) {
      throw new DatasetParseError(file, i + 1, `not valid JSON (${String(err.message)})`)
    }
    assertObject(row, file, i + 1, 'the line')
    rows.push(row as Row)
  })
  return rows
}

function assertObject (row: unknown, file: string, line: number | undefined, what: string): void {
  if (row == null || typeof row !== 'object' || Array.isArray(row)) {
    throw new DatasetParseError(file, line, `${what} is not an object: every row must be {"column": value, …}`)
  }
}

/** JSON.parse says where it failed as a position (and sometimes a line); turn that into a line. */
function lineOfJsonError (text: string, message: string): number | undefined {
  const line = /line (\d+)/.exec(message)?.[1]
  if (line != null) return Number(line)
  const position = /position (\d+)/.exec(message)?.[1]
  if (position == null) return undefined
  return text.slice(0, Number(position)).split('\n').length
}
