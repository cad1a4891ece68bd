/**
 * `/grid/<network>/compute/1.0.0` (src/compute/compute-service.ts) over an in-memory stream pair,
 * with narrow fakes for its components (a pool with `enqueue` and `position`, a dataset store)
 * and the real AccessPolicy: no sockets, no workers. As the holder it streams accepted → started
 * → progress → log → result, answers a refused job with one error, resets a frame that does not
 * decode or is too large, and cancels a job whose requester went away. As the requester, `send`
 * yields a holder's events and gives up on a silent holder. Real sockets and sandboxes:
 * test/compute.spec.ts, test/hostile-compute.spec.ts, test/wire-fuzz.spec.ts.
 */
import { defaultLogger } from '@libp2p/logger'
import { lpStream, pbStream, streamPair } from '@libp2p/utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AccessPolicy } from '../src/access.js'
import { codeCid } from '../src/compute/code-cid.js'
import { ComputeService } from '../src/compute/compute-service.js'
import { fromPbJobEvent, resultEvent, resultFrames, toPbJobEvent } from '../src/compute/convert.js'
import * as c from '../src/constants.js'
import { BusyError, DatasetNotFoundError, EngineUnavailableError, JobDeadlineError } from '../src/errors.js'
import { JobEvent as PbJobEvent, JobRequest } from '../src/pb/grid.js'
import { connectionFrom, ending, fakeLibp2p, FRIEND, HOLDER, STRANGER } from './helpers/protocol-harness.js'
import type { DatasetDescriptor } from '../src/catalog/descriptor.js'
import type { DatasetStore } from '../src/catalog/datasets.js'
import type { ComputeComponents, ComputeServiceInit, ServedJobEvent } from '../src/compute/compute-service.js'
import type { JobEvent } from '../src/compute/job-events.js'
import type { PoolJob, WorkerPool } from '../src/compute/pool.js'
import type { SandboxOutcome } from '../src/compute/sandbox.js'
import type { SandboxResult } from '../src/compute/engine.js'
import type { WireEvent } from '../src/compute/convert.js'
import type { AbortOptions, PeerId, Stream } from '@libp2p/interface'

const ROWS = [{ mpg: 18 }, { mpg: 24 }]

function descriptor (name: string, visibility: 'public' | 'private' = 'public', allow: string[] = []): DatasetDescriptor {
  return { name, tags: ['#cars'], description: '', format: 'csv', rows: ROWS.length, columns: [{ name: 'mpg', type: 'number' }], hash: '', bytes: 20, visibility, allow, addedAt: 1, status: 'ok' }
}

/** The part of a DatasetStore a job asks: a descriptor by name, and its rows. */
function fakeDatasets (): Pick<DatasetStore, 'get' | 'readRows'> & { read: string[] } {
  const held = new Map([['cars', descriptor('cars')], ['secret', descriptor('secret', 'private', [FRIEND.toString()])]])
  const read: string[] = []
  return {
    read,
    get: async (name: string) => {
      const found = held.get(name)
      if (found == null) throw new DatasetNotFoundError(name)
      return found
    },
    readRows: async (name: string) => {
      read.push(name)
      return ROWS
    }
  }
}

/** A worker pool that hands each job to `run` and says `position` jobs are ahead. */
function fakePool (run: (job: PoolJob, options: AbortOptions) => Promise<SandboxOutcome>, position = 0) {
  const jobs: PoolJob[] = []
  const signals: AbortSignal[] = []
  return {
    jobs,
    signals,
    position: (_owner?: string) => position,
    enqueue: async (job: PoolJob, options: AbortOptions = {}) => {
      jobs.push(job)
      if (options.signal != null) signals.push(options.signal)
      return run(job, options)
    },
    // the compute service's path: the result as the guest's JSON text
    run: async (job: PoolJob, options: AbortOptions = {}): Promise<SandboxResult> => {
      jobs.push(job)
      if (options.signal != null) signals.push(options.signal)
      const outcome = await run(job, options)
      return outcome.ok ? { ok: true, json: JSON.stringify(outcome.value) } : outcome
    }
  }
}

