import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { Scheduler } from '../src/compute/scheduler.js'
import { JobDeadlineError } from '../src/errors.js'
import type { JobEvent } from '../src/compute/job-events.js'
import type { PoolJob } from '../src/compute/pool.js'
import type { RunEvent, RunInit, SchedulerComponents } from '../src/compute/scheduler.js'
import type { JobTarget } from '../src/discovery/targets.js'
import type { PeerId } from '@libp2p/interface'

const newPeer = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
const [self, a, b, c] = await Promise.all([newPeer(), newPeer(), newPeer(), newPeer()]) as [PeerId, PeerId, PeerId, PeerId]
const name = new Map(([[self, 'self'], [a, 'a'], [b, 'b'], [c, 'c']] as const).map(([p, n]) => [p.toString(), n]))

/** What a peer does with each job it is sent, in order: events, then optionally a throw. */
type Script = Array<{ events?: JobEvent[], fail?: Error }>

const closed = (): Error => Object.assign(new Error('the connection closed'), { name: 'ConnectionClosedError' })
const RESULT: JobEvent[] = [{ type: 'accepted', queuePosition: 0 }, { type: 'started' }, { type: 'result', value: 42 }]

function scheduler (targets: JobTarget[], scripts: Map<PeerId, Script>): { scheduler: Scheduler, sent: string[], local: string[] } {
  const sent: string[] = []
  const local: string[] = []
  const components: SchedulerComponents = {
    libp2p: { peerId: self },
    compute: {
      send: async function * (peer: PeerId) {
        sent.push(name.get(peer.toString()) ?? '?')
        const step = scripts.get(peer)?.shift() ?? {}
        for (const event of step.events ?? []) yield event
        if (step.fail != null) throw step.fail
      }
    },
    pool: {
      position: () => 0,
      enqueue: async (job: PoolJob) => {
        local.push(String(job.data))
        job.onStart?.()
        return { ok: true, value: 'local' }
      }
    } as unknown as SchedulerComponents['pool'],
    targets: { find: async () => targets },
    readRows: async name => { if (name === 'gone') throw Object.assign(new Error('no such dataset'), { name: 'DatasetNotFoundError' }); return [`rows of ${name}`] },
    logger: defaultLogger()
  }
  return { scheduler: new Scheduler(components), sent, local }
}

async function events (s: Scheduler, init: Partial<RunInit> = {}): Promise<RunEvent[]> {
  const seen: RunEvent[] = []
  for await (const e of s.schedule({ code: 'export default () => 42', ...init })) seen.push(e)
  return seen
}

/** Each event as `type@peer` (with the attempt for `dispatched`), for reading a whole run at a glance. */
const trace = (seen: RunEvent[]): string[] => seen.map(e => `${e.type}${e.type === 'dispatched' ? String(e.attempt) : ''}@${name.get(e.peerId) ?? e.peerId}`)

