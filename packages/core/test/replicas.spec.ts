import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { decide } from '../src/compute/replicas.js'
import { canonicalJson, resultHash } from '../src/compute/result-hash.js'
import { Scheduler } from '../src/compute/scheduler.js'
import type { JobEvent } from '../src/compute/job-events.js'
import type { RunEvent, RunInit, SchedulerComponents } from '../src/compute/scheduler.js'
import type { JobTarget } from '../src/discovery/targets.js'
import type { PeerId } from '@libp2p/interface'

const newPeer = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const [self, a, b, c, d] = await Promise.all([newPeer(), newPeer(), newPeer(), newPeer(), newPeer()]) as [PeerId, PeerId, PeerId, PeerId, PeerId]
const name = new Map(([[self, 'self'], [a, 'a'], [b, 'b'], [c, 'c'], [d, 'd']] as const).map(([p, n]) => [p.toString(), n]))
const nameOf = (id: string): string => name.get(id) ?? id

const result = (value: unknown): JobEvent[] => [{ type: 'accepted', queuePosition: 0 }, { type: 'started' }, { type: 'result', value }]

/** A scheduler whose peers answer each job with the events given per peer (a throw for a peer that dies). */
function scheduler (targets: JobTarget[], answers: Map<PeerId, JobEvent[] | Error>, avoided: PeerId[] = []): { s: Scheduler, sent: string[], recorded: Array<{ agreed: string[], minority: string[] }> } {
  const sent: string[] = []
  const recorded: Array<{ agreed: string[], minority: string[] }> = []
  const components: SchedulerComponents = {
    libp2p: { peerId: self },
    compute: {
      send: async function * (peer: PeerId, job) {
        sent.push(`${nameOf(peer.toString())}${job.dataset != null ? `:${job.dataset}` : ''}`)
        const answer = answers.get(peer) ?? []
        if (answer instanceof Error) throw answer
        yield * answer
      }
    },
    pool: { position: () => 0, enqueue: async () => ({ ok: true, value: 'local' }) } as unknown as SchedulerComponents['pool'],
    targets: { find: async () => targets },
    readRows: async () => [],
    scores: {
      split: async <T extends { toString: () => string }>(peers: T[]) => ({
        preferred: peers.filter(p => !avoided.some(x => x.toString() === p.toString())),
        avoided: peers.filter(p => avoided.some(x => x.toString() === p.toString()))
      }),
      record: async (agreed: string[], minority: string[]) => { recorded.push({ agreed: agreed.map(nameOf).sort(), minority: minority.map(nameOf) }) }
    },
    logger: defaultLogger()
  }
  return { s: new Scheduler(components), sent, recorded }
}

async function run (s: Scheduler, init: Partial<RunInit> = {}): Promise<RunEvent[]> {
  const seen: RunEvent[] = []
  for await (const e of s.schedule({ code: 'export default () => 42', ...init })) seen.push(e)
  return seen
}

const finals = (seen: RunEvent[]): RunEvent[] => seen.filter(e => e.type === 'result' || e.type === 'error')

