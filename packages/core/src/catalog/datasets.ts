import { statDatasetFile } from '#platform'
import { sha256 } from 'multiformats/hashes/sha2'
import { isPublic, maySee, visibilityOf } from '../access.js'
import * as c from '../constants.js'
import { DatasetExistsError, DatasetInvalidError, DatasetNotFoundError, DatasetTooLargeError } from '../errors.js'
import { readError } from '../store/store.js'
import { normaliseTags } from '../tags.js'
import { describeFile, hashFile, readFileRows } from './dataset-file.js'
import { matches } from './descriptor.js'
import { inferColumns } from './schema.js'
import type { AddDatasetInit, DatasetDescriptor, DatasetStatus } from './descriptor.js'
import type { Row } from './parse.js'
import type { Sublevel } from '../store/store.js'
import type { AbortOptions } from '@libp2p/interface'

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export interface DatasetStoreInit {
  /** The largest dataset file accepted, in bytes; also bounds each job's read of one. @default 1 GiB (MAX_DATASET_FILE_BYTES) */
  maxFileBytes?: number
  /** How often, at most, catalog requests start a background re-check of the files, in ms. @default 60_000 */
  statusRefreshMs?: number
}

/** Per call: a limit other than the store's. */
export interface DatasetFileOptions extends AbortOptions {
  /** @default the store's maxFileBytes */
  maxFileBytes?: number
}

interface Stored {
  descriptor: Omit<DatasetDescriptor, 'status'>
  file?: { path: string, size: number, mtimeMs: number }
}

/** What a file looked like when last checked, and what that meant. */
interface Observed { size: number, mtimeMs: number, status: DatasetStatus }

/**
 * The datasets a node holds: descriptors (and, for a file, its path, size and time) in the
 * `datasets` sublevel, mirrored in memory. A file's rows stay in the file; rows given directly
 * stay in this database. Every write is one batch, so a failed add leaves the store as it was.
 * Catalog answers come from memory and never touch a file; `list` and `get` re-check files.
 */
export class DatasetStore extends EventTarget {
  private readonly db: Sublevel
  private readonly maxFileBytes: number
  private readonly statusRefreshMs: number
  private loaded?: Promise<Map<string, Stored>>
  private readonly adding = new Set<string>()
  /** Descriptors that do not decode, by name: listed as errors, skipped by the catalog, removable. */
  private readonly broken = new Map<string, Error>()
  private readonly observed = new Map<string, Observed>()
  private refreshing?: Promise<void>
  private refreshedAt = 0

  constructor (db: Sublevel, init: DatasetStoreInit = {}) {
    super()
    this.db = db
    this.maxFileBytes = init.maxFileBytes ?? c.MAX_DATASET_FILE_BYTES
    this.statusRefreshMs = init.statusRefreshMs ?? c.DATASET_STATUS_REFRESH_INTERVAL
  }

  async add (init: AddDatasetInit, options: DatasetFileOptions = {}): Promise<DatasetDescriptor> {
    const tags = normaliseTags(init.tags ?? [])
    if (tags.length === 0) throw new DatasetInvalidError('a dataset needs at least one tag, e.g. --tag "#cars"')
    if ((init.path == null) === (init.rows == null)) throw new DatasetInvalidError('give a dataset either a file path or rows, not both or neither')
    const name = init.name ?? baseName(init.path ?? '')
    if (!NAME_PATTERN.test(name)) throw new DatasetInvalidError(`invalid dataset name "${name}": use 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit (pass --name)`)
    // a file that is not there is the first thing to say, before any clash of names (describing it throws why)
    if (init.path != null && await statDatasetFile(init.path) == null) await describeFile(init.path, options.maxFileBytes ?? this.maxFileBytes, options)
    const all = await this.all()
    if (all.has(name) || this.broken.has(name) || this.adding.has(name)) throw new DatasetExistsError(name)
    this.adding.add(name)
    let stored: Stored
    try {
      const loaded: Described = init.path != null ? await describeFile(init.path, options.maxFileBytes ?? this.maxFileBytes, options) : await describeRows(init.rows)
      const descriptor = {
        name,
        tags,
        description: init.description ?? '',
        format: loaded.format,
        rows: loaded.rows,
        columns: loaded.columns,
        hash: loaded.hash,
        bytes: loaded.file?.size ?? loaded.bytes?.byteLength ?? 0,
        visibility: visibilityOf(init),
        allow: [...new Set(init.allow ?? [])],
        addedAt: Date.now(),
        ...(init.approveOnly === true ? { approveOnly: true } : {})
      }
      stored = { descriptor, ...(loaded.file != null ? { file: loaded.file } : {}) }
      const batch = this.db.batch().put(metaKey(name), encode(stored))
      if (loaded.bytes != null) batch.put(rowsKey(name), loaded.bytes)
      await batch.write()
      all.set(name, stored)
      this.observed.delete(name)
    } finally {
      this.adding.delete(name)
    }
    this.dispatchEvent(new Event('change'))
    return withStatus(stored, 'ok')
  }