describe('Scheduler', () => {
  it('tags every event with its job, the peer and the dataset', async () => {
    const { scheduler: s } = scheduler([{ dataset: 'cars', candidates: [a] }], new Map([[a, [{ events: RESULT }]]]))
    const seen = await events(s)
    expect(trace(seen)).toEqual(['dispatched0@a', 'accepted@a', 'started@a', 'result@a'])
    const jobId = seen[0]?.jobId
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/)
    expect(seen.every(e => e.jobId === jobId && e.peerId === a.toString() && e.dataset === 'cars')).toBe(true)
  })

  it('a busy peer or a refusing worker: the next candidate takes the job', async () => {
    const busy: JobEvent = { type: 'error', status: 'busy', message: 'too many jobs' }
    const forbidden: JobEvent = { type: 'error', status: 'forbidden', message: 'not running jobs for others' }
    const { scheduler: s, sent } = scheduler([{ candidates: [a, b, c], anyWorker: true }], new Map([[a, [{ events: [busy] }]], [b, [{ events: [forbidden] }]], [c, [{ events: RESULT }]]]))
    const seen = await events(s)
    expect(sent).toEqual(['a', 'b', 'c'])
    expect(trace(seen)).toEqual(['dispatched0@a', 'dispatched1@b', 'dispatched2@c', 'accepted@c', 'started@c', 'result@c'])
  })

  it('a named peer that forbids the job: its error is the answer, not a reason to go elsewhere', async () => {
    const { scheduler: s, sent } = scheduler([{ candidates: [a, b] }], new Map([[a, [{ events: [{ type: 'error', status: 'forbidden', message: 'no' }] }]]]))
    expect(trace(await events(s))).toEqual(['dispatched0@a', 'error@a'])
    expect(sent).toEqual(['a'])
  })

  it('a relayed connection that closes as it opens: the same peer once more, then the next', async () => {
    const { scheduler: s, sent } = scheduler([{ candidates: [a, b] }], new Map([[a, [{ fail: closed() }, { fail: closed() }]], [b, [{ events: RESULT }]]]))
    const seen = await events(s)
    expect(sent).toEqual(['a', 'a', 'b'])
    expect(trace(seen).filter(t => t.startsWith('dispatched') || t.startsWith('result'))).toEqual(['dispatched0@a', 'dispatched1@a', 'dispatched2@b', 'result@b'])
  })

  it('a connection that closes after the peer spoke: the next holder, not the same one', async () => {
    const { scheduler: s, sent } = scheduler([{ candidates: [a, b] }], new Map([[a, [{ events: [{ type: 'accepted', queuePosition: 0 }], fail: closed() }]], [b, [{ events: RESULT }]]]))
    expect(trace(await events(s))).toEqual(['dispatched0@a', 'accepted@a', 'dispatched1@b', 'accepted@b', 'started@b', 'result@b'])
    expect(sent).toEqual(['a', 'b'])
  })

  it('retries are bounded; the one error names the last problem', async () => {
    const silent = new JobDeadlineError('the holder said nothing for 30 s')
    const { scheduler: s, sent } = scheduler([{ candidates: [a, b, c] }], new Map([[a, [{ fail: silent }]], [b, [{ fail: new Error('reset') }]], [c, [{ events: RESULT }]]]))
    const seen = await events(s, { retries: 1 })
    expect(sent).toEqual(['a', 'b'])
    expect(seen.at(-1)).toMatchObject({ type: 'error', status: 'internal', message: `no result: ${b.toString()} went away: reset`, peerId: b.toString() })
    expect(seen.filter(e => e.type === 'result' || e.type === 'error')).toHaveLength(1)
  })

  it('a silent holder past the deadline counts as gone', async () => {
    const { scheduler: s } = scheduler([{ dataset: 'cars', candidates: [a] }], new Map([[a, [{ events: [{ type: 'accepted', queuePosition: 0 }], fail: new JobDeadlineError('no word from the holder') }]]]))
    expect((await events(s)).at(-1)).toMatchObject({ type: 'error', status: 'internal', message: 'no result: no word from the holder', dataset: 'cars' })
  })

  it('a stream that ends before a result: the next holder', async () => {
    const { scheduler: s } = scheduler([{ candidates: [a] }], new Map([[a, [{ events: [{ type: 'started' }] }]]]))
    expect((await events(s)).at(-1)).toMatchObject({ type: 'error', message: 'no result: the stream ended before a result' })
  })

  it('a failure after the result went out is not a reason to send the job again', async () => {
    const { scheduler: s, sent } = scheduler([{ candidates: [a, b] }], new Map([[a, [{ events: RESULT, fail: closed() }]]]))
    expect(trace(await events(s))).toEqual(['dispatched0@a', 'accepted@a', 'started@a', 'result@a'])
    expect(sent).toEqual(['a'])
  })

  it('nobody to take a data-free job: the local pool when allowed, else one error', async () => {
    const allowed = scheduler([{ candidates: [], anyWorker: true }], new Map())
    expect(trace(await events(allowed.scheduler, { allowLocal: true }))).toEqual(['dispatched0@self', 'accepted@self', 'started@self', 'result@self'])
    const refused = scheduler([{ candidates: [], anyWorker: true }], new Map())
    expect(await events(refused.scheduler)).toEqual([expect.objectContaining({ type: 'error', message: 'no result: no peer holds this job\'s data or offers compute', peerId: '' })])
  })

  it('this node among the candidates: its own pool on its own rows', async () => {
    const { scheduler: s, sent, local } = scheduler([{ dataset: 'cars', candidates: [self, a] }, { dataset: 'gone', candidates: [self] }], new Map())
    const seen = await events(s)
    expect(sent).toEqual([])
    expect(local).toEqual(['rows of cars'])
    expect(seen.filter(e => e.dataset === 'cars').map(e => e.type)).toEqual(['dispatched', 'accepted', 'started', 'result'])
    expect(seen.filter(e => e.dataset === 'gone')).toEqual([expect.objectContaining({ type: 'dispatched' }), expect.objectContaining({ type: 'error', status: 'not-found' })])
  })

  it('no target for tags: one not-found error', async () => {
    const { scheduler: s } = scheduler([], new Map())
    expect(await events(s, { tags: ['#nobody'] })).toEqual([{ type: 'error', status: 'not-found', message: 'no live holder found for #nobody', jobId: '', peerId: '' }])
  })

  it('one job per target, each with its own id', async () => {
    const { scheduler: s } = scheduler([{ dataset: 'x', candidates: [a] }, { dataset: 'y', candidates: [b] }], new Map([[a, [{ events: RESULT }]], [b, [{ events: RESULT }]]]))
    const results = (await events(s)).filter(e => e.type === 'result')
    expect(results.map(e => e.dataset).sort()).toEqual(['x', 'y'])
    expect(new Set(results.map(e => e.jobId)).size).toBe(2)
  })
})
