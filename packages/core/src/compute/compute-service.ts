import { lpStream, pbStream } from '@libp2p/utils'
import { anySignal } from 'any-signal'
import * as c from '../constants.js'
import { JobEvent as PbJobEvent, JobRequest } from '../pb/grid.js'
import { codeCidMismatch, maySee, unapprovedCode } from '../access.js'
import { BusyError, DatasetTooLargeError, EngineUnavailableError } from '../errors.js'
import { codeCid } from './code-cid.js'
import { DatasetJson } from './dataset-json.js'
import { fromPbJobEvent, resultEvent, resultFrames, ResultParts, toPbJobEvent } from './convert.js'
import { isEngineChoice } from './engine.js'
import { JobEventSender } from './job-event-sender.js'
import { JobWatchdog } from './job-watchdog.js'
import { jsonDepthExceeds } from '../json-depth.js'
import { QueueKeepalive } from './queue-keepalive.js'
import { ResultBytes } from './result-bytes.js'
import type { EngineChoice } from './engine.js'
import type { JobEvent, JobInit } from './job-events.js'
import type { WorkerPool } from './pool.js'
import type { AccessInit, AccessPolicy } from '../access.js'
import type { ApprovalStore } from '../approvals.js'
import type { DatasetStore } from '../catalog/datasets.js'
import type { AbortOptions, ComponentLogger, Connection, Libp2p, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { StreamOpener } from '../network/grid-streams.js'

export interface ComputeComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle'>
  /** Opens streams to peers: directly when possible (waiting a little for a hole punch), through a relay otherwise. */
  streams: StreamOpener
  datasets: DatasetStore
  pool: WorkerPool
  /** Who may run jobs here and how many at once, and which code on its datasets. */
  access: Pick<AccessPolicy, 'jobRefusal' | 'needsApproval'>
  /** The code CIDs this node approved. */
  approvals: Pick<ApprovalStore, 'has'>
  logger: ComponentLogger
}

/** One event of a job this node runs for another peer, for a job log. */
/** `dataset`: the dataset the job runs on, when it names one. */
export interface ServedJobEvent { jobId: string, from: string, event: JobEvent, dataset?: string }

/** `offer`, `allow` and `maxJobsPerPeer` are the access policy's (see access.ts). */
export interface ComputeInit extends AccessInit {
  /** @default MAX_JOB_TIMEOUT */
  maxTimeoutMs?: number
  memoryBytes?: number
  resultBytes?: number
  /** What jobs that do not name an engine run on: `auto` is V8 on Node.js, QuickJS in a tab. @default 'auto' */
  engine?: EngineChoice
}

/** The service's own init: the node's compute settings, and the grid it serves. */
export interface ComputeServiceInit extends ComputeInit {
  /** The grid (`--network`) whose protocol IDs and DHT keys this speaks. @default DEFAULT_NETWORK ('main') */
  network?: string
}

/**
 * `/grid/<network>/compute/1.0.0`, both sides. As the data holder it reads one job request,
 * checks who asks, queues the job in the worker pool next to its data and streams events back
 * until one result or error; the requester closing the stream cancels the job. As the
 * requester it sends a job to a peer and yields those events.
 */
export class ComputeService implements Startable {
  readonly protocol: string
  private readonly components: ComputeComponents
  private readonly init: ComputeInit
  private readonly log: Logger
  private readonly perPeer = new Map<string, number>()
  private readonly listeners = new Set<(served: ServedJobEvent) => void>()
  /** Bytes of results sent to requesters and received from holders, counted as their frames pass. */
  readonly resultBytes = new ResultBytes()
  private readonly servedCodec = this.resultBytes.codec('served')
  private readonly requestedCodec = this.resultBytes.codec('requested')
  /** The rows of datasets jobs ran on, as JSON text, for the next job on them. */
  private readonly datasetJson = new DatasetJson()

  constructor (components: ComputeComponents, init: ComputeServiceInit = {}) {
    this.components = components
    this.init = init
    this.protocol = c.computeProtocol(init.network ?? c.DEFAULT_NETWORK)
    this.log = components.logger.forComponent('grid:compute')
  }