describe('canonical result hash', () => {
  it('sorts object keys at every level, keeps array order, drops undefined as JSON does', async () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}')
    expect(canonicalJson('x')).toBe('"x"')
    expect(canonicalJson([1, undefined])).toBe('[1,null]')
    expect(await resultHash({ x: 1, y: [1, 2] })).toBe(await resultHash({ y: [1, 2], x: 1 }))
    expect(await resultHash([1, 2])).not.toBe(await resultHash([2, 1]))
    expect(await resultHash(1)).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('decide', () => {
  const ok = (peerId: string, value: unknown): { peerId: string, event: { type: 'result', value: unknown } } => ({ peerId, event: { type: 'result', value } })
  const err = (peerId: string, message: string): { peerId: string, event: { type: 'error', status: 'failed', message: string } } => ({ peerId, event: { type: 'error', status: 'failed', message } })

  it('the majority wins whatever the key order; the others are named with their hash', async () => {
    const { final, peerId, verdict } = await decide([ok('a', { x: 1, y: 2 }), ok('b', { lie: 1 }), ok('c', { y: 2, x: 1 })], 3)
    expect(final).toEqual({ type: 'result', value: { x: 1, y: 2 } })
    expect(peerId).toBe('a')
    expect(verdict).toEqual({ replicas: 3, hash: await resultHash({ x: 1, y: 2 }), agreed: ['a', 'c'], disagreed: [{ peerId: 'b', hash: await resultHash({ lie: 1 }) }], failed: [] })
  })

  it('a majority of the replicas asked for, not of those that answered', async () => {
    const { final, verdict } = await decide([ok('a', 1), err('b', 'threw'), err('c', 'went away')], 3)
    expect(final).toMatchObject({ type: 'error', status: 'failed', message: expect.stringMatching(/^no majority among 3 replicas: 2 had to agree, at most 1 did .*2 failed/) })
    expect(verdict).toMatchObject({ agreed: [], disagreed: [{ peerId: 'a' }], failed: [{ peerId: 'b' }, { peerId: 'c' }] })
    expect(verdict.hash).toBeUndefined()
  })

  it('three different results: no majority', async () => {
    const { final } = await decide([ok('a', 1), ok('b', 2), ok('c', 3)], 3)
    expect(final).toMatchObject({ type: 'error', message: expect.stringContaining('no majority among 3 replicas: 2 had to agree, at most 1 did (3 different results') })
  })

  it('every replica failed: the first failure is the answer (a job that throws throws everywhere)', async () => {
    const { final, peerId } = await decide([err('a', 'Error: bad'), err('b', 'Error: bad')], 2)
    expect([final, peerId]).toEqual([{ type: 'error', status: 'failed', message: 'Error: bad' }, 'a'])
  })
})

describe('Scheduler with replicas', () => {
  it('runs the job on k distinct holders of the same bytes; the majority result carries who disagreed, which is remembered', async () => {
    const { s, sent, recorded } = scheduler([{ dataset: 'cars', hash: 'h1', candidates: [a, b, c, d], names: { [c.toString()]: 'autos' } }], new Map([[a, result(7)], [b, result({ lie: 7 })], [c, result(7)]]))
    const seen = await run(s, { replicas: 3, tags: ['#cars'] })
    expect(sent.sort()).toEqual(['a:cars', 'b:cars', 'c:autos'])
    expect(finals(seen)).toEqual([expect.objectContaining({ type: 'result', value: 7, peerId: a.toString(), dataset: 'cars', verdict: expect.objectContaining({ replicas: 3, agreed: expect.arrayContaining([a.toString(), c.toString()]), disagreed: [{ peerId: b.toString(), hash: await resultHash({ lie: 7 }) }] }) })])
    // the steps of each replica are tagged with it; only the decision is a result
    expect(new Set(seen.filter(e => e.type === 'started').map(e => e.replica))).toEqual(new Set([0, 1, 2]))
    expect(recorded).toEqual([{ agreed: ['a', 'c'], minority: ['b'] }])
  })

  it('fewer live peers than replicas: one error before anything is sent', async () => {
    const { s, sent } = scheduler([{ dataset: 'cars', hash: 'abcdef0123456789', candidates: [a, b] }], new Map())
    const seen = await run(s, { replicas: 3, tags: ['#cars'] })
    expect(seen).toEqual([expect.objectContaining({ type: 'error', status: 'not-found', message: '3 replicas need 3 distinct peers, and there are 2 live holders of "cars" (content abcdef012345…): nothing was sent; ask for at most 2 replicas' })])
    expect(sent).toEqual([])
    const workers = scheduler([{ candidates: [a], anyWorker: true }], new Map())
    expect((await run(workers.s, { replicas: 2 }))[0]).toMatchObject({ message: expect.stringContaining('there is 1 live #compute:js workers besides this node') })
  })

  it('replicas out of range are refused before anything happens', async () => {
    const { s } = scheduler([], new Map())
    await expect(run(s, { replicas: 0 })).rejects.toThrow(/replicas must be a whole number from 1 to 16, not 0/)
    await expect(run(s, { replicas: 17 })).rejects.toMatchObject({ name: 'ReplicasInvalidError' })
    await expect(run(s, { replicas: 1.5 })).rejects.toMatchObject({ name: 'ReplicasInvalidError' })
  })

  it('a peer that returned minority results is left out while enough others can take the job', async () => {
    const { s, sent } = scheduler([{ candidates: [b, a, c], anyWorker: true }], new Map([[a, result(1)], [b, result(1)], [c, result(1)]]), [b])
    const seen = await run(s, { replicas: 2 })
    expect(sent.sort()).toEqual(['a', 'c'])
    expect(finals(seen)[0]).toMatchObject({ type: 'result', value: 1, verdict: { agreed: expect.any(Array), disagreed: [] } })
  })

  it('a replica whose holder dies goes to a spare peer, never to one running another replica', async () => {
    const { s, sent } = scheduler([{ candidates: [a, b, c], anyWorker: true }], new Map<PeerId, JobEvent[] | Error>([[a, new Error('reset')], [b, result(5)], [c, result(5)]]))
    const seen = await run(s, { replicas: 2 })
    expect(sent.sort()).toEqual(['a', 'b', 'c'])
    expect(finals(seen)).toEqual([expect.objectContaining({ type: 'result', value: 5, verdict: expect.objectContaining({ agreed: expect.arrayContaining([b.toString(), c.toString()]) }) })])
  })

  it('named peers are one job together: each a replica', async () => {
    const { s, sent } = scheduler([{ candidates: [a] }, { candidates: [b] }, { candidates: [c] }], new Map([[a, result(1)], [b, result(1)], [c, result(2)]]))
    const seen = await run(s, { replicas: 3, peers: [a, b, c] })
    expect(sent.sort()).toEqual(['a', 'b', 'c'])
    expect(finals(seen)).toEqual([expect.objectContaining({ type: 'result', value: 1, verdict: expect.objectContaining({ disagreed: [expect.objectContaining({ peerId: c.toString() })] }) })])
  })

  it('no majority: one error naming the vote, and nobody is scored', async () => {
    const { s, recorded } = scheduler([{ candidates: [a, b, c], anyWorker: true }], new Map([[a, result(1)], [b, result(2)], [c, result(3)]]))
    const seen = await run(s, { replicas: 3 })
    expect(finals(seen)).toEqual([expect.objectContaining({ type: 'error', message: expect.stringContaining('no majority among 3 replicas'), verdict: expect.objectContaining({ disagreed: expect.any(Array) }) })])
    expect(recorded).toEqual([])
  })
})
