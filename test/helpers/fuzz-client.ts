// A bare libp2p client (TCP, Noise, Yamux, Identify: no grid code) that opens streams on a grid
// node's catalog and compute protocols and sends them the frames of fuzz-frames.ts, a bounded
// number at a time, and records how each stream ended.
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { concat, hex, planStall, planStream, Rng } from './fuzz-frames.ts'
import type { StreamPlan, Target } from './fuzz-frames.ts'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * How a stream ended. `answered`: the holder sent bytes, then closed cleanly. `closed`: closed
 * cleanly without a word. `reset`: the holder reset it (a malformed frame). `aborted`: we reset
 * it first. `refused`: reset while opening, or a valid request reset without an answer (over the
 * holder's per-connection stream limit). `open-failed`: the stream could not be opened for another
 * reason (the connection closed, a timeout). `hung`: no end within our deadline.
 */
export type Outcome = 'answered' | 'closed' | 'reset' | 'aborted' | 'refused' | 'open-failed' | 'hung'

export interface StreamEnd { outcome: Outcome, error?: string, /** the stream opened, so its frames were sent */ opened: boolean }

export interface Notable { target: Target, index: number, kind: string, outcome: Outcome, error?: string, bytes: string }

export interface TargetReport {
  streams: number
  frames: number
  bytesSent: number
  outcomes: Partial<Record<Outcome, number>>
  byKind: Record<string, Partial<Record<Outcome, number>>>
}

export interface FuzzReport {
  seed: number
  durationMs: number
  catalog: TargetReport
  compute: TargetReport
  /** Streams that hung, or valid requests that got no answer: each reproducible from seed, target and index. */
  notable: Notable[]
}

export interface FuzzInit {
  /** The fuzzed node's address, with its peer ID. */
  addr: Multiaddr
  /** @default 'main' */
  network?: string
  seed: number
  /** Frames to send to each protocol, at least. */
  frames: number
  /** Bare clients, each with one connection to the node. @default 3 */
  clients?: number
  /** Streams in flight per protocol per client: keep catalog's under its 32 inbound streams. @default 16 */
  concurrency?: number
  /** Streams per protocol that send part of a request and fall silent, on a client of their own. @default 4 */
  stalls?: number
  /** A stream that has not ended this long after its last write is `hung`. @default 20_000 */
  streamTimeoutMs?: number
  signal?: AbortSignal
}

/**
 * A bare libp2p node: the transports, encryption and muxer of a grid node, and no grid code.
 * It answers pings: a grid node hangs up on a peer that misses three (30 s).
 */
export async function createBareClient (): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() }
  })
}

/** The streams of a protocol open on a node now, over all its connections. */
export function openStreams (libp2p: Libp2p, protocol: string): number {
  return libp2p.getConnections().flatMap(c => c.streams).filter(s => s.protocol === protocol).length
}

/** The PRNG of one stream: its frames can be drawn again from the seed, target and index alone. */
export function streamRng (seed: number, target: Target, index: number): Rng {
  return new Rng((seed ^ Math.imul(index + 1, 0x9e3779b1) ^ (target === 'catalog' ? 0x5bd1e995 : 0x1b873593)) >>> 0)
}

function emptyReport (): TargetReport {
  return { streams: 0, frames: 0, bytesSent: 0, outcomes: {}, byKind: {} }
}

