import { jobEngines, spawnWorker } from '#platform'
import * as c from '../constants.js'
import { BusyError, EngineUnavailableError } from '../errors.js'
import { pickEngine, resultJson } from './engine.js'
import { FairQueue } from './fair-queue.js'
import type { EngineChoice, EngineName, WorkerResult } from './engine.js'
import type { SandboxLimits, SandboxOutcome } from './sandbox.js'
import type { JobWorker, RunMessage, WorkerMessage } from './worker-protocol.js'
import type { AbortOptions } from '@libp2p/interface'

export interface PoolJob {
  code: string
  data?: unknown
  /** `data` already as JSON text: used instead of `data`. */
  dataJson?: string
  args?: unknown
  limits: SandboxLimits
  /** The engine it runs on. @default the pool's (`auto`: V8 on Node.js, QuickJS in browsers) */
  engine?: EngineChoice
  /** Whose job it is (a peer ID): owners take turns in the queue. @default this node */
  owner?: string
  onProgress?: (value: unknown) => void
  onLog?: (text: string) => void
  /** Called once the job leaves the queue for a worker. */
  onStart?: () => void
}

interface Queued { id: number, engine: EngineName, owner: string, job: PoolJob, resolve: (o: WorkerResult) => void, reject: (e: Error) => void, options: AbortOptions }
interface Slot { worker: JobWorker, current?: Queued, deadline?: ReturnType<typeof setTimeout>, retiring: boolean }

const SELF = ''

/**
 * Runs sandboxed jobs off the event loop, one per worker. Owners (peers) take turns in the
 * queue, so one peer's flood of jobs cannot starve another's. The pool enforces every deadline
 * itself: a worker still busy past its job's deadline plus a margin is terminated and replaced,
 * whatever the job did to it; so is a worker whose sandbox memory grew, so the host's memory
 * goes back to its baseline. The pool can grow or shrink while jobs wait: a shrink retires
 * workers as they finish, so no queued job is lost or run twice. A job aborted while running
 * takes its worker with it (a fresh one replaces it).
 */
export class WorkerPool {
  private readonly slots: Slot[] = []
  private readonly queue = new FairQueue<Queued>()
  private readonly maxQueue: number
  private readonly engine: EngineChoice
  private target: number
  private nextId = 1
  private closed = false

  /** `engine`: what jobs that do not name one run on. @default 'auto' */
  constructor (init: { size: number, maxQueue: number, engine?: EngineChoice }) {
    this.target = Math.max(1, init.size)
    this.maxQueue = init.maxQueue
    this.engine = init.engine ?? 'auto'
  }

  get size (): number { return this.target }
  get running (): number { return this.slots.filter(s => s.current != null).length }
  get waiting (): number { return this.queue.size }

  resize (size: number): void {
    this.target = Math.max(1, Math.floor(size))
    const active = this.slots.filter(s => !s.retiring)
    for (const slot of active.slice(this.target)) {
      slot.retiring = true
      if (slot.current == null) void this.retire(slot)
    }
    this.dispatch()
  }

  /** Queues a job; rejects with BusyError when the queue is full. The result comes parsed. */
  async enqueue (job: PoolJob, options: AbortOptions = {}): Promise<SandboxOutcome> {
    let result: WorkerResult
    try {
      result = await this.run(job, options)
    } catch (err: any) {
      // v8 asked of a tab's own pool: this job's error
      if (err?.name === EngineUnavailableError.name) return { ok: false, failure: 'threw', message: String(err.message) }
      throw err
    }
    return result.ok ? { ok: true, value: JSON.parse(resultJson(result)) } : result
  }

  /**
   * enqueue, with the result as the guest's JSON text, as the worker handed it on (a large one
   * as its UTF-8 bytes). Rejects with
   * EngineUnavailableError when the job names an engine this platform lacks.
   */
  async run (job: PoolJob, options: AbortOptions = {}): Promise<WorkerResult> {
    if (this.closed) throw new Error('the worker pool is stopped')
    const engine = pickEngine(job.engine, this.engine, jobEngines())
    if (this.queue.size >= this.maxQueue) throw new BusyError(`the job queue is full (${this.maxQueue} waiting); try later or another node`)
    options.signal?.throwIfAborted()
    return new Promise<WorkerResult>((resolve, reject) => {
      // a signal that outlives the job (a stream's, aborted as it closes) must not reach back into the pool
      const onAbort = (): void => { this.cancel(entry) }
      const settled = (): void => { options.signal?.removeEventListener('abort', onAbort) }
      const entry: Queued = { id: this.nextId++, engine, owner: job.owner ?? SELF, job, resolve: o => { settled(); resolve(o) }, reject: e => { settled(); reject(e) }, options }
      this.queue.push(entry.owner, entry)
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.dispatch()
    })
  }

