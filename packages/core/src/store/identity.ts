import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { databaseLocation } from '#platform'
import { StoreCorruptError } from '../errors.js'
import { openStore, readError } from './store.js'
import type { Store } from './store.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const PRIVATE_KEY = 'private-key'

/**
 * The node's private key: created on first use, then kept, so one data dir always gives one
 * peer ID. Ed25519, like the rest of libp2p.
 */
export async function loadOrCreatePrivateKey (store: Store): Promise<PrivateKey> {
  const identity = store.sublevel('identity')
  const stored = await identity.get(PRIVATE_KEY).catch(err => { throw readError(store.location, err) })
  if (stored != null) {
    try {
      return privateKeyFromProtobuf(stored)
    } catch (err: any) {
      throw new StoreCorruptError(store.location, `the private key does not decode: ${err.message}`)
    }
  }
  const key = await generateKeyPair('Ed25519')
  await identity.put(PRIVATE_KEY, privateKeyToProtobuf(key))
  return key
}

/**
 * The peer ID a node on this data dir has, without starting it (the identity is created if
 * the data dir has none yet). Fails with StoreLockedError while a node runs on it.
 */
export async function loadPeerId (dataDir: string): Promise<PeerId> {
  const store = await openStore(databaseLocation(dataDir))
  try {
    return peerIdFromPrivateKey(await loadOrCreatePrivateKey(store))
  } finally {
    await store.close()
  }
}
