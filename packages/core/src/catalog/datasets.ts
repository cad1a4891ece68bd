import { sha256 } from 'multiformats/hashes/sha2'
import { readDatasetFile, statDatasetFile } from '#platform'
import { DatasetExistsError, DatasetFileError, DatasetInvalidError, DatasetNotFoundError } from '../errors.js'
import { normaliseTags } from '../tags.js'
import { matches, visibleTo } from './descriptor.js'
import { formatOf, parseRows } from './parse.js'
import { inferColumns } from './schema.js'
import type { AddDatasetInit, DatasetDescriptor, DatasetStatus } from './descriptor.js'
import type { Row } from './parse.js'
import type { Sublevel } from '../store/store.js'

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const encoder = new TextEncoder()
const decoder = new TextDecoder()

interface Stored {
  descriptor: Omit<DatasetDescriptor, 'status'>
  file?: { path: string, size: number, mtimeMs: number }
}

/**
 * The datasets a node holds: descriptors (and, for a file, its path, size and time) in the
 * `datasets` sublevel. A file's rows stay in the file; rows given directly stay in this
 * database. Every write is one batch, so a failed add leaves the store as it was.
 */
export class DatasetStore extends EventTarget {
  private readonly db: Sublevel

  constructor (db: Sublevel) {
    super()
    this.db = db
  }

  async add (init: AddDatasetInit): Promise<DatasetDescriptor> {
    const tags = normaliseTags(init.tags ?? [])
    if (tags.length === 0) throw new DatasetInvalidError('a dataset needs at least one tag, e.g. --tag "#cars"')
    if ((init.path == null) === (init.rows == null)) throw new DatasetInvalidError('give a dataset either a file path or rows, not both or neither')
    const name = init.name ?? baseName(init.path ?? '')
    if (!NAME_PATTERN.test(name)) throw new DatasetInvalidError(`invalid dataset name "${name}": use 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit (pass --name)`)
    if (await this.db.get(metaKey(name)) != null) throw new DatasetExistsError(name)

    const loaded = init.path != null ? await loadFile(init.path) : loadRows(init.rows)
    const descriptor = {
      name,
      tags,
      description: init.description ?? '',
      format: loaded.format,
      rows: loaded.rows.length,
      columns: inferColumns(loaded.rows),
      hash: await hashHex(loaded.bytes),
      bytes: loaded.bytes.byteLength,
      visibility: init.private === true || (init.allow ?? []).length > 0 ? 'private' as const : 'public' as const,
      allow: [...new Set(init.allow ?? [])],
      addedAt: Date.now()
    }
    const stored: Stored = { descriptor, ...(loaded.file != null ? { file: loaded.file } : {}) }
    const batch = this.db.batch().put(metaKey(name), encode(stored))
    if (loaded.file == null) batch.put(rowsKey(name), loaded.bytes)
    await batch.write()
    this.dispatchEvent(new Event('change'))
    return { ...descriptor, status: 'ok' }
  }

  async remove (name: string): Promise<DatasetDescriptor> {
    const stored = await this.stored(name)
    await this.db.batch().del(metaKey(name)).del(rowsKey(name)).write()
    this.dispatchEvent(new Event('change'))
    return { ...stored.descriptor, status: 'ok' }
  }

  /** Every dataset, each with its file re-checked (stat, then hash if it moved). */
  async list (): Promise<DatasetDescriptor[]> {
    const out: DatasetDescriptor[] = []
    for await (const [key, value] of this.db.iterator({ gte: 'meta:', lt: 'meta;' })) {
      const stored = decode(value, key)
      out.push({ ...stored.descriptor, allow: stored.descriptor.allow ?? [], status: await this.check(stored) })
    }
    return out
  }

  async get (name: string): Promise<DatasetDescriptor> {
    const stored = await this.stored(name)
    return { ...stored.descriptor, allow: stored.descriptor.allow ?? [], status: await this.check(stored) }
  }

