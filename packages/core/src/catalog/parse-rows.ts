// A dataset's whole text as rows: apart from parse.ts, which the node itself uses, so that a page
// that never calls parseRows leaves csv-parse out of its bundle (its browser build, which
// carries its own Buffer, is 20 KiB gzipped). csv-parse's Node build needs Buffer.
import { parse as parseCsv } from '#csv-parse'
import { DatasetParseError } from '../errors.js'
import { assertObject, castCell, jsonReason, lineOfJsonError } from './parse.js'
import type { Format, Row } from './parse.js'

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

function parseJsonRows (text: string, file: string): Row[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err: any) {
    throw new DatasetParseError(file, lineOfJsonError(text, err), `not valid JSON (${jsonReason(err)})`)
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
      throw new DatasetParseError(file, i + 1, `not valid JSON (${jsonReason(err)})`)
    }
    assertObject(row, file, i + 1, 'the line')
    rows.push(row as Row)
  })
  return rows
}