/** Sends one plan on a new stream and waits for the stream to end. */
export async function fuzzStream (connection: Connection, protocol: string, plan: StreamPlan, timeoutMs: number): Promise<StreamEnd> {
  let stream: Stream
  try {
    stream = await connection.newStream(protocol, { signal: AbortSignal.timeout(timeoutMs), maxOutboundStreams: 1024 })
  } catch (err: any) {
    // reset while negotiating (seen as a reset or an early end): the holder refused it
    const refused = err.name === 'StreamResetError' || err.name === 'UnexpectedEOFError'
    return { outcome: refused ? 'refused' : 'open-failed', error: err.name, opened: false }
  }
  let received = 0
  const ended = new Promise<{ error?: Error, local: boolean }>(resolve => {
    // the holder may have reset it already, while newStream() was still finishing
    if (stream.status === 'reset' || stream.status === 'aborted') resolve({ error: new Error(`stream ${stream.status}`), local: stream.status === 'aborted' })
    if (stream.status === 'closed') resolve({ local: false })
    stream.addEventListener('close', evt => { resolve({ error: evt.error, local: evt.local ?? false }) }, { once: true })
  })
  stream.addEventListener('message', evt => { received += evt.data.byteLength })
  // once the holder has said all it will, close our side too so the stream can end
  stream.addEventListener('remoteCloseWrite', () => { stream.close().catch(() => {}) }, { once: true })
  const deadline = AbortSignal.timeout(timeoutMs)
  try {
    for (const chunk of plan.chunks) {
      if (stream.writeStatus !== 'writable') break
      if (!stream.send(chunk)) await stream.onDrain({ signal: deadline })
    }
    if (plan.end === 'close') await stream.close({ signal: deadline })
    if (plan.end === 'abort') stream.abort(new Error('fuzz: reset by the client'))
  } catch {
    // the holder reset the stream while we were still writing: the outcome says so below
  }
  const timedOut = new Promise<'hung'>(resolve => {
    if (deadline.aborted) resolve('hung')
    deadline.addEventListener('abort', () => { resolve('hung') }, { once: true })
  })
  const end = await Promise.race([ended, timedOut])
  if (end === 'hung') {
    stream.abort(new Error('fuzz: no end within the deadline'))
    return { outcome: 'hung', opened: true }
  }
  if (end.error != null) {
    if (end.local) return { outcome: 'aborted', opened: true }
    if (plan.answerExpected && received === 0) return { outcome: 'refused', error: end.error.name, opened: true }
    return { outcome: 'reset', error: end.error.name, opened: true }
  }
  return { outcome: received > 0 ? 'answered' : 'closed', opened: true }
}

function record (report: TargetReport, plan: StreamPlan, { outcome, opened }: StreamEnd): void {
  if (opened) {
    // a stream never opened sent nothing
    report.streams++
    report.frames += plan.frames
    report.bytesSent += plan.chunks.reduce((n, c) => n + c.byteLength, 0)
  }
  report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1
  const kind = (report.byKind[plan.kind] ??= {})
  kind[outcome] = (kind[outcome] ?? 0) + 1
}

/** One fuzz run: clients sharing a connection each, workers drawing streams until enough frames went out. */
class FuzzRun {
  readonly report: FuzzReport
  private readonly init: FuzzInit
  private readonly clients: Libp2p[]
  private readonly protocols: Record<Target, string>
  private readonly timeoutMs: number
  private readonly next: Record<Target, number> = { catalog: 0, compute: 0 }
  /** Aborted by a worker that can no longer open streams: the others stop too. */
  private readonly stop = new AbortController()
  /** One connection per client, shared by its workers; the first to find it dead dials again. */
  private readonly links: Array<Promise<Connection>>

  constructor (init: FuzzInit, clients: Libp2p[]) {
    const network = init.network ?? 'main'
    this.init = init
    this.clients = clients
    this.protocols = { catalog: `/grid/${network}/catalog/1.0.0`, compute: `/grid/${network}/compute/1.0.0` }
    this.timeoutMs = init.streamTimeoutMs ?? 20_000
    this.report = { seed: init.seed, durationMs: 0, catalog: emptyReport(), compute: emptyReport(), notable: [] }
    this.links = clients.map(async c => dialWithRetry(c, init.addr, init.signal))
  }

  async run (): Promise<void> {
    await Promise.all(this.links)
    const targets = ['catalog', 'compute'] as const
    // the last client only stalls: its silent streams must not take the others' slots
    const stalls = targets.flatMap(target => Array.from({ length: this.init.stalls ?? 4 }, async (_, i) => { await this.stall(target, -1 - i) }))
    const workers = this.clients.slice(0, -1).flatMap((_, i) => targets.flatMap(target =>
      Array.from({ length: this.init.concurrency ?? 16 }, async () => { await this.guarded(i, target) })))
    await Promise.all([...workers, ...stalls])
    if (this.stop.signal.aborted) throw this.stop.signal.reason
  }

