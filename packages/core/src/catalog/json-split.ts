import { DatasetParseError } from '../errors.js'

/** A row's text and the line it starts on (1-based). */
export interface RowText { text: string, line: number }

const NEWLINE = 0x0a
const decoder = new TextDecoder()

/**
 * Cuts a byte stream into pieces without decoding more than one piece at a time: the JSONL and
 * JSON-array splitters below feed it. Splitting UTF-8 on ASCII bytes is safe: no byte of a
 * multi-byte character is below 0x80.
 */
class Pieces {
  private parts: Uint8Array[] = []
  private length = 0
  private readonly maxBytes: number
  private readonly tooLong: () => Error

  constructor (maxBytes: number, tooLong: () => Error) {
    this.maxBytes = maxBytes
    this.tooLong = tooLong
  }

  get empty (): boolean { return this.length === 0 }

  add (bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return
    this.length += bytes.byteLength
    if (this.length > this.maxBytes) throw this.tooLong()
    this.parts.push(bytes)
  }

  take (): string {
    const text = this.parts.length === 1 ? decoder.decode(this.parts[0]) : decoder.decode(concat(this.parts, this.length))
    this.parts = []
    this.length = 0
    return text
  }
}

/** JSONL: one text per line (without its `\r\n` or `\n`), blank lines included. */
export async function * splitLines (chunks: AsyncIterable<Uint8Array>, file: string, maxLineBytes: number): AsyncGenerator<RowText> {
  let line = 1
  const pending = new Pieces(maxLineBytes, () => new DatasetParseError(file, line, `the line is longer than ${maxLineBytes} bytes`))
  for await (const chunk of chunks) {
    let start = 0
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      pending.add(chunk.subarray(start, end))
      yield { text: pending.take().replace(/\r$/, ''), line: line++ }
      start = end + 1
    }
    pending.add(chunk.subarray(start))
  }
  if (!pending.empty) yield { text: pending.take().replace(/\r$/, ''), line }
}

const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const QUOTE = 0x22
const BACKSLASH = 0x5c
const isSpace = (b: number): boolean => b === 0x20 || b === NEWLINE || b === 0x0d || b === 0x09

/**
 * A JSON array of objects, one element's text at a time. The splitter only finds where each
 * top-level object starts and ends (depth, strings, escapes) and checks the punctuation between
 * them; JSON.parse then checks each element itself. So a JSON dataset streams like JSONL: one
 * element in memory at a time, at most `maxElementBytes`.
 */
export async function * splitJsonArray (chunks: AsyncIterable<Uint8Array>, file: string, maxElementBytes: number): AsyncGenerator<RowText> {
  let line = 1
  let elementLine = 1
  let index = 0
  const fail = (reason: string): DatasetParseError => new DatasetParseError(file, line, reason)
  const pending = new Pieces(maxElementBytes, () => new DatasetParseError(file, elementLine, `element ${index} is longer than ${maxElementBytes} bytes`))
  // before '[', after '[' or ',' (an element must follow), after an element, inside one, after ']'
  let state: 'start' | 'first' | 'next' | 'after' | 'inside' | 'end' = 'start'
  let depth = 0
  let inString = false
  let escaped = false
  let bom = 0
  for await (const chunk of chunks) {
    let start = 0
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!
      if (state === 'inside') {
        if (b === NEWLINE) line++
        if (inString) {
          if (escaped) escaped = false
          else if (b === BACKSLASH) escaped = true
          else if (b === QUOTE) inString = false
          continue
        }
        if (b === QUOTE) inString = true
        else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++
        else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
          if (--depth === 0) {
            pending.add(chunk.subarray(start, i + 1))
            yield { text: pending.take(), line: elementLine }
            index++
            state = 'after'
          }
        }
        continue
      }
      if (b === NEWLINE) { line++; continue }
      if (isSpace(b)) continue
      if (state === 'start' && bom < 3 && b === [0xef, 0xbb, 0xbf][bom]) { bom++; continue }
      if (state === 'start') {
        if (b !== OPEN_ARRAY) throw fail('a JSON dataset must be an array of objects')
        state = 'first'
      } else if (state === 'after') {
        if (b === COMMA) state = 'next'
        else if (b === CLOSE_ARRAY) state = 'end'
        else throw fail(`not valid JSON (expected ',' or ']' after element ${index - 1})`)
      } else if (b === CLOSE_ARRAY) {
        if (state === 'next') throw fail('not valid JSON (a comma before \']\')')
        state = 'end'
      } else if (state === 'first' || state === 'next') {
        if (b !== OPEN_OBJECT) throw fail(`element ${index} is not an object: every row must be {"column": value, …}`)
        state = 'inside'
        depth = 1
        start = i
        elementLine = line
      } else {
        throw fail('not valid JSON (text after the end of the array)')
      }
    }
    if (state === 'inside') pending.add(chunk.subarray(start))
  }
  if ((state as string) !== 'end') throw fail('not valid JSON (the array does not end)')
}

function concat (parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}
