import { anySignal } from 'any-signal'
import { pushable } from 'it-pushable'
import { ConnectionClosedError } from '@libp2p/interface'
import { JOB_REDIALS, JOB_RETRIES } from '../constants.js'
import { DatasetNotFoundError, JobDeadlineError } from '../errors.js'
import type { ComputeService } from './compute-service.js'
import type { JobEvent, JobInit } from './job-events.js'
import type { WorkerPool } from './pool.js'
import type { JobTarget, JobTargets } from '../discovery/targets.js'
import type { AbortOptions, ComponentLogger, Libp2p, Logger, PeerId } from '@libp2p/interface'
import type { Pushable } from 'it-pushable'

export interface RunInit extends AbortOptions {
  /** An ES module; its default export receives `{ data, args, progress, log }`. */
  code: string
  /** One job per dataset of every live holder of these tags. */
  tags?: string[]
  /** @default 'any' */
  match?: 'any' | 'all'
  /** One job on each of these peers: data-free, or on `dataset` there. */
  peers?: Array<PeerId | string>
  /** With `peers`: the dataset (by name) the job runs on at each peer, e.g. a private one shared with you. */
  dataset?: string
  args?: unknown
  timeoutMs?: number
  /** Redispatches when a stream or connection dies before a result. @default 2 */
  retries?: number
  /** Run here when no peer can take a job. @default false */
  allowLocal?: boolean
}

/** A job's events, tagged with the job and the peer running it; `dispatched` opens each attempt. */
export type RunEvent = (JobEvent | { type: 'dispatched', attempt: number }) & { jobId: string, peerId: string, dataset?: string }

/** A target with the id its job goes out under. */
type Placed = JobTarget & { jobId: string }

/**
 * How one attempt ended: `done` (a result or error went out, or the caller cancelled), `next`
 * (try the next candidate), or `again` (a relayed connection closed as it opened: the same peer
 * is worth one more try).
 */
type Attempt = { outcome: 'done' } | { outcome: 'next', problem: string } | { outcome: 'again', problem: string }

const DONE: Attempt = { outcome: 'done' }

export interface SchedulerComponents {
  libp2p: Pick<Libp2p, 'peerId'>
  compute: Pick<ComputeService, 'send'>
  pool: Pick<WorkerPool, 'position' | 'enqueue'>
  /** Where jobs go: every target comes from the liveness-checked search, or is named by the caller. */
  targets: Pick<JobTargets, 'find'>
  /** This node's own rows of a dataset, for a job that runs here. */
  readRows: (name: string, options: AbortOptions) => Promise<unknown[]>
  logger: ComponentLogger
}

/**
 * The requester's side of computation: sends each job to its target, and when a stream or
 * connection dies before a result, sends it again to another holder of the same data (bounded
 * retries), delivering exactly one result or error per job. Nobody reachable and `allowLocal`:
 * the local pool. Aborting the signal cancels every job, on the peers too.
 */
export class Scheduler {
  private readonly components: SchedulerComponents
  private readonly log: Logger

  constructor (components: SchedulerComponents) {
    this.components = components
    this.log = components.logger.forComponent('grid:scheduler')
  }

  async * schedule (init: RunInit): AsyncGenerator<RunEvent> {
    const done = new AbortController()
    const signal = anySignal([init.signal, done.signal])
    try {
      const targets = (await this.components.targets.find(init, { signal })).map(t => ({ ...t, jobId: crypto.randomUUID() }))
      if (targets.length === 0) {
        const where = init.tags != null && init.tags.length > 0 ? `no live holder found for ${init.tags.join(' ')}` : 'no peer offers compute (#compute:js)'
        yield { type: 'error', status: 'not-found', message: where, jobId: '', peerId: '' }
        return
      }
      const events = pushable<RunEvent>({ objectMode: true })
      void Promise.all(targets.map(async t => { await this.dispatch(t, init, events, signal) })).finally(() => { events.end() })
      yield * events
    } finally {
      done.abort()
      signal.clear()
    }
  }