/** A job that starts at once, reports progress and a log line, and returns `value`. */
const runs = (value: unknown) => async (job: PoolJob): Promise<SandboxOutcome> => {
  job.onStart?.()
  job.onProgress?.(0.5)
  job.onLog?.('halfway')
  return { ok: true, value }
}

/** A job that waits in the queue until its signal aborts. */
const waitsForever = async (_job: PoolJob, options: AbortOptions): Promise<SandboxOutcome> => new Promise((_resolve, reject) => {
  options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }, { once: true })
})

async function holderService (init: { pool?: ReturnType<typeof fakePool>, access?: AccessPolicy, compute?: ComputeServiceInit, approved?: string[] } = {}) {
  const libp2p = fakeLibp2p()
  const pool = init.pool ?? fakePool(runs(42))
  const datasets = fakeDatasets()
  const service = new ComputeService({
    libp2p: libp2p as unknown as ComputeComponents['libp2p'],
    streams: libp2p,
    datasets: datasets as unknown as DatasetStore,
    pool: pool as unknown as WorkerPool,
    access: init.access ?? new AccessPolicy(),
    approvals: { has: async (cid: string) => (init.approved ?? []).includes(cid) },
    logger: defaultLogger()
  }, { network: 'lab', ...init.compute })
  const served: ServedJobEvent[] = []
  service.onServed(event => { served.push(event) })
  await service.start()
  const registered = libp2p.handlers.get(service.protocol)
  if (registered == null) throw new Error('the compute service registered no handler')
  /** Opens a stream from `peer` to the handler; the test holds the requester's end. */
  const open = async (peer: PeerId): Promise<{ requester: Stream, handled: Promise<void> }> => {
    const [requester, holder] = await streamPair()
    const handled = Promise.resolve(registered.handler(holder, connectionFrom(peer)))
    return { requester, handled }
  }
  return { service, libp2p, pool, datasets, served, registered, open }
}

function request (init: Partial<JobRequest> = {}): JobRequest {
  return { id: 'job-1', code: 'export default ({ data }) => data.length', dataset: '', argsJson: 'null', timeoutMs: 0, codeCid: '', engine: '', resultParts: false, ...init }
}

/** Sends one job request and reads events until a result or an error; then closes its side. */
async function job (requester: Stream, req: JobRequest): Promise<JobEvent[]> {
  const pb = pbStream(requester)
  await pb.write(req, JobRequest)
  const events: JobEvent[] = []
  for (;;) {
    const event = fromPbJobEvent(await pb.read(PbJobEvent))
    events.push(event)
    if (event.type === 'result' || event.type === 'error') break
  }
  await requester.close()
  return events
}

