import { anySignal } from 'any-signal'
import { pushable } from 'it-pushable'
import { ConnectionClosedError } from '@libp2p/interface'
import { JOB_REDIALS, JOB_RETRIES, MAX_REPLICAS } from '../constants.js'
import { DatasetNotFoundError, JobDeadlineError, ReplicasInvalidError } from '../errors.js'
import { decide, short } from './replicas.js'
import type { EngineChoice } from './engine.js'
import type { ReplicaOutcome, ReplicaVerdict } from './replicas.js'
import type { LoadBook } from './load-book.js'
import type { ResultScores } from './result-scores.js'
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
  /** The engine each job runs on; a browser tab has QuickJS only. @default 'auto' (each holder's choice: V8 on Node.js) */
  engine?: EngineChoice
  /** Redispatches when a stream or connection dies before a result. @default 2 */
  retries?: number
  /** Run here when no peer can take a job. @default false */
  allowLocal?: boolean
  /**
   * Run each job on this many distinct peers (for a dataset job, holders of the same content
   * hash; with `peers`, the named peers together) and compare a hash of each result's canonical
   * JSON: the majority's result is the job's, its `verdict` names who disagreed. Fewer live peers
   * than replicas is one error before anything is sent. @default 1
   */
  replicas?: number
}

/**
 * A job's events, tagged with the job and the peer running it; `dispatched` opens each attempt.
 * With replicas, each replica's steps carry `replica` (0, 1, …), and the job's one result or
 * error carries the `verdict`.
 */
export type RunEvent = (JobEvent | { type: 'dispatched', attempt: number }) & { jobId: string, peerId: string, dataset?: string, replica?: number, verdict?: ReplicaVerdict }

/** Where one job's events go. */
interface Sink { push: (event: RunEvent) => void }

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
  /** Each worker's load (claimed, and moved on by the jobs sent from here): data-free jobs go to the least loaded. */
  load?: LoadBook
  /** Who returned minority results before: avoided while others can take a job; replicated runs add to it. */
  scores?: Pick<ResultScores, 'split' | 'record'>
  logger: ComponentLogger
}

/**
 * The requester's side of computation: sends each job to its target, and when a stream or
 * connection dies before a result, sends it again to another holder of the same data (bounded
 * retries), delivering exactly one result or error per job. Nobody reachable and `allowLocal`:
 * the local pool. A data-free job goes to the least loaded worker at the moment it is sent;
 * peers that returned minority results are tried last. With `replicas`, each job runs on that
 * many distinct peers and the majority's result wins. Aborting the signal cancels every job,
 * on the peers too.
 */
export class Scheduler {
  private readonly components: SchedulerComponents
  private readonly log: Logger

  constructor (components: SchedulerComponents) {
    this.components = components
    this.log = components.logger.forComponent('grid:scheduler')
  }

