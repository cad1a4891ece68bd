import { spawnWorker } from '#platform'
import { BusyError } from '../errors.js'
import type { SandboxLimits, SandboxOutcome } from './sandbox.js'
import type { WorkerHandle, WorkerMessage } from './worker-protocol.js'
import type { AbortOptions } from '@libp2p/interface'

export interface PoolJob {
  code: string
  data?: unknown
  args?: unknown
  limits: SandboxLimits
  onProgress?: (value: unknown) => void
  onLog?: (text: string) => void
  /** Called once the job leaves the queue for a worker. */
  onStart?: () => void
}

interface Queued { id: number, job: PoolJob, resolve: (o: SandboxOutcome) => void, reject: (e: Error) => void, options: AbortOptions }
interface Slot { worker: WorkerHandle, current?: Queued, retiring: boolean }

/**
 * Runs sandboxed jobs off the event loop, one per worker, first come first served. The pool
 * can grow or shrink while jobs wait: a shrink retires workers as they finish, so no queued
 * job is lost or run twice. A job aborted while running takes its worker with it (a fresh one
 * replaces it).
 */
export class WorkerPool {
  private readonly slots: Slot[] = []
  private readonly queue: Queued[] = []
  private readonly maxQueue: number
  private target: number
  private nextId = 1
  private closed = false

  constructor (init: { size: number, maxQueue: number }) {
    this.target = Math.max(1, init.size)
    this.maxQueue = init.maxQueue
  }

  get size (): number { return this.target }
  get running (): number { return this.slots.filter(s => s.current != null).length }
  get waiting (): number { return this.queue.length }

  resize (size: number): void {
    this.target = Math.max(1, Math.floor(size))
    const active = this.slots.filter(s => !s.retiring)
    for (const slot of active.slice(this.target)) {
      slot.retiring = true
      if (slot.current == null) void this.retire(slot)
    }
    this.dispatch()
  }

  /** Queues a job; rejects with BusyError when the queue is full. Position is 1-based. */
  async run (job: PoolJob, options: AbortOptions = {}): Promise<SandboxOutcome> {
    if (this.closed) throw new Error('the worker pool is stopped')
    if (this.queue.length >= this.maxQueue) throw new BusyError(`the job queue is full (${this.maxQueue} waiting); try later or another node`)
    options.signal?.throwIfAborted()
    return new Promise<SandboxOutcome>((resolve, reject) => {
      const entry: Queued = { id: this.nextId++, job, resolve, reject, options }
      this.queue.push(entry)
      options.signal?.addEventListener('abort', () => { this.cancel(entry) }, { once: true })
      this.dispatch()
    })
  }

  /** Where a job would wait now: jobs running plus jobs queued ahead. */
  position (): number {
    return this.running + this.queue.length
  }

  async close (): Promise<void> {
    this.closed = true
    for (const entry of this.queue.splice(0)) entry.reject(new Error('the node is stopping'))
    await Promise.all(this.slots.splice(0).map(async slot => {
      slot.current?.reject(new Error('the node is stopping'))
      await slot.worker.terminate()
    }))
  }

  private dispatch (): void {
    while (!this.closed && this.queue.length > 0) {
      let slot = this.slots.find(s => s.current == null && !s.retiring)
      if (slot == null && this.slots.filter(s => !s.retiring).length < this.target) slot = this.spawn()
      if (slot == null) return
      const entry = this.queue.shift() as Queued
      this.start(slot, entry)
    }
  }

  private spawn (): Slot {
    const slot: Slot = { worker: spawnWorker(), retiring: false }
    slot.worker.onMessage(message => { this.onMessage(slot, message) })
    slot.worker.onExit(error => { this.onCrash(slot, error) })
    this.slots.push(slot)
    return slot
  }

  private start (slot: Slot, entry: Queued): void {
    slot.current = entry
    entry.job.onStart?.()
    const { code, data, args, limits } = entry.job
    slot.worker.post({ type: 'run', id: entry.id, code, data, args, limits })
  }

  private onMessage (slot: Slot, message: WorkerMessage): void {
    const entry = slot.current
    if (entry == null || entry.id !== message.id) return
    if (message.type === 'progress') entry.job.onProgress?.(message.value)
    else if (message.type === 'log') entry.job.onLog?.(message.text)
    else {
      slot.current = undefined
      entry.resolve(message.outcome)
      if (slot.retiring) void this.retire(slot)
      this.dispatch()
    }
  }

  private onCrash (slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot)
    if (index === -1) return
    this.slots.splice(index, 1)
    slot.current?.resolve({ ok: false, failure: 'threw', message: `the worker running the job died: ${error.message}` })
    this.dispatch()
  }

  private cancel (entry: Queued): void {
    const queued = this.queue.indexOf(entry)
    if (queued !== -1) {
      this.queue.splice(queued, 1)
    } else {
      const slot = this.slots.find(s => s.current === entry)
      if (slot == null) return
      slot.current = undefined
      void this.retire(slot)
      this.dispatch()
    }
    entry.reject(entry.options.signal?.reason ?? new Error('aborted'))
  }

  private async retire (slot: Slot): Promise<void> {
    const index = this.slots.indexOf(slot)
    if (index !== -1) this.slots.splice(index, 1)
    await slot.worker.terminate()
  }
}