  /** Datasets carrying any (or all) of the tags that a peer may see: what the catalog tells it. */
  async matching (tags: string[], match: 'any' | 'all', peer?: string): Promise<DatasetDescriptor[]> {
    return (await this.list()).filter(d => (peer == null ? d.visibility === 'public' : visibleTo(d, peer)) && matches(d, tags, match))
  }

  /** Tags of public datasets: what the node announces on the DHT. */
  async publicTags (): Promise<string[]> {
    return [...new Set((await this.list()).filter(d => d.visibility === 'public').flatMap(d => d.tags))]
  }

  /** The rows, read now from where they live; for jobs, on this node only. */
  async readRows (name: string): Promise<Row[]> {
    const stored = await this.stored(name)
    if (stored.file == null) return JSON.parse(decoder.decode(await this.db.get(rowsKey(name)) ?? encoder.encode('[]'))) as Row[]
    const file = await loadFile(stored.file.path)
    return file.rows
  }

  private async stored (name: string): Promise<Stored> {
    const value = await this.db.get(metaKey(name))
    if (value == null) throw new DatasetNotFoundError(name)
    return decode(value, name)
  }

  private async check (stored: Stored): Promise<DatasetStatus> {
    if (stored.file == null) return 'ok'
    const now = await statDatasetFile(stored.file.path)
    if (now == null) return 'missing'
    if (now.size === stored.file.size && now.mtimeMs === stored.file.mtimeMs) return 'ok'
    try {
      const snapshot = await readDatasetFile(stored.file.path)
      if (await hashHex(snapshot.bytes) !== stored.descriptor.hash) return 'changed'
      // touched but the same bytes: remember the new time so the next check is a stat again
      await this.db.put(metaKey(stored.descriptor.name), encode({ ...stored, file: { ...stored.file, mtimeMs: snapshot.mtimeMs } }))
      return 'ok'
    } catch {
      return 'missing'
    }
  }
}

interface Loaded { format: DatasetDescriptor['format'], rows: Row[], bytes: Uint8Array, file?: Stored['file'] }

async function loadFile (path: string): Promise<Loaded> {
  const format = formatOf(path)
  if (format == null) throw new DatasetInvalidError(`cannot tell the format of ${path}: name it .csv, .json or .jsonl`)
  let snapshot
  try {
    snapshot = await readDatasetFile(path)
  } catch (err: any) {
    if (err instanceof DatasetInvalidError) throw err
    throw new DatasetFileError(path, err.code ?? err.message)
  }
  const rows = parseRows(decoder.decode(snapshot.bytes), format, snapshot.path)
  if (rows.length === 0) throw new DatasetInvalidError(`${snapshot.path} has no rows`)
  return { format, rows, bytes: snapshot.bytes, file: { path: snapshot.path, size: snapshot.size, mtimeMs: snapshot.mtimeMs } }
}

function loadRows (rows: unknown): Loaded {
  if (!Array.isArray(rows) || rows.length === 0) throw new DatasetInvalidError('rows must be a non-empty array of objects')
  rows.forEach((row, i) => {
    if (row == null || typeof row !== 'object' || Array.isArray(row)) throw new DatasetInvalidError(`row ${i} is not an object: every row must be {"column": value, …}`)
  })
  return { format: 'rows', rows, bytes: encoder.encode(JSON.stringify(rows)) }
}

async function hashHex (bytes: Uint8Array): Promise<string> {
  const digest = (await sha256.digest(bytes)).digest
  return Array.from(digest, b => b.toString(16).padStart(2, '0')).join('')
}

function baseName (path: string): string {
  return (path.split(/[\\/]/).pop() ?? '').replace(/\.[^.]+$/, '')
}

const metaKey = (name: string): string => `meta:${name}`
const rowsKey = (name: string): string => `rows:${name}`
const encode = (stored: Stored): Uint8Array => encoder.encode(JSON.stringify(stored))
function decode (value: Uint8Array, key: string): Stored {
  try {
    return JSON.parse(decoder.decode(value)) as Stored
  } catch {
    throw new DatasetInvalidError(`the stored descriptor of ${key} does not decode; remove the dataset and add it again`)
  }
}
