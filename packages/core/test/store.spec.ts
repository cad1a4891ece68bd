/**
 * The store (src/store/): the identity created once per data dir, openStore's lock (per open
 * database, released on close), damage reported with its location, and the libp2p datastore
 * landing on the sublevel its key prefix names.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Key } from 'interface-datastore'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadOrCreatePrivateKey, loadPeerId } from '../src/store/identity.js'
import { openStore } from '../src/store/store.js'
import type { Store } from '../src/store/store.js'

let dir: string
let db: string
const open: Store[] = []
const opened = async (location = db): Promise<Store> => {
  const store = await openStore(location)
  open.push(store)
  return store
}
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grid-store-'))
  db = join(dir, 'db')
})
afterEach(async () => {
  for (const store of open.splice(0)) await store.close().catch(() => {})
  await rm(dir, { recursive: true, force: true })
})

describe('the identity', () => {
  it('creates the identity once: the same data dir always gives the same peer ID', async () => {
    const first = await loadPeerId(dir)
    const second = await loadPeerId(dir)
    expect(second.equals(first)).toBe(true)
    const other = await mkdtemp(join(tmpdir(), 'grid-store-'))
    try {
      expect((await loadPeerId(other)).equals(first)).toBe(false)
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })

  it('keeps the private key across a close and reopen, and loadPeerId agrees', async () => {
    const first = await opened()
    const key = await loadOrCreatePrivateKey(first)
    expect(await loadOrCreatePrivateKey(first)).toEqual(key) // created once, not per call
    await first.close()
    const second = await opened()
    const again = await loadOrCreatePrivateKey(second)
    expect(peerIdFromPrivateKey(again).equals(peerIdFromPrivateKey(key))).toBe(true)
    await second.close()
    const viaDataDir = await loadPeerId(dir)
    expect(viaDataDir.toString()).toBe(peerIdFromPrivateKey(key).toString())
    expect((await loadPeerId(dir)).toString()).toBe(viaDataDir.toString())
  })

  it('reports a private key that does not decode as corruption', async () => {
    const store = await openStore(db)
    await store.sublevel('identity').put('private-key', new Uint8Array([1, 2, 3]))
    await store.close()
    await expect(loadPeerId(dir)).rejects.toMatchObject({ name: 'StoreCorruptError' })
  })
})

describe('the data dir layout', () => {
  it('loadPeerId keeps its database in <dataDir>/db and tolerates a trailing slash', async () => {
    await mkdir(dir, { recursive: true })
    const id = await loadPeerId(`${dir}/`)
    const store = await openStore(db)
    try {
      expect(await store.sublevel('identity').keys().all()).toEqual(['private-key'])
    } finally {
      await store.close()
    }
    expect((await loadPeerId(dir)).toString()).toBe(id.toString())
  })

  it('creates a missing parent directory', async () => {
    const deep = join(dir, 'a', 'b', 'db')
    await (await opened(deep)).sublevel('identity').put('x', new Uint8Array([1]))
  })
})

describe('openStore: one opener at a time', () => {
  it('a second opener while open gets StoreLockedError naming the location; after close it opens', async () => {
    const first = await opened()
    const err = await openStore(db).then(() => undefined, (e: Error) => e)
    expect(err?.name).toBe('StoreLockedError')
    expect(err?.message).toContain(db)
    expect(err?.message).toMatch(/in use by another running node/)
    // loadPeerId on a data dir whose node runs fails the same way
    await expect(loadPeerId(dir)).rejects.toMatchObject({ name: 'StoreLockedError' })
    await first.close()
    await (await opened()).close()
  })
})

describe('openStore: damage', () => {
  it('reports a corrupt database and names it', async () => {
    await loadPeerId(dir)
    await writeFile(join(db, 'CURRENT'), 'garbage\n')
    await expect(loadPeerId(dir)).rejects.toMatchObject({ name: 'StoreCorruptError', message: expect.stringMatching(/the database in .*db is corrupt .*move the data dir aside/) })
  })

  it('a CURRENT file full of garbage is corruption (or at least unopenable), naming the location', async () => {
    await (await openStore(db)).close()
    await writeFile(join(db, 'CURRENT'), 'garbage that names no manifest\n')
    const err = await openStore(db).then(() => undefined, (e: Error) => e)
    expect(['StoreCorruptError', 'StoreOpenError']).toContain(err?.name)
    expect(err?.message).toContain(db)
  })

  it('a location that cannot be a directory is StoreOpenError naming it', async () => {
    const file = join(dir, 'a-file')
    await writeFile(file, 'not a directory')
    const err = await openStore(join(file, 'db')).then(() => undefined, (e: Error) => e)
    expect(err?.name).toBe('StoreOpenError')
    expect(err?.message).toContain(join(file, 'db'))
    expect(err?.message).toMatch(/writable directory/)
  })
})

describe('openStore: sublevels', () => {
  it('mounts /peers and /dht on their sublevels and the rest on libp2p, and reads back through the mount', async () => {
    const store = await opened()
    await store.datastore.put(new Key('/peers/x'), new Uint8Array([7, 8]))
    await store.datastore.put(new Key('/dht/record/xyz'), new Uint8Array([2]))
    await store.datastore.put(new Key('/dht/provider/y'), new Uint8Array([9]))
    await store.datastore.put(new Key('/identify/z'), new Uint8Array([10]))
    const peers = store.sublevel('peers')
    expect(await peers.keys().all()).toEqual(['/peers/x'])
    expect(Array.from(await peers.get('/peers/x') ?? [])).toEqual([7, 8])
    expect(Uint8Array.from(await store.datastore.get(new Key('/peers/x')))).toEqual(new Uint8Array([7, 8]))
    expect(await store.sublevel('dht').keys().all()).toEqual(['/dht/provider/y', '/dht/record/xyz'])
    expect(await store.sublevel('libp2p').keys().all()).toEqual(['/identify/z'])
    expect(await store.sublevel('identity').keys().all()).toEqual([])
    // and the other way round: written on the sublevel, found through the datastore
    await peers.put('/peers/w', new Uint8Array([1]))
    expect(await store.datastore.has(new Key('/peers/w'))).toBe(true)
    // persisted: a reopen sees the same split
    await store.close()
    const reopened = await opened()
    expect(await reopened.sublevel('peers').keys().all()).toEqual(['/peers/w', '/peers/x'])
  })

  it('hands out one sublevel object per name', async () => {
    const store = await opened()
    expect(store.sublevel('peers')).toBe(store.sublevel('peers'))
    expect(store.sublevel('peers')).not.toBe(store.sublevel('dht'))
    expect(store.location).toBe(db)
  })
})