  /** How many jobs run or would be served before one more job of this owner. */
  position (owner: string = SELF): number {
    return this.running + this.queue.ahead(owner)
  }

  async close (): Promise<void> {
    this.closed = true
    for (const entry of this.queue.drain()) entry.reject(new Error('the node is stopping'))
    await Promise.all(this.slots.splice(0).map(async slot => {
      clearTimeout(slot.deadline)
      slot.current?.reject(new Error('the node is stopping'))
      await slot.worker.terminate()
    }))
  }

  private dispatch (): void {
    while (!this.closed && this.queue.size > 0) {
      let slot = this.slots.find(s => s.current == null && !s.retiring)
      if (slot == null && this.slots.filter(s => !s.retiring).length < this.target) slot = this.spawn()
      if (slot == null) return
      this.start(slot, this.queue.shift() as Queued)
    }
  }

  private spawn (): Slot {
    const slot: Slot = { worker: spawnWorker<RunMessage, WorkerMessage>(), retiring: false }
    slot.worker.onMessage(message => { this.onMessage(slot, message) })
    slot.worker.onExit(error => { this.onCrash(slot, error) })
    this.slots.push(slot)
    return slot
  }

  private start (slot: Slot, entry: Queued): void {
    slot.current = entry
    entry.job.onStart?.()
    const { code, data, args, limits } = entry.job
    const timeoutMs = limits.timeoutMs ?? c.SANDBOX_TIMEOUT
    slot.deadline = setTimeout(() => { this.overstayed(slot, entry, timeoutMs) }, timeoutMs + c.POOL_DEADLINE_MARGIN)
    try {
      // the data goes as JSON text, made here once: a string is copied to the worker whole, where
      // rows would be cloned object by object and then stringified there for the sandbox anyway
      const dataJson = entry.job.dataJson ?? (data == null ? undefined : JSON.stringify(data))
      slot.worker.post({ type: 'run', id: entry.id, engine: entry.engine, code, ...(dataJson != null ? { dataJson } : {}), args, limits })
    } catch (err: any) {
      // input JSON or the structured clone refuses (nested too deep, say) fails this job alone
      this.finish(slot)
      entry.resolve({ ok: false, failure: 'threw', message: `the job's input cannot be passed to a worker: ${String(err?.message ?? err)}` })
      queueMicrotask(() => { this.dispatch() })
    }
  }

  private onMessage (slot: Slot, message: WorkerMessage): void {
    const entry = slot.current
    if (entry == null || entry.id !== message.id) return
    if (message.type === 'progress') entry.job.onProgress?.(message.value)
    else if (message.type === 'log') entry.job.onLog?.(message.text)
    else {
      this.finish(slot)
      entry.resolve(message.outcome)
      if (slot.retiring || message.heapBytes > c.WORKER_RECYCLE_HEAP_BYTES || message.jsHeapBytes > c.WORKER_RECYCLE_JS_HEAP_BYTES) void this.retire(slot)
      this.dispatch()
    }
  }

  /** The job outlived its deadline and the sandbox did not stop it: the worker goes. */
  private overstayed (slot: Slot, entry: Queued, timeoutMs: number): void {
    if (slot.current !== entry) return
    this.finish(slot)
    void this.retire(slot)
    entry.resolve({ ok: false, failure: 'timeout', message: `the job did not end within its deadline of ${timeoutMs} ms; its worker was stopped` })
    this.dispatch()
  }

  private onCrash (slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot)
    if (index === -1) return
    this.slots.splice(index, 1)
    const entry = slot.current
    this.finish(slot)
    entry?.resolve({ ok: false, failure: 'threw', message: `the worker running the job died: ${error.message}` })
    this.dispatch()
  }

  private cancel (entry: Queued): void {
    if (!this.queue.remove(entry.owner, entry)) {
      const slot = this.slots.find(s => s.current === entry)
      if (slot == null) return
      this.finish(slot)
      void this.retire(slot)
      this.dispatch()
    }
    entry.reject(entry.options.signal?.reason ?? new Error('aborted'))
  }

  private finish (slot: Slot): void {
    clearTimeout(slot.deadline)
    slot.deadline = undefined
    slot.current = undefined
  }

  private async retire (slot: Slot): Promise<void> {
    const index = this.slots.indexOf(slot)
    if (index !== -1) this.slots.splice(index, 1)
    await slot.worker.terminate()
  }
}