  async remove (name: string): Promise<DatasetDescriptor> {
    const all = await this.all()
    const stored = all.get(name)
    // a descriptor that does not decode can still be removed: that is what its error advises
    if (stored == null && !this.broken.has(name)) throw new DatasetNotFoundError(name)
    await this.db.batch().del(metaKey(name)).del(rowsKey(name)).write()
    all.delete(name)
    this.broken.delete(name)
    this.observed.delete(name)
    this.dispatchEvent(new Event('change'))
    return stored != null ? withStatus(stored, 'ok') : { ...BROKEN, name }
  }

  /** Every dataset, each file re-checked now (a stat; a hash only if it was touched). */
  async list (options: AbortOptions = {}): Promise<DatasetDescriptor[]> {
    const all = await this.all()
    const broken = this.broken.values().next()
    if (broken.done !== true) throw broken.value
    const out: DatasetDescriptor[] = []
    for (const stored of all.values()) out.push(withStatus(stored, await this.check(stored, options)))
    this.refreshedAt = Date.now()
    return out
  }

  async get (name: string, options: AbortOptions = {}): Promise<DatasetDescriptor> {
    const stored = await this.stored(name)
    return withStatus(stored, await this.check(stored, options))
  }

  /**
   * Datasets carrying any (or all) of the tags that a peer may see: what the catalog tells it.
   * From memory, with each file's last known status: no file is touched on this path, which any
   * peer can call. It may start a background re-check, at most once per statusRefreshMs.
   */
  async matching (tags: string[], match: 'any' | 'all', peer?: string): Promise<DatasetDescriptor[]> {
    this.refreshSoon()
    return [...(await this.all()).values()]
      .filter(s => maySee(s.descriptor, peer) && matches(s.descriptor, tags, match))
      .map(s => withStatus(s, this.observed.get(s.descriptor.name)?.status ?? 'ok'))
  }

  /** Tags of public datasets: what the node announces on the DHT. */
  async publicTags (): Promise<string[]> {
    return [...new Set([...(await this.all()).values()].filter(s => isPublic(s.descriptor)).flatMap(s => s.descriptor.tags))]
  }

  /** The rows, read now from where they live; for jobs, on this node only. A file is opened as safely as when added. */
  async readRows (name: string, options: DatasetFileOptions = {}): Promise<Row[]> {
    const stored = await this.stored(name)
    if (stored.file != null) return readFileRows(stored.file.path, options.maxFileBytes ?? this.maxFileBytes, options)
    const bytes = await this.db.get(rowsKey(name)).catch(err => { throw readError(this.location, err) })
    return JSON.parse(decoder.decode(bytes ?? encoder.encode('[]'))) as Row[]
  }

  private get location (): string {
    return (this.db.db as unknown as { location?: string }).location ?? 'the database'
  }

  /** The descriptors, read from the database once and then kept in step with every write. */
  private async all (): Promise<Map<string, Stored>> {
    this.loaded ??= (async () => {
      const all = new Map<string, Stored>()
      for await (const [key, value] of this.db.iterator({ gte: 'meta:', lt: 'meta;' })) {
        const name = key.slice('meta:'.length)
        try {
          all.set(name, decode(value, key))
        } catch (err: any) {
          this.broken.set(name, err)
        }
      }
      return all
    })().catch(err => {
      this.loaded = undefined
      throw readError(this.location, err)
    })
    return this.loaded
  }

