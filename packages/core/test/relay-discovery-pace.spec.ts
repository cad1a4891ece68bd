/**
 * The circuit relay transport's relay discovery, as patched (patches/@libp2p__circuit-relay-v2):
 * while a node needs a relay, it takes peers from libp2p's random walk one per 500 ms at most.
 * Unpaced, a node that meets only peers it is connected to already ran DHT queries back to back
 * for as long as it lacked a relay, and a testnet of 200 nodes whose relays were full kept its
 * public side saturated with them.
 */
import { defaultLogger } from '@libp2p/logger'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import type { PeerId } from '@libp2p/interface'

// not exported by the package: loaded by its path in this package's node_modules
const DISCOVERY = new URL('../node_modules/@libp2p/circuit-relay-v2/dist/src/transport/discovery.js', import.meta.url).href
const { RelayDiscovery } = await import(DISCOVERY) as { RelayDiscovery: new (components: unknown, init?: unknown) => { start: () => Promise<void>, startDiscovery: () => void, stopDiscovery: () => void } }

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('relay discovery\'s random walk', () => {
  it('takes at most one random peer per 500 ms while every peer it meets is connected already', async () => {
    const peer: PeerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    let taken = 0
    let walking = true
    const discovery = new RelayDiscovery({
      logger: defaultLogger(),
      registrar: { register: async () => 'topology', unregister: () => {} },
      events: new EventTarget(),
      peerStore: { all: async () => [] },
      connectionManager: { getConnections: () => [{}], isDialable: async () => true },
      randomWalk: {
        async * walk ({ signal }: { signal: AbortSignal }) {
          try {
            while (!signal.aborted) {
              // a DHT query's answer arrives from the network
              await new Promise(resolve => setImmediate(resolve))
              taken++
              yield { id: peer, multiaddrs: [] }
            }
          } finally {
            walking = false
          }
        }
      }
    })
    await discovery.start()
    discovery.startDiscovery()
    await sleep(1_600)
    const took = taken
    discovery.stopDiscovery()
    // unpaced, this was thousands: one per turn of the event loop
    expect(took).toBeGreaterThanOrEqual(2)
    expect(took).toBeLessThanOrEqual(5)
    // and the walk ends with the discovery
    await sleep(100)
    expect(walking).toBe(false)
  })
})