describe('compute protocol: the holder', () => {
  it('registers /grid/<network>/compute/1.0.0 for a queue\'s worth of streams, on limited connections too, and unregisters on stop', async () => {
    const { service, libp2p, registered } = await holderService()
    expect(service.protocol).toBe('/grid/lab/compute/1.0.0')
    expect(registered.options).toMatchObject({ maxInboundStreams: c.MAX_JOB_QUEUE, maxOutboundStreams: c.MAX_JOB_QUEUE, runOnLimitedConnection: true })
    await service.stop()
    expect(libp2p.handlers.size).toBe(0)
  })

  it('streams accepted → started → progress → log → result, running the job on the dataset\'s rows', async () => {
    const { open, pool, datasets, served } = await holderService({ pool: fakePool(runs({ mean: 21 }), 3) })
    const { requester, handled } = await open(STRANGER)
    const events = await job(requester, request({ dataset: 'cars', argsJson: '{"k":2}', timeoutMs: 5_000 }))
    await handled
    expect(events).toEqual([
      { type: 'accepted', queuePosition: 3 },
      { type: 'started' },
      { type: 'progress', value: 0.5 },
      { type: 'log', text: 'halfway' },
      { type: 'result', value: { mean: 21 } }
    ])
    expect(datasets.read).toEqual(['cars'])
    expect(pool.jobs).toHaveLength(1)
    // the rows go to the pool as JSON text, as a worker takes them
    expect(pool.jobs[0]).toMatchObject({ code: request().code, dataJson: JSON.stringify(ROWS), args: { k: 2 }, owner: STRANGER.toString(), limits: { timeoutMs: 5_000 } })
    // every event of a served job, the result included, goes to the job log
    expect(served.map(s => s.event.type)).toEqual(['accepted', 'started', 'progress', 'log', 'result'])
    expect(served.every(s => s.jobId === 'job-1' && s.from === STRANGER.toString())).toBe(true)
  })

  it('caps the job\'s deadline at the holder\'s, and takes 0 as the holder\'s', async () => {
    const { open, pool } = await holderService({ compute: { maxTimeoutMs: 1_000 } })
    await job((await open(STRANGER)).requester, request({ timeoutMs: 60_000 }))
    await job((await open(STRANGER)).requester, request({ timeoutMs: 0 }))
    expect(pool.jobs.map(j => j.limits.timeoutMs)).toEqual([1_000, 1_000])
    expect(pool.jobs[0]?.data).toBeUndefined()
    expect(pool.jobs[0]?.dataJson).toBeUndefined()
  })

  it('a job that fails in its sandbox ends in one error naming the failure', async () => {
    const { open } = await holderService({ pool: fakePool(async job => { job.onStart?.(); return { ok: false, failure: 'timeout', message: 'the job ran past its deadline of 5 ms' } }) })
    const events = await job((await open(STRANGER)).requester, request())
    expect(events.at(-1)).toEqual({ type: 'error', status: 'failed', failure: 'timeout', message: 'the job ran past its deadline of 5 ms' })
  })

  it.each([
    ['compute is off', new AccessPolicy({ offer: false }), 'forbidden', /not running jobs for others/],
    ['the peer is not on the allow-list', new AccessPolicy({ allow: [FRIEND.toString()] }), 'forbidden', /only for the peers on its allow-list/]
  ])('a refused job (%s) gets one error event and never reaches the pool', async (_what, access, status, message) => {
    const { open, pool } = await holderService({ access })
    const { requester, handled } = await open(STRANGER)
    const events = await job(requester, request({ dataset: 'cars' }))
    await handled
    expect(events).toEqual([{ type: 'error', status, message: expect.stringMatching(message) }])
    expect(pool.jobs).toEqual([])
  })

  it('a peer over its jobs-at-once limit is told busy; its job already queued goes on', async () => {
    const { open, pool } = await holderService({ pool: fakePool(waitsForever), access: new AccessPolicy({ maxJobsPerPeer: 1 }) })
    const first = await open(STRANGER)
    const firstPb = pbStream(first.requester)
    await firstPb.write(request({ id: 'first' }), JobRequest)
    expect(fromPbJobEvent(await firstPb.read(PbJobEvent))).toEqual({ type: 'accepted', queuePosition: 0 })
    const second = await job((await open(STRANGER)).requester, request({ id: 'second' }))
    expect(second).toEqual([{ type: 'error', status: 'busy', message: expect.stringMatching(/already have 1 jobs here/) }])
    // another peer is not held back by this one's limit
    const other = await open(FRIEND)
    const otherPb = pbStream(other.requester)
    await otherPb.write(request({ id: 'other' }), JobRequest)
    expect(fromPbJobEvent(await otherPb.read(PbJobEvent))).toMatchObject({ type: 'accepted' })
    expect(pool.jobs).toHaveLength(2)
    first.requester.abort(new Error('done'))
    other.requester.abort(new Error('done'))
    await Promise.all([first.handled, other.handled])
  })

  it('a full queue is busy, in one error event', async () => {
    const { open } = await holderService({ pool: fakePool(async () => { throw new BusyError('the job queue is full (256 waiting); try later or another node') }) })
    const events = await job((await open(STRANGER)).requester, request())
    expect(events.at(-1)).toEqual({ type: 'error', status: 'busy', message: 'the job queue is full (256 waiting); try later or another node' })
  })

  it('a private dataset is not found for a stranger, as a missing one is, and found for a peer on its allow-list', async () => {
    const { open, datasets } = await holderService()
    expect(await job((await open(STRANGER)).requester, request({ dataset: 'secret' }))).toEqual([{ type: 'error', status: 'not-found', message: 'no dataset named "secret" here' }])
    expect(await job((await open(STRANGER)).requester, request({ dataset: 'nope' }))).toEqual([{ type: 'error', status: 'not-found', message: 'no dataset named "nope" here' }])
    expect(datasets.read).toEqual([])
    expect((await job((await open(FRIEND)).requester, request({ dataset: 'secret' }))).at(-1)).toEqual({ type: 'result', value: 42 })
    expect(datasets.read).toEqual(['secret'])
  })

  it.each([
    ['args that are not JSON', '{', 'args are not valid JSON'],
    ['args nested past MAX_RESULT_DEPTH', '['.repeat(c.MAX_RESULT_DEPTH + 1) + ']'.repeat(c.MAX_RESULT_DEPTH + 1), `args are nested more than ${c.MAX_RESULT_DEPTH} levels deep`]
  ])('%s are a bad request, in one error event', async (_what, argsJson, message) => {
    const { open, pool } = await holderService()
    expect(await job((await open(STRANGER)).requester, request({ argsJson }))).toEqual([{ type: 'error', status: 'bad-request', message }])
    expect(pool.jobs).toEqual([])
  })

  it.each([
    // field 1 (id) with wire type 7, which does not exist
    ['a frame that does not decode', Uint8Array.from([0x0f, 0x01])],
    ['a frame over MAX_JOB_REQUEST_BYTES', JobRequest.encode(request({ code: 'x'.repeat(c.MAX_JOB_REQUEST_BYTES) }))]
  ])('resets the stream on %s, answers nothing, and goes on serving', async (_what, frame) => {
    const { open, pool } = await holderService()
    const { requester, handled } = await open(STRANGER)
    const ended = ending(requester)
    // the holder may reset while we write or close; a holder that answered would end the stream cleanly
    await lpStream(requester).write(frame).catch(() => {})
    await requester.close().catch(() => {})
    const end = await ended
    await handled
    expect(end.error).toBeDefined()
    expect(end.received).toBe(0)
    expect(requester.status).toBe('reset')
    expect(pool.jobs).toEqual([])
    expect((await job((await open(STRANGER)).requester, request())).at(-1)).toEqual({ type: 'result', value: 42 })
  })

  it('the requester going away cancels its job in the pool', async () => {
    const { open, pool, served } = await holderService({ pool: fakePool(waitsForever) })
    const { requester, handled } = await open(STRANGER)
    const pb = pbStream(requester)
    await pb.write(request(), JobRequest)
    expect(fromPbJobEvent(await pb.read(PbJobEvent))).toMatchObject({ type: 'accepted' })
    expect(pool.signals[0]?.aborted).toBe(false)
    requester.abort(new Error('the requester went away'))
    await handled
    expect(pool.signals[0]?.aborted).toBe(true)
    expect(served.map(s => s.event.type)).toEqual(['accepted'])
  })
})

