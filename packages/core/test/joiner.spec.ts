import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { Joiner } from '../src/network/joiner.js'
import type { JoinerComponents } from '../src/network/joiner.js'

const SELF = peerIdFromString('12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z')
const BOOTSTRAP = multiaddr('/ip4/127.0.0.1/tcp/1/p2p/12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz')

/** A libp2p stand-in: dials fail until `reachable` is set; records dials and lookups. */
function fakeLibp2p () {
  const listeners = new Map<string, () => void>()
  /** kad-dht runs its first self-query once connected, and says so with an event */
  const dhtSelfQuery = (): void => { setTimeout(() => { listeners.get('kad-dht:query:self')?.() }, 5) }
  const fake = {
    reachable: false,
    connections: 0,
    dials: [] as string[],
    dhtSelfQueries: 0,
    lookups: [] as Uint8Array[],
    disconnectAll () { fake.connections = 0; listeners.get('peer:disconnect')?.() },
    libp2p: {
      peerId: SELF,
      dial: async (target: any) => {
        fake.dials.push(target.toString())
        if (!fake.reachable) throw new Error('connection refused')
        fake.connections = 1
        if (fake.dhtSelfQueries++ === 0) dhtSelfQuery()
        return {} as any
      },
      getConnections: () => new Array(fake.connections).fill({}),
      peerStore: { all: async () => [] },
      services: {
        dht: {
          async * getClosestPeers (key: Uint8Array) { fake.lookups.push(key) }
        }
      },
      addEventListener: (name: string, fn: () => void) => { listeners.set(name, fn) },
      removeEventListener: (name: string) => { listeners.delete(name) }
    }
  }
  return fake
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('Joiner', () => {
  let joiner: Joiner | undefined
  afterEach(() => { joiner?.stop() })

  const make = (fake: ReturnType<typeof fakeLibp2p>, bootstrap = [BOOTSTRAP]): Joiner => {
    joiner = new Joiner({ libp2p: fake.libp2p as unknown as JoinerComponents['libp2p'], logger: defaultLogger() }, { bootstrap, initialDelay: 10, maxDelay: 40 })
    joiner.start()
    return joiner
  }

  it('founds the grid at once when there is nobody to dial', async () => {
    const fake = fakeLibp2p()
    await make(fake, []).whenReady({ signal: AbortSignal.timeout(1000) })
    expect(fake.dials).toEqual([])
  })

  it('retries an unreachable bootstrap with backoff, then joins: dial, kad-dht\'s first self-query, ready', async () => {
    const fake = fakeLibp2p()
    const j = make(fake)
    await sleep(150)
    expect(j.ready).toBe(false)
    const attempts = fake.dials.length
    expect(attempts).toBeGreaterThanOrEqual(3)
    expect(attempts).toBeLessThan(15) // capped at 40 ms between attempts, halved by jitter at most
    expect(fake.lookups).toEqual([])

    fake.reachable = true
    await j.whenReady({ signal: AbortSignal.timeout(2000) })
    expect(fake.dhtSelfQueries).toBe(1)
    expect(fake.lookups).toEqual([]) // the first join waits for kad-dht's own self-query instead of a second one
  })

  it('loses readiness when the last peer leaves, and rejoins', async () => {
    const fake = fakeLibp2p()
    fake.reachable = true
    const j = make(fake)
    await j.whenReady({ signal: AbortSignal.timeout(1000) })
    fake.reachable = false
    fake.disconnectAll()
    expect(j.ready).toBe(false)
    await sleep(60)
    fake.reachable = true
    await j.whenReady({ signal: AbortSignal.timeout(2000) })
    expect(fake.lookups.map(k => Array.from(k))).toEqual([Array.from(SELF.toMultihash().bytes)]) // a rejoin looks itself up
  })

  it('stops retrying when stopped', async () => {
    const fake = fakeLibp2p()
    const j = make(fake)
    await sleep(30)
    j.stop()
    const attempts = fake.dials.length
    await sleep(120)
    expect(fake.dials.length).toBe(attempts)
  })

  it('whenReady rejects when its signal aborts', async () => {
    const j = make(fakeLibp2p())
    await expect(j.whenReady({ signal: AbortSignal.timeout(30) })).rejects.toThrow()
  })
})