  private async stored (name: string): Promise<Stored> {
    const stored = (await this.all()).get(name)
    if (stored == null) throw this.broken.get(name) ?? new DatasetNotFoundError(name)
    return stored
  }

  private refreshSoon (): void {
    if (this.refreshing != null || Date.now() - this.refreshedAt < this.statusRefreshMs) return
    this.refreshedAt = Date.now()
    this.refreshing = this.list().then(() => {}, () => {}).finally(() => { this.refreshing = undefined })
  }

  /**
   * ok, changed or missing: a stat of the path (which never opens it, so never blocks on a
   * FIFO); a streamed hash only when the time moved but the size did not, and once per such
   * state. A file touched but unchanged gets its new time stored, so the next check is a stat.
   */
  private async check (stored: Stored, options: AbortOptions): Promise<DatasetStatus> {
    if (stored.file == null) return 'ok'
    const name = stored.descriptor.name
    const now = await statDatasetFile(stored.file.path)
    let status: DatasetStatus
    if (now == null || !now.regular) status = 'missing'
    else if (now.size !== stored.file.size) status = 'changed'
    else if (now.mtimeMs === stored.file.mtimeMs) status = 'ok'
    else {
      const seen = this.observed.get(name)
      status = seen?.size === now.size && seen.mtimeMs === now.mtimeMs ? seen.status : await this.rehash(stored, stored.file, options)
    }
    this.observed.set(name, { size: now?.size ?? -1, mtimeMs: now?.mtimeMs ?? -1, status })
    return status
  }

  private async rehash (stored: Stored, file: NonNullable<Stored['file']>, options: AbortOptions): Promise<DatasetStatus> {
    let now
    try {
      now = await hashFile(file.path, Math.max(this.maxFileBytes, file.size), options)
    } catch (err: any) {
      return err?.name === DatasetTooLargeError.name ? 'changed' : 'missing'
    }
    if (now.hash !== stored.descriptor.hash) return 'changed'
    const touched: Stored = { ...stored, file: { ...file, mtimeMs: now.file.mtimeMs } }
    await this.db.put(metaKey(stored.descriptor.name), encode(touched))
    const all = await this.all()
    if (all.has(stored.descriptor.name)) all.set(stored.descriptor.name, touched)
    return 'ok'
  }
}

interface Described { format: DatasetDescriptor['format'], rows: number, columns: DatasetDescriptor['columns'], hash: string, bytes?: Uint8Array, file?: Stored['file'] }

async function describeRows (rows: unknown): Promise<Described> {
  if (!Array.isArray(rows) || rows.length === 0) throw new DatasetInvalidError('rows must be a non-empty array of objects')
  rows.forEach((row, i) => {
    if (row == null || typeof row !== 'object' || Array.isArray(row)) throw new DatasetInvalidError(`row ${i} is not an object: every row must be {"column": value, …}`)
  })
  const bytes = encoder.encode(JSON.stringify(rows))
  return { format: 'rows', rows: rows.length, columns: inferColumns(rows), hash: await hashHex(bytes), bytes }
}

async function hashHex (bytes: Uint8Array): Promise<string> {
  const digest = (await sha256.digest(bytes)).digest
  return Array.from(digest, b => b.toString(16).padStart(2, '0')).join('')
}

function baseName (path: string): string {
  return (path.split(/[\\/]/).pop() ?? '').replace(/\.[^.]+$/, '')
}

function withStatus (stored: Stored, status: DatasetStatus): DatasetDescriptor {
  return { ...stored.descriptor, allow: stored.descriptor.allow ?? [], status }
}

const BROKEN: DatasetDescriptor = { name: '', tags: [], description: '', format: 'rows', rows: 0, columns: [], hash: '', bytes: 0, visibility: 'private', allow: [], addedAt: 0, status: 'missing' }

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
