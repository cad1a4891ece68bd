/**
 * Dataset files in Node.js, opened so that no path can hurt the node: regular files only,
 * checked on the open handle (no gap between the check and the read), never blocking on a FIFO,
 * read in bounded chunks that are hashed as they pass, and never past a size limit.
 */
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DatasetFileError, DatasetTooLargeError } from '../errors.js'
import type { AbortOptions } from '@libp2p/interface'
import type { Stats } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'

/** A file's place and state: what is stored with a dataset to notice it changing. */
export interface DatasetFileInfo { path: string, size: number, mtimeMs: number }

export interface DatasetFileInit {
  /** Refuse a file larger than this, or one that grows past it while being read. */
  maxBytes: number
  /** Bytes per read. */
  chunkBytes: number
}

/** An opened dataset file: read it once with chunks(), then close it. */
export interface DatasetFile extends DatasetFileInfo {
  /**
   * The bytes in order, each chunk a fresh array. Fails with DatasetTooLargeError past
   * `maxBytes` and with DatasetFileError if the file changes while it is read; `size` and
   * `mtimeMs` are then those of the bytes read.
   */
  chunks(options?: AbortOptions): AsyncGenerator<Uint8Array>
  /** sha256 of every byte chunks() gave, as hex: call it once chunks() has ended. */
  sha256(): string
  close(): Promise<void>
}

/**
 * Opens a dataset file by absolute path (relative paths resolve against the working dir).
 * `O_NONBLOCK` makes opening a FIFO return at once instead of holding a libuv thread until a
 * writer appears; `fstat` on the handle then refuses anything but a regular file (a symlink is
 * followed to what it names: a symlink to /dev/zero is a device).
 */
export async function openDatasetFile (path: string, init: DatasetFileInit): Promise<DatasetFile> {
  const absolute = resolve(path)
  let handle: FileHandle
  try {
    handle = await open(absolute, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err: any) {
    throw new DatasetFileError(absolute, err.code ?? err.message)
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new DatasetFileError(absolute, `it is ${kindOf(info)}, not a regular file`, 'a dataset must be a regular CSV, JSON or JSONL file')
    if (info.size > init.maxBytes) throw new DatasetTooLargeError(absolute, info.size, init.maxBytes)
    return new OpenedFile(absolute, handle, info, init)
  } catch (err) {
    await handle.close()
    throw err
  }
}

class OpenedFile implements DatasetFile {
  readonly path: string
  size: number
  mtimeMs: number
  private readonly handle: FileHandle
  private readonly init: DatasetFileInit
  private readonly hash = createHash('sha256')

  constructor (path: string, handle: FileHandle, info: Stats, init: DatasetFileInit) {
    this.path = path
    this.handle = handle
    this.size = info.size
    this.mtimeMs = info.mtimeMs
    this.init = init
  }

  async * chunks (options: AbortOptions = {}): AsyncGenerator<Uint8Array> {
    let total = 0
    for (;;) {
      options.signal?.throwIfAborted()
      const chunk = new Uint8Array(this.init.chunkBytes)
      const { bytesRead } = await this.read(chunk)
      if (bytesRead === 0) break
      total += bytesRead
      // the file grew under us: stop at the limit instead of following it
      if (total > this.init.maxBytes) throw new DatasetTooLargeError(this.path, total, this.init.maxBytes, true)
      const bytes = chunk.subarray(0, bytesRead)
      this.hash.update(bytes)
      yield bytes
    }
    const after = await this.handle.stat()
    if (after.size !== total || after.mtimeMs !== this.mtimeMs) {
      throw new DatasetFileError(this.path, 'it changed while it was being read', 'add it again once it is complete')
    }
    this.size = total
  }

  sha256 (): string {
    return this.hash.digest('hex')
  }

  async close (): Promise<void> {
    await this.handle.close()
  }

  private async read (chunk: Uint8Array): Promise<{ bytesRead: number }> {
    try {
      return await this.handle.read(chunk, 0, chunk.byteLength, null)
    } catch (err: any) {
      // EAGAIN: a "regular" file that would block (some /proc files); never wait for it
      throw new DatasetFileError(this.path, err.code ?? err.message)
    }
  }
}

/** Size, time and kind of a path, without opening it (stat never blocks on a FIFO); undefined when gone. */
export async function statDatasetFile (path: string): Promise<(DatasetFileInfo & { regular: boolean }) | undefined> {
  try {
    const info = await stat(path)
    return { path, size: info.size, mtimeMs: info.mtimeMs, regular: info.isFile() }
  } catch {
    return undefined
  }
}

function kindOf (info: Stats): string {
  if (info.isDirectory()) return 'a directory'
  if (info.isFIFO()) return 'a FIFO (a named pipe)'
  if (info.isCharacterDevice()) return 'a character device'
  if (info.isBlockDevice()) return 'a block device'
  if (info.isSocket()) return 'a socket'
  return 'not a regular file'
}
