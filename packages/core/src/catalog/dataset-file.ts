import { openDatasetFile } from '#platform'
import * as c from '../constants.js'
import { DatasetInvalidError } from '../errors.js'
import { formatOf } from './parse.js'
import { streamRows } from './row-stream.js'
import { ColumnInference } from './schema.js'
import type { DatasetFile, DatasetFileInfo } from '#platform'
import type { Format, Row } from './parse.js'
import type { Column } from './schema.js'
import type { AbortOptions } from '@libp2p/interface'

/** What adding a file learns from one streamed pass over it. */
export interface FileDescription {
  format: Format
  rows: number
  columns: Column[]
  /** sha256 of the bytes, hex */
  hash: string
  file: DatasetFileInfo
}

/** The format a path names, or a DatasetInvalidError that says how to name it. */
export function formatOfPath (path: string): Format {
  const format = formatOf(path)
  if (format == null) throw new DatasetInvalidError(`cannot tell the format of ${path}: name it .csv, .json or .jsonl`)
  return format
}

/**
 * Reads a dataset file once, streamed: hashes its bytes, counts its rows and infers its columns
 * as they pass, holding one chunk and one row at a time.
 */
export async function describeFile (path: string, maxBytes: number, options: AbortOptions = {}): Promise<FileDescription> {
  const format = formatOfPath(path)
  return withFile(path, maxBytes, async file => {
    const columns = new ColumnInference()
    let rows = 0
    for await (const row of streamRows(file.chunks(options), format, file.path, c.MAX_DATASET_ROW_BYTES)) {
      columns.add(row)
      rows++
    }
    if (rows === 0) throw new DatasetInvalidError(`${file.path} has no rows`)
    return { format, rows, columns: columns.columns(), hash: file.sha256(), file: { path: file.path, size: file.size, mtimeMs: file.mtimeMs } }
  })
}

/** Every row of a dataset file, for a job: opened and bounded like an add. */
export async function readFileRows (path: string, maxBytes: number, options: AbortOptions = {}): Promise<Row[]> {
  const format = formatOfPath(path)
  return withFile(path, maxBytes, async file => {
    const rows: Row[] = []
    for await (const row of streamRows(file.chunks(options), format, file.path, c.MAX_DATASET_ROW_BYTES)) rows.push(row)
    return rows
  })
}

/** The sha256 of a dataset file's bytes now, and its size and time. */
export async function hashFile (path: string, maxBytes: number, options: AbortOptions = {}): Promise<{ hash: string, file: DatasetFileInfo }> {
  return withFile(path, maxBytes, async file => {
    // hashed as they pass: nothing else to do with the bytes
    const chunks = file.chunks(options)
    while ((await chunks.next()).done !== true);
    return { hash: file.sha256(), file: { path: file.path, size: file.size, mtimeMs: file.mtimeMs } }
  })
}

async function withFile<T> (path: string, maxBytes: number, use: (file: DatasetFile) => Promise<T>): Promise<T> {
  const file = await openDatasetFile(path, { maxBytes, chunkBytes: c.DATASET_READ_CHUNK_BYTES })
  try {
    return await use(file)
  } finally {
    await file.close()
  }
}
