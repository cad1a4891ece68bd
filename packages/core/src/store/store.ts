import { MountDatastore } from 'datastore-core'
import { LevelDatastore } from 'datastore-level'
import { Key } from 'interface-datastore'
import { Level } from 'level'
import { StoreCorruptError, StoreLockedError, StoreOpenError } from '../errors.js'
import type { AbstractSublevel } from 'abstract-level'
import type { Datastore } from 'interface-datastore'

/** The value type of every sublevel: raw bytes, never Buffer. */
export type Bytes = Uint8Array
export type Sublevel = AbstractSublevel<Level<string, Bytes>, string | Uint8Array, string, Bytes>

function makeSublevel (db: Level<string, Bytes>, name: string): Sublevel {
  return db.sublevel<string, Bytes>(name, { valueEncoding: 'view' })
}

/** Sublevels of the one database, one per concern. */
export const SUBLEVELS = ['identity', 'datasets', 'approvals', 'scores', 'peers', 'dht', 'libp2p'] as const
export type SublevelName = typeof SUBLEVELS[number]

export interface Store {
  readonly location: string
  sublevel(name: SublevelName): Sublevel
  /** The libp2p datastore: `/peers` and `/dht` mounted on their own sublevels. */
  readonly datastore: Datastore
  close(): Promise<void>
}

/**
 * Opens the node's one level database (a directory in Node.js, IndexedDB in a browser).
 * Failures are translated into errors that say what to do: locked by a running node,
 * corrupt, or not openable at all.
 */
export async function openStore (location: string): Promise<Store> {
  const db = new Level<string, Bytes>(location, { valueEncoding: 'view' })
  try {
    await db.open()
  } catch (err: any) {
    throw translateOpenError(location, err)
  }
  try {
    await readEveryBlock(db)
  } catch (err: any) {
    await db.close()
    throw readError(location, err)
  }
  const sublevels = new Map<SublevelName, Sublevel>()
  const sublevel = (name: SublevelName): Sublevel => {
    const existing = sublevels.get(name)
    if (existing != null) return existing
    const created = makeSublevel(db, name)
    sublevels.set(name, created)
    return created
  }
  const datastore = new MountDatastore([
    { prefix: new Key('/peers'), datastore: levelDatastore(sublevel('peers')) },
    { prefix: new Key('/dht'), datastore: levelDatastore(sublevel('dht')) },
    { prefix: new Key('/'), datastore: levelDatastore(sublevel('libp2p')) }
  ])
  return {
    location,
    sublevel,
    datastore,
    close: async () => { await db.close() }
  }
}

/**
 * LevelDB opens a database with damaged `.ldb` tables without a word and fails later, on the
 * first read of a damaged block, with its bare message. One pass over every key at open reads
 * every block, so such damage is reported now, with advice (a node's database is small: its
 * identity, peers, DHT records and descriptors; the pass costs milliseconds).
 */
async function readEveryBlock (db: Level<string, Bytes>): Promise<void> {
  // reading is the check
  const keys = db.keys({ keyEncoding: 'view' })
  try {
    while (await keys.next() !== undefined);
  } finally {
    await keys.close()
  }
}

function levelDatastore (sublevel: Sublevel): LevelDatastore {
  // a sublevel is a complete abstract-level database; datastore-level only types the root class
  return new LevelDatastore(sublevel as unknown as Level<string, Bytes>)
}

function translateOpenError (location: string, err: any): Error {
  const cause = err?.cause ?? err
  const detail = String(cause?.message ?? cause)
  if (cause?.code === 'LEVEL_LOCKED' || /lock/i.test(detail)) {
    return new StoreLockedError(location)
  }
  // a missing or garbled file inside an existing database (CURRENT naming no manifest, …)
  const damaged = /IO error: .*(No such file|not a valid)/i.test(detail)
  if (cause?.code === 'LEVEL_CORRUPTION' || /corrupt/i.test(detail) || damaged) {
    return new StoreCorruptError(location, detail)
  }
  return new StoreOpenError(location, detail)
}

/**
 * A failed read or write of an open database: LevelDB's corruption (a damaged `.ldb` table is
 * only noticed when a block is read) becomes StoreCorruptError with its advice; anything else
 * is passed on as it is.
 */
export function readError (location: string, err: any): Error {
  const detail = String(err?.cause?.message ?? err?.message ?? err)
  if (err?.code === 'LEVEL_CORRUPTION' || err?.cause?.code === 'LEVEL_CORRUPTION' || /^Corruption:/.test(detail)) return new StoreCorruptError(location, detail)
  return err
}
