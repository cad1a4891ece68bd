import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Key } from 'interface-datastore'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadPeerId } from '../src/store/identity.js'
import { openStore } from '../src/store/store.js'

describe('the store', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'grid-store-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

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

  it('refuses a second opener while the database is open', async () => {
    const store = await openStore(join(dir, 'db'))
    try {
      await expect(openStore(join(dir, 'db'))).rejects.toMatchObject({ name: 'StoreLockedError', message: expect.stringContaining(join(dir, 'db')) })
    } finally {
      await store.close()
    }
  })

  it('reports a corrupt database and names it', async () => {
    await loadPeerId(dir)
    await writeFile(join(dir, 'db', 'CURRENT'), 'garbage\n')
    await expect(loadPeerId(dir)).rejects.toMatchObject({ name: 'StoreCorruptError', message: expect.stringMatching(/the database in .*db is corrupt .*move the data dir aside/) })
  })

  it('reports a private key that does not decode as corruption', async () => {
    const store = await openStore(join(dir, 'db'))
    await store.sublevel('identity').put('private-key', new Uint8Array([1, 2, 3]))
    await store.close()
    await expect(loadPeerId(dir)).rejects.toMatchObject({ name: 'StoreCorruptError' })
  })

  it('mounts the libp2p peer store and DHT records on their own sublevels', async () => {
    const store = await openStore(join(dir, 'db'))
    try {
      await store.datastore.put(new Key('/peers/abc'), new Uint8Array([1]))
      await store.datastore.put(new Key('/dht/record/xyz'), new Uint8Array([2]))
      await store.datastore.put(new Key('/other'), new Uint8Array([3]))
      const keys = async (name: 'peers' | 'dht' | 'libp2p'): Promise<string[]> => store.sublevel(name).keys().all()
      expect(await keys('peers')).toEqual(['/peers/abc'])
      expect(await keys('dht')).toEqual(['/dht/record/xyz'])
      expect(await keys('libp2p')).toEqual(['/other'])
      expect(Uint8Array.from(await store.datastore.get(new Key('/peers/abc')))).toEqual(new Uint8Array([1]))
    } finally {
      await store.close()
    }
  })
})
