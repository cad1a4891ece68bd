import * as c from '../constants.js'
import type { DatasetDescriptor } from '../catalog/descriptor.js'

/**
 * A dataset's rows as the JSON text a job worker takes, kept for the next job on the same
 * content: jobs on a dataset tend to come again, and reading, parsing and stringifying 100k rows
 * costs the node's thread tens of milliseconds each time. Kept only while the dataset's file is
 * as it was hashed (status `ok`, by its size and time) and keyed by its hash, so a changed file is
 * read again; at most DATASET_JSON_CACHE_ENTRIES datasets and DATASET_JSON_CACHE_CHARS in all,
 * the least recently used going first.
 */
export class DatasetJson {
  private readonly kept = new Map<string, string>()
  private chars = 0

  /** The rows' JSON text: kept, or read now with `read` (and kept when the content is known). */
  async get (found: Pick<DatasetDescriptor, 'name' | 'hash' | 'status'>, read: () => Promise<unknown>): Promise<string> {
    const key = found.status === 'ok' && found.hash !== '' ? `${found.name}\n${found.hash}` : undefined
    const kept = key != null ? this.kept.get(key) : undefined
    if (key != null && kept != null) {
      // most recently used last
      this.kept.delete(key)
      this.kept.set(key, kept)
      return kept
    }
    const json = JSON.stringify(await read()) ?? 'null'
    if (key != null && json.length <= c.DATASET_JSON_CACHE_CHARS) this.keep(key, json)
    return json
  }

  private keep (key: string, json: string): void {
    this.kept.set(key, json)
    this.chars += json.length
    for (const [oldest, text] of this.kept) {
      if (this.kept.size <= c.DATASET_JSON_CACHE_ENTRIES && this.chars <= c.DATASET_JSON_CACHE_CHARS) break
      this.kept.delete(oldest)
      this.chars -= text.length
    }
  }
}