  private stopped (): boolean {
    return this.stop.signal.aborted || this.init.signal?.aborted === true
  }

  private note (target: Target, index: number, plan: StreamPlan, end: StreamEnd): void {
    record(this.report[target], plan, end)
    const { outcome, error } = end
    if ((outcome === 'hung' || outcome === 'open-failed' || outcome === 'refused') && this.report.notable.length < 100) {
      this.report.notable.push({ target, index, kind: plan.kind, outcome, ...(error != null ? { error } : {}), bytes: hex(concat(plan.chunks)) })
    }
  }

  private async redial (i: number, dead: Connection): Promise<Connection> {
    if (await this.links[i] === dead) {
      dead.abort(new Error('fuzz: no streams open on this connection'))
      this.links[i] = dialWithRetry(this.clients[i]!, this.init.addr, this.init.signal)
    }
    return this.links[i]!
  }

  private async worker (i: number, target: Target): Promise<void> {
    let connection = await this.links[i]!
    for (let failures = 0; this.report[target].frames < this.init.frames && !this.stopped();) {
      const index = this.next[target]++
      const plan = planStream(target, streamRng(this.init.seed, target, index))
      const end = await fuzzStream(connection, this.protocols[target], plan, this.timeoutMs)
      this.note(target, index, plan, end)
      if (end.outcome !== 'open-failed') { failures = 0; continue }
      // the node may close a connection it finds abusive, or its muxer may be gone under a
      // connection libp2p still lists: drop it and dial again, a few times at most
      if (++failures === 10) throw new Error(`${target} streams no longer open on the node (${end.error ?? 'unknown error'}); seed ${this.init.seed}, stream #${index}`)
      connection = await this.redial(i, connection)
    }
  }

  private async guarded (i: number, target: Target): Promise<void> {
    try {
      await this.worker(i, target)
    } catch (err) {
      if (!this.stop.signal.aborted) this.stop.abort(err)
    }
  }

  private async stall (target: Target, index: number): Promise<void> {
    const plan = planStall(target, streamRng(this.init.seed, target, index))
    this.note(target, index, plan, await fuzzStream(await this.links.at(-1)!, this.protocols[target], plan, this.timeoutMs))
  }
}

/**
 * Sends at least `frames` malformed or random frames to each of the catalog and compute
 * protocols of the node at `addr`, from bare clients, `concurrency` streams at a time per
 * protocol per client, plus a few stalled streams; returns how every stream ended. Rejects if
 * the node stops opening streams.
 */
export async function fuzz (init: FuzzInit): Promise<FuzzReport> {
  const clients = await Promise.all(Array.from({ length: (init.clients ?? 3) + 1 }, createBareClient))
  const started = performance.now()
  const run = new FuzzRun(init, clients)
  try {
    await run.run()
  } finally {
    run.report.durationMs = performance.now() - started
    await Promise.all(clients.map(async c => c.stop()))
  }
  return run.report
}

/**
 * Dials the node and waits until it serves streams on the connection: streams opened before the
 * node listens on a new connection are "early", and libp2p drops a connection with over 10 of
 * them. A loaded host can time a handshake out: a failed dial is retried, not the end of the run.
 */
export async function dialWithRetry (client: Libp2p, addr: Multiaddr, signal?: AbortSignal): Promise<Connection> {
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = await client.dial(addr, signal != null ? { signal } : {})
      const stream = await connection.newStream('/ipfs/id/1.0.0', signal != null ? { signal } : {})
      stream.abort(new Error('only checking the connection is served'))
      return connection
    } catch (err) {
      if (attempt === 5 || signal?.aborted === true) throw err
      await new Promise(resolve => setTimeout(resolve, 500 * attempt))
    }
  }
}