describe('compute protocol: the requester', () => {
  afterEach(() => { vi.useRealTimers() })

  /** On fake timers, runs what is due now (the streams deliver on setTimeout 0) until `done`, without moving the clock. */
  const settleUntil = async (done: () => boolean): Promise<void> => {
    for (let i = 0; i < 1_000 && !done(); i++) await vi.advanceTimersByTimeAsync(0)
    expect(done()).toBe(true)
  }

  const requesterService = (holder: (stream: Stream) => void): ComputeService => new ComputeService({
    libp2p: fakeLibp2p(holder) as unknown as ComputeComponents['libp2p'],
    streams: fakeLibp2p(holder),
    datasets: fakeDatasets() as unknown as DatasetStore,
    pool: fakePool(runs(null)) as unknown as WorkerPool,
    access: new AccessPolicy(),
    approvals: { has: async () => false },
    logger: defaultLogger()
  }, { network: 'lab' })

  /** A holder end that reads the request, then writes `events` and closes when the requester does. */
  const answering = (events: WireEvent[], got?: (req: JobRequest) => void) => (stream: Stream): void => {
    void (async () => {
      const pb = pbStream(stream)
      got?.(await pb.read(JobRequest))
      for (const event of events) await pb.write(toPbJobEvent(event), PbJobEvent)
      await stream.close()
    })().catch(() => {})
  }

  it('send() writes the job and yields the holder\'s events up to the result', async () => {
    let got: JobRequest | undefined
    const service = requesterService(answering([{ type: 'accepted', queuePosition: 1 }, { type: 'started' }, { type: 'log', text: 'hi' }, { type: 'result', value: [1, 2] }], req => { got = req }))
    const events: JobEvent[] = []
    for await (const event of service.send(HOLDER, { id: 'j', code: 'export default () => [1, 2]', dataset: 'cars', args: { k: 1 }, timeoutMs: 2_000 })) events.push(event)
    // the requester adds which path the stream took
    expect(events).toEqual([{ type: 'accepted', queuePosition: 1, via: 'direct' }, { type: 'started' }, { type: 'log', text: 'hi' }, { type: 'result', value: [1, 2] }])
    // the code's CID goes with it, for the holder to check
    expect(got).toEqual({ id: 'j', code: 'export default () => [1, 2]', dataset: 'cars', argsJson: '{"k":1}', timeoutMs: 2_000, codeCid: await codeCid('export default () => [1, 2]'), engine: '', resultParts: true })
  })

  it('send() puts a result sent in parts together, checking what the holder claims', async () => {
    const value = { rows: Array.from({ length: 6000 }, (_, i) => ({ i, s: 'é漢'.repeat(100) })) }
    const frames = resultFrames(resultEvent(JSON.stringify(value)), true)
    expect(frames.filter(f => f.type === 'result-part').length).toBeGreaterThan(2)
    const received = async (sent: WireEvent[]): Promise<JobEvent[]> => {
      const events: JobEvent[] = []
      for await (const event of requesterService(answering(sent)).send(HOLDER, { id: 'j', code: '' })) events.push(event)
      return events
    }
    expect((await received(frames)).at(-1)).toEqual({ type: 'result', value })
    // parts that do not add up to the bytes claimed, or are not UTF-8, or keep coming past the limit: one error, nothing parsed
    expect(await received([...frames.slice(0, -1), { type: 'result-end', bytes: 12 }])).toEqual([{ type: 'error', status: 'failed', message: expect.stringMatching(/parts carried \d+ bytes, not the 12/) }])
    expect(await received([{ type: 'result-part', part: new Uint8Array([0xff, 0xfe]) }, { type: 'result-end', bytes: 2 }])).toEqual([{ type: 'error', status: 'failed', message: 'the holder\'s result is not UTF-8 text' }])
    expect(await received([{ type: 'result-end', bytes: 5 }])).toEqual([{ type: 'error', status: 'failed', message: expect.stringMatching(/carried 0 bytes, not the 5/) }])
    const flood = Array.from({ length: 17 }, (): WireEvent => ({ type: 'result-part', part: new Uint8Array(c.RESULT_PART_BYTES).fill(0x20) }))
    expect(await received(flood)).toEqual([{ type: 'error', status: 'failed', failure: 'result-too-large', message: expect.stringMatching(/more than \d+ bytes/) }])
  })

  it('send() yields a holder\'s error event as the last one, without throwing', async () => {
    const service = requesterService(answering([{ type: 'error', status: 'forbidden', message: 'no' }]))
    const events: JobEvent[] = []
    for await (const event of service.send(HOLDER, { id: 'j', code: '' })) events.push(event)
    expect(events).toEqual([{ type: 'error', status: 'forbidden', message: 'no' }])
  })

  it('a consumer that stops listening early cancels the job on the holder', async () => {
    let holderEnd: Stream | undefined
    const service = requesterService(stream => { holderEnd = stream; answering([{ type: 'accepted', queuePosition: 0 }])(stream) })
    const events = service.send(HOLDER, { id: 'j', code: '' })
    expect((await events.next()).value).toEqual({ type: 'accepted', queuePosition: 0, via: 'direct' })
    await events.return(undefined)
    await expect.poll(() => holderEnd?.status).toBe('reset')
  })

  it('a holder silent before the job starts trips the deadline: JobDeadlineError after QUEUE_SILENCE_TIMEOUT', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let holderEnd: Stream | undefined
    let asked = false
    const service = requesterService(stream => {
      holderEnd = stream
      void pbStream(stream).read(JobRequest).then(() => { asked = true }, () => {})
    })
    const seen: JobEvent[] = []
    const ended = (async () => { for await (const event of service.send(HOLDER, { id: 'j', code: '' })) seen.push(event) })().then(() => undefined, (err: Error) => err)
    await settleUntil(() => asked)
    await vi.advanceTimersByTimeAsync(c.QUEUE_SILENCE_TIMEOUT - 1)
    expect(holderEnd?.status).toBe('open') // still waiting
    await vi.advanceTimersByTimeAsync(1)
    const err = await ended
    expect(err).toBeInstanceOf(JobDeadlineError)
    expect(seen).toEqual([])
    expect(err?.message).toMatch(/went silent: nothing for 20 s before the job started/)
    vi.useRealTimers()
    await expect.poll(() => holderEnd?.status).toBe('reset')
  })

  it('once started, a holder that sends no result within the job\'s deadline plus JOB_RESULT_MARGIN trips it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let started = false
    const service = requesterService(stream => {
      void (async () => {
        const pb = pbStream(stream)
        await pb.read(JobRequest)
        await pb.write(toPbJobEvent({ type: 'started' }), PbJobEvent)
        started = true
      })().catch(() => {})
    })
    const seen: JobEvent[] = []
    let settled = false
    const ended = (async () => { for await (const event of service.send(HOLDER, { id: 'j', code: '', timeoutMs: 30_000 })) seen.push(event) })().then(() => undefined, (err: Error) => err).finally(() => { settled = true })
    await settleUntil(() => started && seen.length === 1)
    expect(seen).toEqual([{ type: 'started' }])
    // past the silence timeout: once started, only the job's own deadline counts
    await vi.advanceTimersByTimeAsync(c.QUEUE_SILENCE_TIMEOUT + 1)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(30_000 + c.JOB_RESULT_MARGIN - c.QUEUE_SILENCE_TIMEOUT - 2)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    const err = await ended
    expect(err).toBeInstanceOf(JobDeadlineError)
    expect(err?.message).toMatch(/sent no result within 40 s \(the job's deadline of 30 s, plus 10 s\)/)
  })
})

