/**
 * The joiner (src/network/joiner.ts) against a hand-written libp2p, on fake timers so the backoff
 * schedule is exact: the delays themselves (jitter pinned at either end, and left free), the reset
 * after a join, remembered peers, an inbound connection cutting the backoff short, the
 * self-lookup on a rejoin, what stop() aborts, and whenReady.
 */
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Joiner } from '../src/network/joiner.js'
import type { JoinerComponents, JoinerInit } from '../src/network/joiner.js'
import type { PeerId } from '@libp2p/interface'

const SELF = peerIdFromString('12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z')
const BOOTSTRAP = multiaddr('/ip4/127.0.0.1/tcp/1/p2p/12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz')
const KNOWN = [
  '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq',
  '12D3KooWHFrmLWTTDD4NodngtRMEVYgxrsDMp4F9zDD7N6TodH3j',
  '12D3KooWAp7xbN4MEZ5rsm2b5ezBVLyczvp6Zjb6xJfBh6pm8NwS'
].map(s => peerIdFromString(s))

interface StoredPeer { id: PeerId, addresses: unknown[] }

/** A libp2p stand-in: dials succeed while `reachable`; events, dials and lookups are recorded. */
function fakeLibp2p (known: StoredPeer[] = []) {
  const listeners = new Map<string, Set<() => void>>()
  const fake = {
    reachable: false,
    /** when set, a dial waits for its signal instead of settling */
    hangDials: false,
    connections: 0,
    dials: [] as Array<{ target: string, signal: AbortSignal }>,
    lookups: [] as Array<{ key: Uint8Array, aborted: boolean }>,
    emit (name: string) { for (const fn of listeners.get(name) ?? []) fn() },
    listenerCount: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
    libp2p: {
      peerId: SELF,
      dial: async (target: { toString(): string }, options: { signal: AbortSignal }) => {
        fake.dials.push({ target: target.toString(), signal: options.signal })
        if (fake.hangDials) {
          await new Promise((_resolve, reject) => { options.signal.addEventListener('abort', () => { reject(new Error('aborted')) }) })
        }
        if (!fake.reachable) throw new Error('connection refused')
        fake.connections++
        return {}
      },
      getConnections: () => new Array(fake.connections).fill({}),
      peerStore: {
        all: async (query: { filters?: Array<(peer: StoredPeer) => boolean> } = {}) =>
          known.filter(peer => (query.filters ?? []).every(f => f(peer)))
      },
      services: {
        dht: {
          async * getClosestPeers (key: Uint8Array, options: { signal: AbortSignal }) {
            fake.lookups.push({ key, aborted: options.signal.aborted })
          }
        }
      },
      addEventListener: (name: string, fn: () => void) => {
        const set = listeners.get(name) ?? new Set()
        set.add(fn)
        listeners.set(name, set)
      },
      removeEventListener: (name: string, fn: () => void) => { listeners.get(name)?.delete(fn) }
    }
  }
  return fake
}

type Fake = ReturnType<typeof fakeLibp2p>

