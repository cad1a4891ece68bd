/**
 * The browser twin of `dataset-file.node.ts`: a tab has no file system, so datasets are added
 * with their rows; these stubs say so instead of half-working.
 */
import { NoFileSystemError, PlatformUnsupportedError } from '../errors.js'
import type { AbortOptions } from '@libp2p/interface'

export interface DatasetFileInfo { path: string, size: number, mtimeMs: number }
export interface DatasetFileInit { maxBytes: number, chunkBytes: number }
export interface DatasetFile extends DatasetFileInfo {
  chunks(options?: AbortOptions): AsyncGenerator<Uint8Array>
  sha256(): string
  close(): Promise<void>
}

export async function openDatasetFile (path: string, _init: DatasetFileInit): Promise<DatasetFile> {
  throw new NoFileSystemError(path)
}

export async function statDatasetFile (_path: string): Promise<(DatasetFileInfo & { regular: boolean }) | undefined> {
  return undefined
}

/** CSV files are parsed only where there are files. */
export function csvRecordStream (_options: Record<string, unknown>): TransformStream<Uint8Array, Record<string, unknown>> {
  throw new PlatformUnsupportedError('reading a CSV file')
}