describe('compute protocol: approved code', () => {
  const CODE = request().code

  it('an approve-only holder refuses code it has not approved on its datasets, naming the CID, before reading a row', async () => {
    const cid = await codeCid(CODE)
    const { open, pool, datasets } = await holderService({ access: new AccessPolicy({ approveOnly: true }) })
    const { requester } = await open(STRANGER)
    const events = await job(requester, request({ dataset: 'cars', codeCid: cid }))
    expect(events).toEqual([{ type: 'error', status: 'forbidden', message: expect.stringContaining(`code ${cid} is not approved here`) }])
    expect(events[0]).toMatchObject({ message: expect.stringContaining(`grid-node approve ${cid}`) })
    expect(pool.jobs).toEqual([])
    expect(datasets.read).toEqual([])
  })

  it('runs approved code on its datasets, and any code without a dataset', async () => {
    const cid = await codeCid(CODE)
    const { open } = await holderService({ access: new AccessPolicy({ approveOnly: true }), approved: [cid] })
    const onData = await open(STRANGER)
    expect((await job(onData.requester, request({ dataset: 'cars', codeCid: cid }))).at(-1)).toEqual({ type: 'result', value: 42 })
    const other = 'export default () => 1'
    const dataFree = await open(STRANGER)
    expect((await job(dataFree.requester, request({ code: other, codeCid: await codeCid(other) }))).at(-1)).toEqual({ type: 'result', value: 42 })
  })

  it('a holder that is not approve-only runs any code', async () => {
    const { open } = await holderService()
    const { requester } = await open(STRANGER)
    expect((await job(requester, request({ dataset: 'cars', codeCid: await codeCid(CODE) }))).at(-1)).toEqual({ type: 'result', value: 42 })
  })

  it('refuses a job whose code does not hash to the CID sent with it; a request without one is checked by its own', async () => {
    const cid = await codeCid(CODE)
    const wrong = await codeCid('export default () => "approved"')
    const { open, pool } = await holderService({ access: new AccessPolicy({ approveOnly: true }), approved: [wrong] })
    const lying = await open(STRANGER)
    expect(await job(lying.requester, request({ dataset: 'cars', codeCid: wrong }))).toEqual([{ type: 'error', status: 'bad-request', message: expect.stringContaining(`sent as ${wrong}, but its code is ${cid}`) }])
    const old = await open(STRANGER)
    expect(await job(old.requester, request({ dataset: 'cars' }))).toEqual([{ type: 'error', status: 'forbidden', message: expect.stringContaining(cid) }])
    expect(pool.jobs).toEqual([])
  })
})

