import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { LoadBook } from '../src/compute/load-book.js'
import { Scheduler } from '../src/compute/scheduler.js'
import type { JobEvent } from '../src/compute/job-events.js'
import type { SchedulerComponents } from '../src/compute/scheduler.js'
import type { PeerId } from '@libp2p/interface'

const newPeer = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const [self, a, b, c] = await Promise.all([newPeer(), newPeer(), newPeer(), newPeer()]) as [PeerId, PeerId, PeerId, PeerId]
const name = new Map(([[a, 'a'], [b, 'b'], [c, 'c']] as const).map(([p, n]) => [p.toString(), n]))

describe('LoadBook', () => {
  it('the least loaded by (busy + 1) / workers; equals in the given order', () => {
    const book = new LoadBook()
    book.claim('a', { poolSize: 1, running: 1, waiting: 0 })
    book.claim('b', { poolSize: 4, running: 2, waiting: 0 })
    book.claim('c', { poolSize: 4, running: 2, waiting: 0 })
    expect(book.leastLoaded(['a', 'b', 'c'])).toBe(1)
    expect(book.leastLoaded(['c', 'b', 'a'])).toBe(0)
    // a peer that never said (an older node) counts as one worker
    expect(book.load('old')).toBe(1)
  })

  it('jobs sent and ended here move a claim on at once, without waiting for the next answer', () => {
    const book = new LoadBook()
    book.claim('a', { poolSize: 2, running: 0, waiting: 0 })
    book.claim('b', { poolSize: 2, running: 0, waiting: 0 })
    book.started('a')
    expect(book.leastLoaded(['a', 'b'])).toBe(1)
    book.started('b')
    book.started('b')
    expect(book.leastLoaded(['a', 'b'])).toBe(0)
    // a fresh claim counts our jobs in flight; only the change since is added
    book.claim('b', { poolSize: 2, running: 2, waiting: 0 })
    expect(book.load('b')).toBe(1.5)
    book.ended('b')
    book.ended('b')
    expect(book.load('b')).toBe(0.5)
  })

  it('a claim is a hint: clamped, and a worker claiming to be idle still counts every job sent to it', () => {
    const book = new LoadBook()
    book.claim('liar', { poolSize: 1e9, running: 0, waiting: 0 })
    book.claim('honest', { poolSize: 4, running: 0, waiting: 0 })
    expect(book.load('liar')).toBe(1 / 64)
    for (let i = 0; i < 10; i++) book.started('liar')
    // the liar claims to be idle again; our 10 jobs there still count
    book.claim('liar', { poolSize: 1e9, running: 0, waiting: 0 })
    expect(book.load('liar')).toBe(11 / 64)
    expect(book.leastLoaded(['liar', 'honest'])).toBe(0)
    for (let i = 0; i < 10; i++) book.started('liar')
    // past 16 jobs (its clamped 64 workers' share against the honest 4 idle), the honest worker gets the next
    expect(book.leastLoaded(['liar', 'honest'])).toBe(1)
    book.claim('swamped', { poolSize: 0, running: 4e9, waiting: 4e9 })
    expect(book.load('swamped')).toBe(1025)
  })

  it('keeps a bounded number of peers, never one with jobs in flight', () => {
    const book = new LoadBook()
    book.started('busy')
    for (let i = 0; i < 5000; i++) book.claim(`p${i}`, { poolSize: 1, running: 0, waiting: 0 })
    expect(book.load('busy')).toBe(2)
    expect(book.load('p0')).toBe(1)
    expect((book as unknown as { peers: Map<string, unknown> }).peers.size).toBeLessThanOrEqual(4096)
  })
})

describe('Scheduler placement', () => {
  it('pipelined data-free jobs keep every worker busy by its pool size', async () => {
    const book = new LoadBook()
    book.claim(a.toString(), { poolSize: 2, running: 0, waiting: 0 })
    book.claim(b.toString(), { poolSize: 1, running: 0, waiting: 0 })
    book.claim(c.toString(), { poolSize: 1, running: 0, waiting: 0 })
    const sent: string[] = []
    const release: Array<() => void> = []
    const components: SchedulerComponents = {
      libp2p: { peerId: self },
      compute: {
        send: async function * (peer: PeerId): AsyncGenerator<JobEvent> {
          sent.push(name.get(peer.toString()) ?? '?')
          await new Promise<void>(resolve => release.push(resolve))
          yield { type: 'result', value: 1 }
        }
      },
      pool: { position: () => 0, enqueue: async () => ({ ok: true, value: 1 }) } as unknown as SchedulerComponents['pool'],
      // each run rotates the workers, as JobTargets does
      targets: { find: async () => { const all = [a, b, c]; const r = sent.length % 3; return [{ candidates: [...all.slice(r), ...all.slice(0, r)], anyWorker: true }] } },
      readRows: async () => [],
      load: book,
      logger: defaultLogger()
    }
    const s = new Scheduler(components)
    const drain = async (events: AsyncIterable<unknown>): Promise<number> => { let n = 0; for await (const e of events) if (e != null) n++; return n }
    const runs = Array.from({ length: 8 }, async () => drain(s.schedule({ code: 'export default () => 1' })))
    await new Promise(resolve => setTimeout(resolve, 50))
    // 8 jobs on 4 workers: two each per worker slot, a twice as many
    const count = (n: string): number => sent.filter(s => s === n).length
    expect([count('a'), count('b'), count('c')]).toEqual([4, 2, 2])
    for (const r of release) r()
    for (let i = 0; i < 20 && release.length < 8; i++) await new Promise(resolve => setTimeout(resolve, 10))
    for (const r of release.splice(0)) r()
    await Promise.all(runs)
  })
})
