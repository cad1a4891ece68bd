import { afterEach, describe, expect, it, vi } from 'vitest'
import * as c from '../src/constants.js'
import type { JobWorker, RunMessage, WorkerMessage } from '../src/compute/worker-protocol.js'

/** Fake workers: each records what it was sent; the test decides whether and how it answers. */
interface FakeWorker { handle: JobWorker, sent: RunMessage[], reply: (m: WorkerMessage) => void, terminated: boolean }
const workers: FakeWorker[] = []

vi.mock('#platform', () => ({
  jobEngines: () => ['quickjs'],
  spawnWorker: (): JobWorker => {
    let listener: (m: WorkerMessage) => void = () => {}
    const fake: FakeWorker = {
      sent: [],
      terminated: false,
      reply: m => { listener(m) },
      handle: {
        post: m => {
          if (m.code === 'unclonable') throw new Error('too deep')
          fake.sent.push(m)
        },
        onMessage: l => { listener = l },
        onExit: () => {},
        terminate: async () => { fake.terminated = true }
      }
    }
    workers.push(fake)
    return fake.handle
  }
}))

const { WorkerPool } = await import('../src/compute/pool.js')

const done = (id: number, heapBytes = 16 * 1024 * 1024, jsHeapBytes = 10 * 1024 * 1024): WorkerMessage => ({ type: 'done', id, outcome: { ok: true, json: String(id) }, heapBytes, jsHeapBytes })

describe('WorkerPool', () => {
  afterEach(() => {
    workers.length = 0
    vi.useRealTimers()
  })

  it('a worker that never answers is terminated at the deadline plus the margin, and replaced', async () => {
    vi.useFakeTimers()
    const pool = new WorkerPool({ size: 1, maxQueue: 10 })
    const stuck = pool.enqueue({ code: 'hang', limits: { timeoutMs: 1000 } })
    const next = pool.enqueue({ code: 'next', limits: {} })
    expect(workers).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1000 + c.POOL_DEADLINE_MARGIN - 1)
    expect(workers[0]!.terminated).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await expect(stuck).resolves.toMatchObject({ ok: false, failure: 'timeout' })
    expect(workers[0]!.terminated).toBe(true)
    // the queued job went to a fresh worker
    expect(workers).toHaveLength(2)
    const message = workers[1]!.sent[0]!
    expect(message.code).toBe('next')
    workers[1]!.reply(done(message.id))
    await expect(next).resolves.toEqual({ ok: true, value: message.id })
    await pool.close()
  })

  it('a worker whose sandbox memory grew is replaced after its job; one that did not is reused', async () => {
    const pool = new WorkerPool({ size: 1, maxQueue: 10 })
    const first = pool.enqueue({ code: 'a', limits: {} })
    workers[0]!.reply(done(workers[0]!.sent[0]!.id))
    await first
    const second = pool.enqueue({ code: 'b', limits: {} })
    expect(workers).toHaveLength(1)
    workers[0]!.reply(done(workers[0]!.sent[1]!.id, c.WORKER_RECYCLE_HEAP_BYTES + 1))
    await second
    expect(workers[0]!.terminated).toBe(true)
    const third = pool.enqueue({ code: 'c', limits: {} })
    expect(workers).toHaveLength(2)
    workers[1]!.reply(done(workers[1]!.sent[0]!.id, undefined, c.WORKER_RECYCLE_JS_HEAP_BYTES + 1))
    await third
    expect(workers[1]!.terminated).toBe(true)
    const fourth = pool.enqueue({ code: 'd', limits: {} })
    expect(workers).toHaveLength(3)
    workers[2]!.reply(done(workers[2]!.sent[0]!.id))
    await fourth
    expect(workers[2]!.terminated).toBe(false)
    await pool.close()
  })

  it('owners take turns: a flood from one peer delays another peer by at most one job', async () => {
    const pool = new WorkerPool({ size: 1, maxQueue: 100 })
    const order: string[] = []
    const jobs = []
    for (let i = 0; i < 10; i++) jobs.push(pool.enqueue({ code: `flood${i}`, owner: 'flood', limits: {} }).then(() => order.push(`flood${i}`)))
    jobs.push(pool.enqueue({ code: 'mine', owner: 'other', limits: {} }).then(() => order.push('mine')))
    // one more job of 'other' would wait for the running one, 'mine' and two of the flood's
    expect(pool.position('other')).toBe(1 + 1 + 2)
    expect(pool.position('flood')).toBe(1 + 9 + 1)
    for (let answered = 0; answered < 11; answered++) {
      const sent = workers[0]!.sent[answered]!
      workers[0]!.reply(done(sent.id))
      await new Promise(resolve => setImmediate(resolve))
    }
    await Promise.all(jobs)
    expect(order.indexOf('mine')).toBe(2)
    await pool.close()
  })
})

describe('WorkerPool input', () => {
  it('a job whose input a worker cannot take fails alone; the next job runs on the same worker', async () => {
    const pool = new WorkerPool({ size: 1, maxQueue: 10 })
    const bad = pool.enqueue({ code: 'unclonable', limits: {} })
    const good = pool.enqueue({ code: 'b', limits: {} })
    const worker = workers.at(-1)!
    // the fake worker throws on the first post, as postMessage does for a value it cannot clone
    await expect(bad).resolves.toMatchObject({ ok: false, failure: 'threw', message: expect.stringMatching(/cannot be passed to a worker: too deep/) })
    await new Promise(resolve => setImmediate(resolve))
    expect(workers.at(-1)).toBe(worker)
    expect(worker.sent).toHaveLength(1)
    const sent = worker.sent[0]!
    expect(sent.code).toBe('b')
    worker.reply(done(sent.id))
    await expect(good).resolves.toEqual({ ok: true, value: sent.id })
    await pool.close()
  })
})

describe('WorkerPool engines', () => {
  it('a job names its engine, or gets the pool\'s; one this platform lacks is refused before it is queued', async () => {
    const pool = new WorkerPool({ size: 1, maxQueue: 10, engine: 'auto' })
    const first = pool.run({ code: 'a', limits: {} })
    const worker = workers.at(-1)!
    // this fake platform has QuickJS only: auto is QuickJS
    expect(worker.sent[0]).toMatchObject({ engine: 'quickjs' })
    worker.reply(done(worker.sent[0]!.id))
    // the worker's JSON text is handed on as it is; enqueue parses it
    await expect(first).resolves.toEqual({ ok: true, json: String(worker.sent[0]!.id) })
    await expect(pool.run({ code: 'b', limits: {}, engine: 'v8' })).rejects.toMatchObject({ name: 'EngineUnavailableError', message: expect.stringMatching(/QuickJS only/) })
    await expect(pool.enqueue({ code: 'b', limits: {}, engine: 'v8' })).resolves.toMatchObject({ ok: false, failure: 'threw', message: expect.stringMatching(/"v8" engine is not available/) })
    expect(worker.sent).toHaveLength(1)
    await pool.close()
  })
})