describe('compute protocol: engines and result text', () => {
  it('the job\'s engine reaches the pool; one the holder lacks (v8 on a tab) or an unknown one is a bad request', async () => {
    const { open, pool } = await holderService({
      pool: fakePool(async job => {
        if (job.engine === 'v8') throw new EngineUnavailableError('v8', ['quickjs'])
        return { ok: true, value: 1 }
      })
    })
    expect((await job((await open(STRANGER)).requester, request({ engine: 'quickjs' }))).at(-1)).toEqual({ type: 'result', value: 1 })
    expect(pool.jobs[0]?.engine).toBe('quickjs')
    expect((await job((await open(STRANGER)).requester, request({ engine: 'v8' }))).at(-1)).toMatchObject({ type: 'error', status: 'bad-request', message: expect.stringMatching(/"v8" engine is not available here .*browser tabs run jobs on QuickJS only/) })
    expect((await job((await open(STRANGER)).requester, request({ engine: 'spidermonkey' }))).at(-1)).toMatchObject({ type: 'error', status: 'bad-request', message: expect.stringMatching(/unknown engine "spidermonkey"/) })
    expect(pool.jobs).toHaveLength(2)
  })

  it('the worker\'s JSON text is framed as it is, not parsed and stringified again', async () => {
    const text = '{ "spaced" : [1, 2.50, "\\u00e9"] }'
    const holder = await holderService({ pool: Object.assign(fakePool(runs(null)), { run: async () => ({ ok: true as const, json: text }) }) })
    const pb = pbStream((await holder.open(STRANGER)).requester)
    await pb.write(request(), JobRequest)
    let frame: PbJobEvent
    do frame = await pb.read(PbJobEvent); while (frame.type !== PbJobEvent.Type.RESULT)
    expect(frame.json).toBe(text)
    expect(holder.served.at(-1)?.event).toEqual({ type: 'result', value: { spaced: [1, 2.5, 'é'] } })
  })

  it('a large result goes in parts of RESULT_PART_BYTES to a requester that takes them, in one frame to one that does not', async () => {
    const text = JSON.stringify('x'.repeat(2.5 * c.RESULT_PART_BYTES))
    const frames = async (resultParts: boolean): Promise<PbJobEvent[]> => {
      const holder = await holderService({ pool: Object.assign(fakePool(runs(null)), { run: async () => ({ ok: true as const, json: text }) }) })
      const pb = pbStream((await holder.open(STRANGER)).requester, { maxDataLength: c.MAX_JOB_EVENT_BYTES, maxBufferSize: c.MAX_JOB_EVENT_BYTES })
      await pb.write(request({ resultParts }), JobRequest)
      const got: PbJobEvent[] = []
      do got.push(await pb.read(PbJobEvent)); while (got.at(-1)?.type !== PbJobEvent.Type.RESULT)
      return got.filter(f => f.type === PbJobEvent.Type.RESULT || f.type === PbJobEvent.Type.RESULT_PART)
    }
    const parts = await frames(true)
    expect(parts.map(f => f.part.byteLength)).toEqual([c.RESULT_PART_BYTES, c.RESULT_PART_BYTES, text.length - 2 * c.RESULT_PART_BYTES, 0])
    expect(parts.at(-1)).toMatchObject({ json: '', resultBytes: text.length })
    expect(new TextDecoder().decode(new Uint8Array(parts.flatMap(f => [...f.part])))).toBe(text)
    const whole = await frames(false)
    expect(whole).toHaveLength(1)
    expect(whole[0]?.json).toBe(text)
  })
})