  async * schedule (init: RunInit): AsyncGenerator<RunEvent> {
    const replicas = init.replicas ?? 1
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) throw new ReplicasInvalidError(init.replicas, MAX_REPLICAS)
    const done = new AbortController()
    const signal = anySignal([init.signal, done.signal])
    try {
      const found = await this.components.targets.find(init, { signal })
      const targets = (replicas > 1 ? together(found) : found).map(t => ({ ...t, jobId: crypto.randomUUID() }))
      if (targets.length === 0) {
        const where = init.tags != null && init.tags.length > 0 ? `no live holder found for ${init.tags.join(' ')}` : 'no peer offers compute (#compute:js)'
        yield { type: 'error', status: 'not-found', message: where, jobId: '', peerId: '' }
        return
      }
      // replicas on fewer peers than asked could not outvote anyone: said before anything is sent
      const lacking = replicas > 1 ? targets.find(t => distinct(t.candidates).length < replicas) : undefined
      if (lacking != null) {
        yield { type: 'error', status: 'not-found', message: tooFewPeers(lacking, replicas, init), jobId: '', peerId: '' }
        return
      }
      const events = pushable<RunEvent>({ objectMode: true })
      const run = async (t: Placed): Promise<void> => { replicas > 1 ? await this.replicate(t, replicas, init, events, signal) : await this.dispatch(t, await this.candidates(t), init, events, signal) }
      void Promise.all(targets.map(run)).finally(() => { events.end() })
      yield * events
    } finally {
      done.abort()
      signal.clear()
    }
  }

  /** The target's candidates, the peers that returned minority results before last; data-free: the least loaded first when sent. */
  private async candidates (target: Placed): Promise<Candidates> {
    const peers = distinct(target.candidates)
    const { preferred, avoided } = await this.components.scores?.split(peers) ?? { preferred: peers, avoided: [] }
    return new Candidates(preferred, avoided, target.anyWorker === true ? this.components.load : undefined)
  }

  /**
   * Runs the job on `replicas` distinct peers at once (each replica redispatched within the
   * others' spare candidates), then decides by majority and remembers who disagreed.
   */
  private async replicate (target: Placed, replicas: number, init: RunInit, out: Pushable<RunEvent>, signal: AbortSignal): Promise<void> {
    const shared = await this.candidates(target)
    const outcomes: ReplicaOutcome[] = []
    await Promise.all(Array.from({ length: replicas }, async (_, replica) => {
      const sink: Sink = {
        push: e => {
          if (e.type === 'result' || e.type === 'error') outcomes.push({ peerId: e.peerId, event: e.type === 'result' ? { type: 'result', value: e.value } : { type: 'error', status: e.status, ...(e.failure != null ? { failure: e.failure } : {}), message: e.message } })
          else out.push({ ...e, replica })
        }
      }
      await this.dispatch(target, shared, { ...init, allowLocal: false }, sink, signal)
    }))
    if (signal.aborted) return
    const { final, peerId, verdict } = await decide(outcomes, replicas)
    if (verdict.hash != null && verdict.disagreed.length > 0) this.log('job %s: %s disagreed with the majority', target.jobId, verdict.disagreed.map(d => short(d.peerId)).join(', '))
    if (verdict.hash != null) await this.components.scores?.record(verdict.agreed, verdict.disagreed.map(d => d.peerId)).catch(err => { this.log.error('could not keep replica scores - %e', err) })
    out.push({ ...final, ...eventTag(at(target, peerId), peerId), verdict })
  }

  /** Tries the candidates until one attempt is done, within `retries`; then the local pool if allowed, else one error. */
  private async dispatch (target: Placed, tries: Candidates, init: RunInit, out: Sink, signal: AbortSignal): Promise<void> {
    let problem = 'no peer holds this job\'s data or offers compute'
    let redials = JOB_REDIALS
    let last: PeerId | undefined
    // a relayed connection that closed as it opened is tried once more, without going back among the (shared) candidates
    let again: PeerId | undefined
    for (let attempt = 0; attempt <= (init.retries ?? JOB_RETRIES); attempt++) {
      const peer = again ?? tries.next()
      again = undefined
      if (peer == null) break
      last = peer
      const here = at(target, peer.toString())
      // this node holds the data (or named itself): its own pool, no stream needed
      if (peer.equals(this.components.libp2p.peerId)) { await this.runLocally(jobOf(init, here), here, attempt, out, signal); return }
      const tried = await this.attempt(peer, jobOf(init, here), here, attempt, out, signal)
      if (tried.outcome === 'done') return
      problem = tried.problem
      if (tried.outcome === 'again' && redials-- > 0) again = peer
    }
    if (init.allowLocal === true && target.dataset == null) { await this.runLocally(jobOf(init, target), target, target.candidates.length, out, signal); return }
    out.push({ type: 'error', status: 'internal', message: `no result: ${problem}`, ...eventTag(target, (last ?? target.candidates.at(-1))?.toString() ?? '') })
  }

  /** Sends the job to one peer and forwards its events; says whether the job is done or who to try next. */
  private async attempt (peer: PeerId, job: JobInit, target: Placed, attempt: number, out: Sink, signal: AbortSignal): Promise<Attempt> {
    const tag = eventTag(target, peer.toString())
    out.push({ type: 'dispatched', attempt, ...tag })
    let last: JobEvent | undefined
    this.components.load?.started(peer.toString())
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
    } finally {
      this.components.load?.ended(peer.toString())
    }
  }

  /** Runs a job in this node's own pool, on its own dataset when the job has one, with the same events as a peer's. */
  private async runLocally (job: JobInit, target: Placed, attempt: number, out: Sink, signal: AbortSignal): Promise<void> {
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
      ...(job.engine != null ? { engine: job.engine } : {}),
      onStart: () => { out.push({ type: 'started', ...tag }) },
      onProgress: value => { out.push({ type: 'progress', value, ...tag }) },
      onLog: text => { out.push({ type: 'log', text, ...tag }) }
    }, { signal })
    out.push(outcome.ok ? { type: 'result', value: outcome.value, ...tag } : { type: 'error', status: 'failed', failure: outcome.failure, message: outcome.message, ...tag })
  }
}