  /** Calls the listener with every event of every job served here; returns the unsubscribe. */
  onServed (listener: (served: ServedJobEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  async start (): Promise<void> {
    // a requester may pipeline many jobs to one holder over one connection
    await this.components.libp2p.handle(this.protocol, async (stream, connection) => { await this.serve(stream, connection) }, {
      maxInboundStreams: c.MAX_JOB_QUEUE,
      maxOutboundStreams: c.MAX_JOB_QUEUE,
      // browser tabs are reached through a relay: their connections are limited
      runOnLimitedConnection: true
    })
  }

  async stop (): Promise<void> {
    await this.components.libp2p.unhandle(this.protocol)
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    // length-prefixed frames, not pbStream: a result's parts are written as the worker handed them on (see result-part-frame.ts)
    const lp = lpStream(stream, { maxDataLength: c.MAX_JOB_REQUEST_BYTES })
    let request: JobRequest
    try {
      request = JobRequest.decode(await lp.read({ signal: AbortSignal.timeout(c.CATALOG_HANDLER_TIMEOUT) }))
    } catch (err) {
      this.log('bad job request from %p, resetting the stream - %e', connection.remotePeer, err)
      stream.abort(err as Error)
      return
    }
    // the requester closing or resetting the stream cancels the job
    const cancel = new AbortController()
    // once the outcome is sent there is nothing to cancel (and an Error is not cheap to make)
    let sent = false
    stream.addEventListener('close', () => { if (!sent) cancel.abort(new Error('the requester went away')) }, { once: true })
    const peer = connection.remotePeer.toString()
    const sender = new JobEventSender(async events => { if (stream.status === 'open') await lp.writeV(events.map(event => this.servedCodec.encode(toPbJobEvent(event)))) })
    const on = request.dataset !== '' ? { dataset: request.dataset } : {}
    const send = (event: JobEvent): void => {
      for (const listener of this.listeners) listener({ jobId: request.id, from: peer, event, ...on })
      sender.send(event)
    }
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1)
    try {
      const last = await this.execute(request, peer, send, cancel.signal)
      for (const listener of this.listeners) listener({ jobId: request.id, from: peer, event: last, ...on })
      // a requester that stops reading cannot hold the stream: the result goes within a deadline or the stream is reset
      // a large result goes in parts to a requester that takes them
      await sender.finish(last.type === 'result' ? resultFrames(last, request.resultParts) : last, { signal: AbortSignal.any([cancel.signal, AbortSignal.timeout(c.JOB_RESULT_SEND_TIMEOUT)]) })
      sent = true
      await stream.close({ signal: AbortSignal.timeout(c.JOB_RESULT_SEND_TIMEOUT) })
    } catch (err) {
      this.log('job %s from %p ended early - %e', request.id, connection.remotePeer, err)
      stream.abort(err as Error)
    } finally {
      this.perPeer.set(peer, (this.perPeer.get(peer) ?? 1) - 1)
      if (this.perPeer.get(peer) === 0) this.perPeer.delete(peer)
    }
  }

  /** Runs the job and returns its last event (result or error); earlier events go through `send`. */
  private async execute (request: JobRequest, peer: string, send: (event: JobEvent) => void, signal: AbortSignal): Promise<JobEvent> {
    const refusal = this.components.access.jobRefusal(peer, this.perPeer.get(peer) ?? 0)
    if (refusal != null) return { type: 'error', ...refusal }
    let args: unknown
    try {
      args = request.argsJson === '' ? null : JSON.parse(request.argsJson)
    } catch {
      return { type: 'error', status: 'bad-request', message: 'args are not valid JSON' }
    }
    if (jsonDepthExceeds(request.argsJson, c.MAX_RESULT_DEPTH)) return { type: 'error', status: 'bad-request', message: `args are nested more than ${c.MAX_RESULT_DEPTH} levels deep` }
    // a requester of an older version sends no CID: the code's own is the one checked
    const cid = await codeCid(request.code)
    if (request.codeCid !== '' && request.codeCid !== cid) return { type: 'error', ...codeCidMismatch(request.codeCid, cid) }
    let dataJson: string | undefined
    if (request.dataset !== '') {
      const found = await this.components.datasets.get(request.dataset).catch(() => undefined)
      if (found == null || !maySee(found, peer)) return { type: 'error', status: 'not-found', message: `no dataset named "${request.dataset}" here` }
      if (this.components.access.needsApproval(found) && !await this.components.approvals.has(cid)) return { type: 'error', ...unapprovedCode(cid, found.name) }
      try {
        // rows that could not fit the sandbox are never read: a stranger's job cannot make this node parse a 1 GiB file
        dataJson = await this.datasetJson.get(found, async () => this.components.datasets.readRows(request.dataset, { maxFileBytes: this.init.memoryBytes ?? c.SANDBOX_MEMORY_BYTES, signal }))
      } catch (err: any) {
        // the reason names a local path: it stays in this node's log
        this.log.error('dataset %s could not be read for a job of %s - %e', request.dataset, peer, err)
        const tooLarge = err?.name === DatasetTooLargeError.name
        return { type: 'error', status: 'failed', message: tooLarge ? `dataset "${request.dataset}" is larger than a job's memory here (${this.init.memoryBytes ?? c.SANDBOX_MEMORY_BYTES} bytes)` : `dataset "${request.dataset}" cannot be read here right now` }
      }
    }
    if (request.engine !== '' && !isEngineChoice(request.engine)) return { type: 'error', status: 'bad-request', message: `unknown engine "${request.engine.slice(0, 32)}": use auto, quickjs or v8` }
    const cap = this.init.maxTimeoutMs ?? c.MAX_JOB_TIMEOUT
    const timeoutMs = Math.min(request.timeoutMs === 0 ? cap : request.timeoutMs, cap)
    const queued = new QueueKeepalive(() => { send({ type: 'accepted', queuePosition: this.components.pool.position(peer) }) })
    const waited = new AbortController()
    const tooLong = setTimeout(() => { waited.abort(new BusyError(`the job waited ${c.MAX_QUEUE_WAIT / 1000} s in the queue without starting; try later or another node`)) }, c.MAX_QUEUE_WAIT)
    try {
      const outcome = await this.components.pool.run({
        code: request.code,
        ...(request.engine !== '' ? { engine: request.engine as EngineChoice } : {}),
        ...(dataJson != null ? { dataJson } : {}),
        args,
        owner: peer,
        limits: { timeoutMs, ...(this.init.memoryBytes != null ? { memoryBytes: this.init.memoryBytes } : {}), ...(this.init.resultBytes != null ? { resultBytes: this.init.resultBytes } : {}) },
        onStart: () => { queued.stop(); clearTimeout(tooLong); send({ type: 'started' }) },
        onProgress: value => { send({ type: 'progress', value }) },
        onLog: text => { send({ type: 'log', text }) }
      }, { signal: AbortSignal.any([signal, waited.signal]) })
      // the guest's JSON text goes on the wire as it is
      return outcome.ok ? resultEvent('json' in outcome ? outcome.json : outcome.utf8) : { type: 'error', status: 'failed', failure: outcome.failure, message: outcome.message }
    } catch (err: any) {
      if (err?.name === BusyError.name) return { type: 'error', status: 'busy', message: err.message }
      if (err?.name === EngineUnavailableError.name) return { type: 'error', status: 'bad-request', message: err.message }
      throw err
    } finally {
      queued.stop()
      clearTimeout(tooLong)
    }
  }

  /**
   * Sends a job to a peer and yields its events; aborting the signal cancels it there too. A
   * holder that goes silent or overruns the job's deadline ends the job with a JobDeadlineError.
   */
  async * send (peer: PeerId, job: JobInit & { id: string }, options: AbortOptions = {}): AsyncGenerator<JobEvent> {
    const watchdog = new JobWatchdog(peer.toString(), job.timeoutMs ?? c.SANDBOX_TIMEOUT)
    const signal = anySignal([options.signal, watchdog.signal])
    let stream: Stream | undefined
    let finished = false
    try {
      const opened = await this.components.streams.open(peer, this.protocol, { signal, waitForDirectMs: c.DIRECT_PATH_WAIT })
      stream = opened.stream
      // a result may be up to 16 MiB in one frame: the read buffer must hold all of it
      const pb = pbStream(stream, { maxDataLength: c.MAX_JOB_EVENT_BYTES, maxBufferSize: c.MAX_JOB_EVENT_BYTES })
      await pb.write({ id: job.id, code: job.code, dataset: job.dataset ?? '', argsJson: JSON.stringify(job.args ?? null), timeoutMs: job.timeoutMs ?? 0, codeCid: await codeCid(job.code), engine: job.engine ?? '', resultParts: true }, JobRequest, { signal })
      const parts = new ResultParts()
      for (;;) {
        const frame = await pb.read(this.requestedCodec, { signal })
        if (frame.type === PbJobEvent.Type.RESULT_PART) {
          const tooLarge = parts.add(frame.part)
          if (tooLarge == null) continue
          // the rest is not read: the stream is reset (finally) and the job ends here
          yield tooLarge
          return
        }
        const fromParts = frame.type === PbJobEvent.Type.RESULT && (parts.started || frame.resultBytes > 0)
        const received = fromParts ? parts.end(frame.resultBytes) : fromPbJobEvent(frame)
        const event: JobEvent = received.type === 'accepted' ? { ...received, via: opened.via } : received
        watchdog.heard(event)
        yield event
        if (event.type === 'result' || event.type === 'error') break
      }
      finished = true
      await stream.close({ signal })
    } catch (err) {
      const reason = watchdog.signal.aborted ? watchdog.signal.reason : err
      stream?.abort(reason as Error)
      throw reason
    } finally {
      watchdog.clear()
      signal.clear()
      // a consumer that stopped listening early cancels the job on the holder
      if (!finished && stream?.status === 'open') stream.abort(new Error('the requester stopped listening'))
    }
  }
}