describe('Joiner', () => {
  let joiner: Joiner | undefined
  let joined = 0

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    joined = 0
  })
  afterEach(() => {
    joiner?.stop()
    joiner = undefined
    vi.restoreAllMocks()
    vi.useRealTimers()
  })

  const make = (fake: Fake, init: Partial<JoinerInit> = {}): Joiner => {
    joiner = new Joiner({ libp2p: fake.libp2p as unknown as JoinerComponents['libp2p'], logger: defaultLogger() }, {
      bootstrap: [BOOTSTRAP],
      initialDelay: 10,
      maxDelay: 40,
      onJoined: () => { joined++ },
      ...init
    })
    joiner.start()
    return joiner
  }
  /** Lets time pass on the fake clock, running the promise chains in between. */
  const after = async (ms: number): Promise<void> => { await vi.advanceTimersByTimeAsync(ms) }
  /** kad-dht finishing its first self-query, which the first join waits for. */
  const dhtSelfQueryDone = (fake: Fake): void => { fake.emit('kad-dht:query:self') }

  it('retries after 10, 20, 40, then 40 ms (capped) when the jitter is at its top', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1) // the top of the jitter: delay = backoff
    const fake = fakeLibp2p()
    const j = make(fake)
    await after(0)
    const at: Array<[number, number]> = []
    // attempts start at 0, 10, 30, 70, 110, 150
    for (const [advance, attempts] of [[9, 1], [1, 2], [19, 2], [1, 3], [39, 3], [1, 4], [39, 4], [1, 5], [40, 6]] as const) {
      await after(advance)
      at.push([advance, fake.dials.length])
      expect(fake.dials.length, `attempts after ${JSON.stringify(at)}`).toBe(attempts)
    }
    expect(j.ready).toBe(false)
    expect(new Set(fake.dials.map(d => d.target))).toEqual(new Set([BOOTSTRAP.toString()]))
  })

  it('waits at least half the backoff when the jitter is at its bottom', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const fake = fakeLibp2p()
    make(fake)
    await after(0)
    // delays 5, 10, 20, 20: attempts at 0, 5, 15, 35, 55
    for (const [advance, attempts] of [[4, 1], [1, 2], [9, 2], [1, 3], [19, 3], [1, 4], [19, 4], [1, 5]] as const) {
      await after(advance)
      expect(fake.dials.length).toBe(attempts)
    }
  })

  it('retries an unreachable bootstrap with backoff whatever the jitter, then joins: dial, kad-dht\'s first self-query, ready', async () => {
    const fake = fakeLibp2p()
    const j = make(fake)
    await after(150)
    expect(j.ready).toBe(false)
    const attempts = fake.dials.length
    expect(attempts).toBeGreaterThanOrEqual(3)
    expect(attempts).toBeLessThan(15) // capped at 40 ms between attempts, halved by jitter at most
    expect(fake.lookups).toEqual([])

    fake.reachable = true
    await after(40)
    expect(fake.connections).toBe(1)
    dhtSelfQueryDone(fake)
    await j.whenReady({ signal: new AbortController().signal })
    expect(fake.lookups).toEqual([]) // the first join waits for kad-dht's own self-query instead of a second one
  })

  it('joins once a dial succeeds, waiting for kad-dht\'s first self-query before it is ready', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1) // the top of the jitter: delay = backoff
    const fake = fakeLibp2p()
    const j = make(fake)
    await after(30) // three failed attempts
    expect(fake.dials.length).toBe(3)
    fake.reachable = true
    await after(40)
    expect(fake.dials.length).toBe(4)
    expect(fake.connections).toBe(1)
    expect(j.ready).toBe(false) // connected, but the routing table is not filled yet
    dhtSelfQueryDone(fake)
    await after(0)
    expect(j.ready).toBe(true)
    expect(joined).toBe(1)
    expect(fake.lookups).toEqual([]) // kad-dht's own self-query was enough the first time
    await after(1000)
    expect(fake.dials.length).toBe(4) // no more retries once joined
  })

  it('after losing every peer: not ready, retries from the initial delay, rejoins with a self-lookup', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1) // the top of the jitter: delay = backoff
    const fake = fakeLibp2p()
    fake.reachable = true
    const j = make(fake)
    await after(0)
    dhtSelfQueryDone(fake)
    await after(0)
    expect(j.ready).toBe(true)

    // one of two peers leaving changes nothing
    fake.connections = 1 // a second peer had connected, and leaves
    fake.emit('peer:disconnect')
    expect(j.ready).toBe(true)

    fake.connections = 0
    fake.reachable = false
    fake.emit('peer:disconnect')
    expect(j.ready).toBe(false)
    const before = fake.dials.length
    await after(9)
    expect(fake.dials.length).toBe(before) // the backoff starts over at initialDelay, not where it left off
    await after(1)
    expect(fake.dials.length).toBe(before + 1)
    await after(20)
    expect(fake.dials.length).toBe(before + 2)

    fake.reachable = true
    await after(40)
    expect(j.ready).toBe(true)
    expect(joined).toBe(2)
    expect(fake.lookups).toHaveLength(1)
    expect(Array.from(fake.lookups[0]?.key ?? [])).toEqual(Array.from(SELF.toMultihash().bytes))
    expect(fake.lookups[0]?.aborted).toBe(false)
  })

  it('when kad-dht never reports its first self-query, looks itself up after 6 s and is then ready', async () => {
    // AbortSignal.timeout runs on Node's own timers; put it on the fake clock too
    vi.spyOn(AbortSignal, 'timeout').mockImplementation((ms: number) => {
      const controller = new AbortController()
      setTimeout(() => { controller.abort(new DOMException('timed out', 'TimeoutError')) }, ms)
      return controller.signal
    })
    const fake = fakeLibp2p()
    fake.reachable = true
    const j = make(fake)
    await after(5_999)
    expect(fake.dials).toHaveLength(1)
    expect(fake.lookups).toEqual([])
    expect(j.ready).toBe(false)
    await after(1)
    expect(fake.lookups).toHaveLength(1)
    expect(Array.from(fake.lookups[0]?.key ?? [])).toEqual(Array.from(SELF.toMultihash().bytes))
    expect(fake.lookups[0]?.aborted).toBe(false)
    await after(0)
    expect(j.ready).toBe(true)
    expect(joined).toBe(1)
  })

  it('an inbound connection during the backoff joins at once instead of waiting it out', async () => {
    const fake = fakeLibp2p()
    const j = make(fake, { initialDelay: 60_000, maxDelay: 60_000 })
    await after(0)
    expect(fake.dials.length).toBe(1)
    fake.connections = 1 // somebody dialled us
    fake.emit('peer:connect')
    await after(0)
    dhtSelfQueryDone(fake)
    await after(0)
    expect(j.ready).toBe(true)
    expect(fake.dials.length).toBe(1) // connected already: nothing more to dial
    await after(120_000)
    expect(fake.dials.length).toBe(1) // and the pending retry was cancelled
  })

  it('with no bootstrap list dials remembered peers (with addresses, not itself, capped), so it is no founder', async () => {
    const fake = fakeLibp2p([
      { id: SELF, addresses: [{}] },
      { id: KNOWN[0] as PeerId, addresses: [] },
      { id: KNOWN[1] as PeerId, addresses: [{}] },
      { id: KNOWN[2] as PeerId, addresses: [{}] }
    ])
    const j = make(fake, { bootstrap: [], knownPeersToDial: 1 })
    await after(0)
    expect(j.ready).toBe(false)
    expect(fake.dials).toHaveLength(1)
    expect([KNOWN[1]?.toString(), KNOWN[2]?.toString()]).toContain(fake.dials[0]?.target)
    await after(10)
    expect(fake.dials).toHaveLength(2)
    expect(fake.dials.map(d => d.target)).not.toContain(SELF.toString())
    expect(fake.dials.map(d => d.target)).not.toContain(KNOWN[0]?.toString())
  })

  it('founds the grid at once with nobody to dial, and says so through onJoined', async () => {
    const fake = fakeLibp2p([{ id: SELF, addresses: [{}] }])
    const j = make(fake, { bootstrap: [] })
    await j.whenReady({ signal: AbortSignal.timeout(1000) })
    expect(j.ready).toBe(true)
    expect(joined).toBe(1)
    expect(fake.dials).toEqual([])
    expect(fake.lookups).toEqual([])
  })

  it('stop() aborts a dial in flight, schedules nothing more and removes its listeners', async () => {
    const fake = fakeLibp2p()
    fake.hangDials = true
    const j = make(fake)
    await after(0)
    expect(fake.dials).toHaveLength(1)
    expect(fake.listenerCount()).toBeGreaterThan(0)
    j.stop()
    expect(fake.dials[0]?.signal.aborted).toBe(true)
    await after(10_000)
    expect(fake.dials).toHaveLength(1)
    expect(j.ready).toBe(false)
    expect(fake.listenerCount()).toBe(0)
  })

  it('stops retrying when stopped between attempts', async () => {
    const fake = fakeLibp2p()
    const j = make(fake)
    await after(30)
    j.stop()
    const attempts = fake.dials.length
    expect(attempts).toBeGreaterThan(0)
    await after(120)
    expect(fake.dials.length).toBe(attempts)
  })

  it('stop() while waiting for the self-query leaves it not ready', async () => {
    const fake = fakeLibp2p()
    fake.reachable = true
    const j = make(fake)
    await after(0)
    j.stop()
    dhtSelfQueryDone(fake) // too late: the listener is gone
    await after(100)
    expect(j.ready).toBe(false)
    expect(joined).toBe(0)
  })

  it('whenReady: rejects with the reason of an already aborted signal; resolves every waiter on ready', async () => {
    const fake = fakeLibp2p()
    fake.reachable = true
    const j = make(fake)
    const reason = new Error('gave up')
    await expect(j.whenReady({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    const waiters = [j.whenReady(), j.whenReady(), j.whenReady({ signal: new AbortController().signal })]
    await after(0)
    dhtSelfQueryDone(fake)
    await expect(Promise.all(waiters)).resolves.toEqual([undefined, undefined, undefined])
    await expect(j.whenReady({ signal: AbortSignal.abort() })).resolves.toBeUndefined() // already ready wins
  })

  it('whenReady rejects when its signal aborts later', async () => {
    const j = make(fakeLibp2p())
    const controller = new AbortController()
    const waiting = j.whenReady({ signal: controller.signal })
    await after(5)
    controller.abort(new Error('timed out'))
    await expect(waiting).rejects.toThrow('timed out')
  })
})