/**
 * The peers one job (or one job's replicas, taking turns) may still go to: the preferred first,
 * then those avoided for minority results. With a load book, the least loaded of a group at the
 * moment of asking (equals in the given, rotated order); without, in order.
 */
class Candidates {
  private readonly groups: PeerId[][]
  private readonly load?: Pick<LoadBook, 'leastLoaded'>

  constructor (preferred: PeerId[], avoided: PeerId[], load?: Pick<LoadBook, 'leastLoaded'>) {
    this.groups = [[...preferred], [...avoided]]
    this.load = load
  }

  next (): PeerId | undefined {
    const group = this.groups.find(g => g.length > 0)
    if (group == null) return undefined
    const i = this.load != null ? Math.max(0, this.load.leastLoaded(group)) : 0
    return group.splice(i, 1)[0]
  }
}

/** The target as one of its candidates holds it: holders of the same bytes may name them differently. */
function at (target: Placed, peerId: string): Placed {
  const name = target.names?.[peerId]
  return name == null || name === target.dataset ? target : { ...target, dataset: name }
}

function jobOf (init: RunInit, target: JobTarget): JobInit {
  return { code: init.code, ...(target.dataset != null ? { dataset: target.dataset } : {}), args: init.args, ...(init.timeoutMs != null ? { timeoutMs: init.timeoutMs } : {}), ...(init.engine != null ? { engine: init.engine } : {}) }
}

/** With replicas, named peers are one job's candidates together (each alone could not be outvoted). */
function together (targets: JobTarget[]): JobTarget[] {
  if (targets.length < 2 || targets.some(t => t.candidates.length !== 1 || t.hash != null || t.anyWorker === true)) return targets
  return [{ ...(targets[0]?.dataset != null ? { dataset: targets[0].dataset } : {}), candidates: targets.flatMap(t => t.candidates) }]
}

function distinct (peers: PeerId[]): PeerId[] {
  const seen = new Set<string>()
  return peers.filter(p => { const k = p.toString(); if (seen.has(k)) return false; seen.add(k); return true })
}

function tooFewPeers (target: JobTarget, replicas: number, init: RunInit): string {
  const n = distinct(target.candidates).length
  const whose = target.hash != null
    ? `live holders of "${target.dataset ?? ''}" (content ${target.hash.slice(0, 12)}…)`
    : target.anyWorker === true ? 'live #compute:js workers besides this node' : init.peers != null ? 'distinct named peers' : 'peers'
  return `${replicas} replicas need ${replicas} distinct peers, and there ${n === 1 ? 'is' : 'are'} ${n} ${whose}: nothing was sent; ask for at most ${n} replicas`
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
