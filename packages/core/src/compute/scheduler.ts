import { peerIdFromString } from '@libp2p/peer-id'
import { anySignal } from 'any-signal'
import { pushable } from 'it-pushable'
import * as c from '../constants.js'
import { JobDeadlineError } from '../errors.js'
import { tagKey } from '../tags.js'
import type { ComputeService } from './compute-service.js'
import type { JobEvent, JobInit } from './job-events.js'
import type { WorkerPool } from './pool.js'
import type { SearchResult } from '../discovery/search.js'
import type { GridServices } from '../network/libp2p-options.js'
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

/** `anyWorker`: the candidates are whoever provides `#compute:js`, so any of them may refuse and the next is asked. */
interface Target { jobId: string, dataset?: string, candidates: PeerId[], anyWorker?: boolean }

export interface SchedulerComponents {
  libp2p: Pick<Libp2p<GridServices>, 'peerId' | 'contentRouting' | 'services' | 'getConnections'>
  compute: ComputeService
  pool: WorkerPool
  search: (tags: string[], options: { match: 'any' | 'all', signal?: AbortSignal }) => Promise<SearchResult[]>
  /** This node's own rows of a dataset, for a job that runs here. */
  readRows: (name: string, options: AbortOptions) => Promise<unknown[]>
  logger: ComponentLogger
}

/**
 * The requester's side of computation: finds targets (holders of tags, given peers, or a
 * `#compute:js` worker for a data-free job), sends each job, and when a stream or connection
 * dies before a result, sends it again to another holder of the same data (bounded retries),
 * delivering exactly one result or error per job. Nobody reachable and `allowLocal`: the local
 * pool. Aborting the signal cancels every job, on the peers too.
 */
export class Scheduler {
  private readonly components: SchedulerComponents
  private readonly network: string
  private readonly log: Logger
  /** Round-robin from a random start, so many one-off requesters do not all pick the same first worker. */
  private nextWorker = Math.floor(Math.random() * 1024)

  constructor (components: SchedulerComponents, network: string) {
    this.components = components
    this.network = network
    this.log = components.logger.forComponent('grid:scheduler')
  }