  /** Tries the candidates in order until one attempt is done, within `retries`; then the local pool if allowed, else one error. */
  private async dispatch (target: Placed, init: RunInit, out: Pushable<RunEvent>, signal: AbortSignal): Promise<void> {
    const job: JobInit = { code: init.code, ...(target.dataset != null ? { dataset: target.dataset } : {}), args: init.args, ...(init.timeoutMs != null ? { timeoutMs: init.timeoutMs } : {}) }
    const tries = [...target.candidates]
    let problem = 'no peer holds this job\'s data or offers compute'
    let redials = JOB_REDIALS
    for (let attempt = 0; attempt <= (init.retries ?? JOB_RETRIES); attempt++) {
      const peer = tries.shift()
      if (peer == null) break
      // this node holds the data (or named itself): its own pool, no stream needed
      if (peer.equals(this.components.libp2p.peerId)) { await this.runLocally(job, target, attempt, out, signal); return }
      const tried = await this.attempt(peer, job, target, attempt, out, signal)
      if (tried.outcome === 'done') return
      problem = tried.problem
      if (tried.outcome === 'again' && redials-- > 0) tries.unshift(peer)
    }
    if (init.allowLocal === true && target.dataset == null) { await this.runLocally(job, target, target.candidates.length, out, signal); return }
    out.push({ type: 'error', status: 'internal', message: `no result: ${problem}`, ...eventTag(target, target.candidates.at(-1)?.toString() ?? '') })
  }

  /** Sends the job to one peer and forwards its events; says whether the job is done or who to try next. */
  private async attempt (peer: PeerId, job: JobInit, target: Placed, attempt: number, out: Pushable<RunEvent>, signal: AbortSignal): Promise<Attempt> {
    const tag = eventTag(target, peer.toString())
    out.push({ type: 'dispatched', attempt, ...tag })
    let last: JobEvent | undefined
    try {
      for await (const event of this.components.compute.send(peer, { ...job, id: target.jobId }, { signal })) {
        const refusal = refusalOf(event, target)
        if (refusal != null) return { outcome: 'next', problem: refusal }
        last = event
        out.push({ ...event, ...tag })
      }
      return isFinal(last) ? DONE : { outcome: 'next', problem: 'the stream ended before a result' }
    } catch (err: any) {
      if (signal.aborted || isFinal(last)) return DONE
      this.log('job %s on %p failed, redispatching - %e', target.jobId, peer, err)
      // a holder that went silent past the job's deadline counts as gone
      if (err?.name === JobDeadlineError.name) return { outcome: 'next', problem: String(err.message) }
      const problem = `${peer.toString()} went away: ${String(err?.message ?? err)}`
      // a relayed connection (to a browser tab) can close as it opens, before the peer said anything
      return last == null && err?.name === ConnectionClosedError.name ? { outcome: 'again', problem } : { outcome: 'next', problem }
    }
  }

  /** Runs a job in this node's own pool, on its own dataset when the job has one, with the same events as a peer's. */
  private async runLocally (job: JobInit, target: Placed, attempt: number, out: Pushable<RunEvent>, signal: AbortSignal): Promise<void> {
    const tag = eventTag(target, this.components.libp2p.peerId.toString())
    out.push({ type: 'dispatched', attempt, ...tag })
    let data: unknown = null
    if (target.dataset != null) {
      try {
        data = await this.components.readRows(target.dataset, { signal })
      } catch (err: any) {
        out.push({ type: 'error', status: err?.name === DatasetNotFoundError.name ? 'not-found' : 'failed', message: String(err?.message ?? err), ...tag })
        return
      }
    }
    out.push({ type: 'accepted', queuePosition: this.components.pool.position(), ...tag })
    const outcome = await this.components.pool.enqueue({
      code: job.code,
      data,
      args: job.args,
      limits: job.timeoutMs != null ? { timeoutMs: job.timeoutMs } : {},
      onStart: () => { out.push({ type: 'started', ...tag }) },
      onProgress: value => { out.push({ type: 'progress', value, ...tag }) },
      onLog: text => { out.push({ type: 'log', text, ...tag }) }
    }, { signal })
    out.push(outcome.ok ? { type: 'result', value: outcome.value, ...tag } : { type: 'error', status: 'failed', failure: outcome.failure, message: outcome.message, ...tag })
  }
}

function eventTag (target: Placed, peerId: string): { jobId: string, peerId: string, dataset?: string } {
  return { jobId: target.jobId, peerId, ...(target.dataset != null ? { dataset: target.dataset } : {}) }
}

/** Why a peer refused the job, if it did: busy, or a worker that stopped offering compute (another worker can take it). */
function refusalOf (event: JobEvent, target: JobTarget): string | undefined {
  if (event.type !== 'error') return undefined
  return event.status === 'busy' || (event.status === 'forbidden' && target.anyWorker === true) ? event.message : undefined
}

function isFinal (event: JobEvent | undefined): boolean {
  return event?.type === 'result' || event?.type === 'error'
}
