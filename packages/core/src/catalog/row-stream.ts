import { csvRecordStream } from '#platform'
import { DatasetFileError, DatasetParseError, DatasetTooLargeError } from '../errors.js'
import { splitJsonArray, splitLines } from './json-split.js'
import { assertObject, castCell, jsonReason, lineOfJsonError } from './parse.js'
import type { RowText } from './json-split.js'
import type { Format, Row } from './parse.js'

/**
 * A dataset file's rows, one at a time, from its bytes: what `parseRows` does for a whole text,
 * streamed, so that neither the file nor its rows are ever held whole. Errors are the same
 * DatasetParseError naming the file, the line and the reason.
 */
export async function * streamRows (chunks: AsyncIterable<Uint8Array>, format: Format, file: string, maxRowBytes: number): AsyncGenerator<Row> {
  switch (format) {
    case 'csv': yield * csvRows(chunks, file, maxRowBytes); break
    case 'json': yield * jsonRows(splitJsonArray(chunks, file, maxRowBytes), file, 'element'); break
    case 'jsonl': yield * jsonRows(splitLines(chunks, file, maxRowBytes), file, 'the line'); break
  }
}

async function * csvRows (chunks: AsyncIterable<Uint8Array>, file: string, maxRowBytes: number): AsyncGenerator<Row> {
  const records = readableOf(chunks).pipeThrough(csvRecordStream({
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
    cast: castCell,
    max_record_size: maxRowBytes
  }))
  const reader = records.getReader()
  try {
    for (;;) {
      const next = await reader.read()
      if (next.done) break
      yield next.value
    }
  } catch (err: any) {
    if (err?.name === DatasetFileError.name || err?.name === DatasetTooLargeError.name || err?.name === 'AbortError') throw err
    throw new DatasetParseError(file, err.lines, String(err.message).replace(/^Invalid Record Length: /, '').replace(/ on line \d+$/, '').replace(/ at line \d+$/, ''))
  } finally {
    // a consumer that stops early (or a failure) cancels the pipeline, and so the file's reads
    await reader.cancel().catch(() => {})
  }
}

/** An async iterable as a ReadableStream that pulls one chunk at a time (backpressure) and cancels it with the stream. */
function readableOf (chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull (controller) {
      const next = await iterator.next()
      if (next.done === true) controller.close()
      else controller.enqueue(next.value)
    },
    async cancel (reason) { await iterator.return?.(reason) }
  }, { highWaterMark: 0 })
}

async function * jsonRows (texts: AsyncIterable<RowText>, file: string, what: 'element' | 'the line'): AsyncGenerator<Row> {
  let index = 0
  for await (const { text, line } of texts) {
    if (what === 'the line' && text.trim() === '') continue
    let row: unknown
    try {
      row = JSON.parse(text)
    } catch (err: any) {
      throw new DatasetParseError(file, line + lineOfJsonError(text, err) - 1, `not valid JSON (${jsonReason(err)})`)
    }
    assertObject(row, file, line, what === 'element' ? `element ${index}` : what)
    index++
    yield row as Row
  }
}