  async * run (init: RunInit): AsyncGenerator<RunEvent> {
    const done = new AbortController()
    const signal = anySignal([init.signal, done.signal])
    try {
      const targets = await this.targets(init, signal)
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

  private async targets (init: RunInit, signal: AbortSignal): Promise<Target[]> {
    const jobId = (): string => crypto.randomUUID()
    if (init.peers != null && init.peers.length > 0) {
      return init.peers.map(p => ({ jobId: jobId(), ...(init.dataset != null ? { dataset: init.dataset } : {}), candidates: [typeof p === 'string' ? peerIdFromString(p) : p] }))
    }
    if (init.tags != null && init.tags.length > 0) {
      const holders = await this.components.search(init.tags, { match: init.match ?? 'any', signal })
      // one job per distinct dataset content; every holder of the same bytes can take it over
      const byHash = new Map<string, Target>()
      for (const holder of holders) {
        for (const d of holder.datasets) {
          const target = byHash.get(d.hash) ?? { jobId: jobId(), dataset: d.name, candidates: [] }
          target.candidates.push(holder.peerId)
          byHash.set(d.hash, target)
        }
      }
      return [...byHash.values()]
    }
    return [{ jobId: jobId(), candidates: await this.workers(signal), anyWorker: true }]
  }

  /** Peers providing `#compute:js`, rotated so successive data-free jobs spread round-robin. */
  private async workers (signal: AbortSignal): Promise<PeerId[]> {
    const found: PeerId[] = []
    // alone (a tab that lost its relay): nobody to ask, so do not wait for a lookup to time out
    if (this.components.libp2p.getConnections().length === 0) return found
    const lookup = anySignal([signal, AbortSignal.timeout(c.SEARCH_TIMEOUT)])
    try {
      for await (const p of this.components.libp2p.contentRouting.findProviders(await tagKey(this.network, c.COMPUTE_CAPABILITY_TAG), { signal: lookup })) {
        if (!p.id.equals(this.components.libp2p.peerId)) found.push(p.id)
      }
    } catch (err) {
      this.log('worker lookup ended - %e', err)
    } finally {
      lookup.clear()
    }
    const start = found.length === 0 ? 0 : this.nextWorker++ % found.length
    return [...found.slice(start), ...found.slice(0, start)]
  }

  private async dispatch (target: Target, init: RunInit, out: Pushable<RunEvent>, signal: AbortSignal): Promise<void> {
    const retries = init.retries ?? 2
    const job: JobInit = { code: init.code, ...(target.dataset != null ? { dataset: target.dataset } : {}), args: init.args, ...(init.timeoutMs != null ? { timeoutMs: init.timeoutMs } : {}) }
    const tag = (peer: string): { jobId: string, peerId: string, dataset?: string } => ({ jobId: target.jobId, peerId: peer, ...(target.dataset != null ? { dataset: target.dataset } : {}) })
    let lastProblem = 'no peer holds this job\'s data or offers compute'
    // a relayed connection (to a browser tab) can close as it opens: one more try on the same peer
    let redialled = false
    for (let attempt = 0, index = 0; attempt <= retries && index < target.candidates.length; attempt++, index++) {
      const peer = target.candidates[index] as PeerId
      if (peer.equals(this.components.libp2p.peerId)) {
        // this node holds the data (or named itself): its own pool, no stream needed
        await this.runLocally(job, target, attempt, out, signal)
        return
      }
      out.push({ type: 'dispatched', attempt, ...tag(peer.toString()) })
      let heard = false
      try {
        let final: JobEvent | undefined
        let refused: string | undefined
        for await (const event of this.components.compute.run(peer, { ...job, id: target.jobId }, { signal })) {
          heard = true
          if (event.type === 'error' && (event.status === 'busy' || (event.status === 'forbidden' && target.anyWorker === true))) { refused = event.message; break }
          out.push({ ...event, ...tag(peer.toString()) })
          if (event.type === 'result' || event.type === 'error') final = event
        }
        if (refused != null) { lastProblem = refused; continue }
        if (final != null) return
        lastProblem = 'the stream ended before a result'
      } catch (err: any) {
        if (signal.aborted) return
        lastProblem = err?.name === JobDeadlineError.name ? String(err.message) : `${peer.toString()} went away: ${String(err.message ?? err)}`
        this.log('job %s on %p failed, redispatching - %e', target.jobId, peer, err)
        if (!heard && !redialled && err?.name === 'ConnectionClosedError') { redialled = true; index-- }
      }
    }
    if (init.allowLocal === true && target.dataset == null) {
      await this.runLocally(job, target, target.candidates.length, out, signal)
      return
    }
    out.push({ type: 'error', status: 'internal', message: `no result: ${lastProblem}`, ...tag(target.candidates.at(-1)?.toString() ?? '') })
  }

  /** Runs a job in this node's own pool, on its own dataset when the job has one, with the same events as a peer's. */
  private async runLocally (job: JobInit, target: Target, attempt: number, out: Pushable<RunEvent>, signal: AbortSignal): Promise<void> {
    const self = this.components.libp2p.peerId.toString()
    const tag = { jobId: target.jobId, peerId: self, ...(target.dataset != null ? { dataset: target.dataset } : {}) }
    out.push({ type: 'dispatched', attempt, ...tag })
    let data: unknown = null
    if (target.dataset != null) {
      try {
        data = await this.components.readRows(target.dataset, { signal })
      } catch (err: any) {
        out.push({ type: 'error', status: err?.name === 'DatasetNotFoundError' ? 'not-found' : 'failed', message: String(err?.message ?? err), ...tag })
        return
      }
    }
    out.push({ type: 'accepted', queuePosition: this.components.pool.position(), ...tag })
    const outcome = await this.components.pool.run({
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
