/**
 * The grid's own Prometheus metrics: counters and histograms fed by the node's event stream as
 * things happen, gauges read from the node when Prometheus scrapes. Names follow Prometheus
 * conventions: `grid_` prefix, `_total` counters, base units (`_seconds`, `_bytes`).
 */
import { Counter, Gauge, Histogram } from 'prom-client'
import { version } from '../version.js'
import type { GridEvent, GridNode, JobEventFields } from '@grid-node/core'
import type { Registry } from 'prom-client'

/** Search latency: a cached answer is milliseconds, a cold DHT walk seconds, the deadline 30 s. */
const SEARCH_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
/** Live holders per search: none (nothing found) through the search's default limit. */
const SEARCH_HOLDERS = [0, 1, 2, 5, 10, 20, 50, 100]
/** Job time, accepted to result: a no-op job is ~10 ms; the default deadline is 30 s, the cap 5 min. */
const JOB_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

/** Jobs whose start is kept to time their run: beyond this many running at once, the oldest are dropped. */
const RUNNING_TRACKED = 4_096

/** How a job ends, as a label: its error statuses are a fixed set; anything else is `other`. */
const OUTCOMES = new Set(['result', 'bad-request', 'not-found', 'forbidden', 'busy', 'failed', 'internal'])

/**
 * Registers the grid's metrics for `node` in `registry` and follows its events; returns the
 * unsubscribe. Listeners run synchronously on the event bus: each does a few increments.
 */
export function followGrid (node: GridNode, registry: Registry): () => void {
  const registers = [registry]
  const peerUps = new Counter({ name: 'grid_peer_up_total', help: 'Peers the liveness monitor saw come up or come back', registers })
  const peerDowns = new Counter({ name: 'grid_peer_down_total', help: 'Peers the liveness monitor marked down', registers })
  const searches = new Counter({ name: 'grid_searches_total', help: 'Searches started on this node, by outcome (ok, failed)', labelNames: ['outcome'], registers })
  const searchSeconds = new Histogram({ name: 'grid_search_duration_seconds', help: 'Time from a search\'s start to its last holder', buckets: SEARCH_SECONDS, registers })
  const searchHolders = new Histogram({ name: 'grid_search_holders', help: 'Live holders found per search (the sum: holders found in all)', buckets: SEARCH_HOLDERS, registers })
  const jobs = new Counter({ name: 'grid_jobs_total', help: 'Jobs ended, by side (served: run here for a peer; requested: sent from here) and outcome (result, or the error status)', labelNames: ['side', 'outcome'], registers })
  const jobSeconds = new Histogram({ name: 'grid_job_duration_seconds', help: 'Time from when this node first saw a job to its result or error, queue included, by side', labelNames: ['side'], buckets: JOB_SECONDS, registers })
  const runSeconds = new Histogram({ name: 'grid_job_run_seconds', help: 'Time from a job\'s start in a worker to its result or error (jobs that started), by side', labelNames: ['side'], buckets: JOB_SECONDS, registers })
  const clocks = { served: new RunClock(), requested: new RunClock() }
  const reachabilityChanges = new Counter({ name: 'grid_reachability_changes_total', help: 'Changes of how peers reach this node (state or relays)', registers })
  const pubsubMessages = new Counter({ name: 'grid_pubsub_messages_received_total', help: 'Pub/sub messages received on subscribed topics', registers })
  const pubsubBytes = new Counter({ name: 'grid_pubsub_received_bytes_total', help: 'Bytes of pub/sub messages received on subscribed topics', registers })
  const datasets = new DatasetGauges(node, registry)
  // every known series from the start, so a rate() has its zero before the first event
  for (const outcome of ['ok', 'failed']) searches.inc({ outcome }, 0)
  for (const side of ['served', 'requested']) {
    for (const outcome of [...OUTCOMES, 'other']) jobs.inc({ side, outcome }, 0)
    jobSeconds.zero({ side })
    runSeconds.zero({ side })
  }

  const onJob = (side: 'served' | 'requested', e: JobEventFields & { at: number }): void => {
    if (e.phase === 'started') clocks[side].start(e.jobId, e.at)
    if (e.phase !== 'result' && e.phase !== 'error') return
    const outcome = e.phase === 'result' ? 'result' : OUTCOMES.has(e.status ?? '') ? e.status! : 'other'
    jobs.inc({ side, outcome })
    if (e.durationMs != null) jobSeconds.observe({ side }, e.durationMs / 1000)
    const ran = clocks[side].end(e.jobId, e.at)
    if (ran != null) runSeconds.observe({ side }, ran)
  }
  const unsubscribe = node.onEvent((e: GridEvent) => {
    switch (e.type) {
      case 'peer:up': peerUps.inc(); break
      case 'peer:down': peerDowns.inc(); break
      case 'search':
        searches.inc({ outcome: e.ok ? 'ok' : 'failed' })
        searchSeconds.observe(e.durationMs / 1000)
        searchHolders.observe(e.holders)
        break
      case 'job:served': onJob('served', e); break
      case 'job:requested': onJob('requested', e); break
      case 'reachability': reachabilityChanges.inc(); break
      case 'pubsub:message':
        pubsubMessages.inc()
        pubsubBytes.inc(e.bytes)
        break
      case 'dataset:added': datasets.added(e.name, e.rows, e.private); break
      case 'dataset:removed': datasets.removed(e.name); break
      default: break
    }
  })
  registerScrapeGauges(node, registry)
  return unsubscribe
}

/** What the node reports at scrape time: peers, readiness, the worker pool, reachability, result bytes. */
function registerScrapeGauges (node: GridNode, registry: Registry): void {
  // registered here, in this node's registry only (`registers: []` keeps them out of the global one)
  const registers: Registry[] = []
  const status = (): ReturnType<GridNode['status']> => node.status()
  const info = new Gauge({ name: 'grid_node_info', help: 'This node: peer ID, network and version (always 1)', labelNames: ['peer_id', 'network', 'version'], registers })
  registry.registerMetric(info)
  info.set({ peer_id: node.peerId.toString(), network: node.network, version: version() }, 1)
  gauge('grid_ready', 'Whether the node has joined the grid (1) or not (0)', () => node.ready ? 1 : 0)
  gauge('grid_peers_connected', 'Distinct peers connected now', () => status().peers)
  registry.registerMetric(new Gauge({
    name: 'grid_peers',
    help: 'Peers the liveness monitor tracks, by state (up, down)',
    labelNames: ['state'],
    registers,
    collect () {
      const counts = { up: 0, down: 0 }
      for (const p of node.peerLiveness()) counts[p.state === 'up' ? 'up' : 'down']++
      this.set({ state: 'up' }, counts.up)
      this.set({ state: 'down' }, counts.down)
    }
  }))
  gauge('grid_pool_workers', 'Worker threads of the job pool', () => node.poolStatus().size)
  gauge('grid_pool_jobs_running', 'Jobs running in the pool now', () => node.poolStatus().running)
  gauge('grid_job_queue_length', 'Jobs waiting for a worker now', () => node.poolStatus().waiting)
  gauge('grid_relay_reservations', 'Relays holding a reservation for this node now', () => status().reachability.relays.length)
  registry.registerMetric(new Gauge({
    name: 'grid_reachability',
    help: 'How peers reach this node: 1 for the current state (direct, relayed, unreachable, checking)',
    labelNames: ['state'],
    registers,
    collect () {
      const now = status().reachability.state
      for (const state of ['direct', 'relayed', 'unreachable', 'checking']) this.set({ state }, state === now ? 1 : 0)
    }
  }))
  // a monotonic figure kept by the node: the counter moves by what it grew since the last scrape
  const seen = { served: 0, requested: 0 }
  registry.registerMetric(new Counter({
    name: 'grid_job_result_bytes_total',
    help: 'Bytes of job results on the wire, by side (served: sent to requesters; requested: received from holders)',
    labelNames: ['side'],
    registers,
    collect () {
      const now = node.jobResultBytes()
      for (const side of ['served', 'requested'] as const) {
        this.inc({ side }, Math.max(0, now[side] - seen[side]))
        seen[side] = now[side]
      }
    }
  }))

  function gauge (name: string, help: string, read: () => number): void {
    registry.registerMetric(new Gauge({ name, help, registers, collect () { this.set(read()) } }))
  }
}

/**
 * Datasets and their rows, kept from the event stream: one listing when metrics start (the
 * datasets already there), then every add and remove. A scrape never touches the files.
 */
class DatasetGauges {
  private readonly rows = new Map<string, { rows: number, private: boolean }>()
  /** Names an event spoke of before the first listing came back: the event is newer. */
  private readonly heard = new Set<string>()
  private listed = false

  constructor (node: GridNode, registry: Registry) {
    const self = this
    registry.registerMetric(new Gauge({
      name: 'grid_datasets',
      help: 'Datasets held by this node, by visibility (public: announced; private)',
      labelNames: ['visibility'],
      registers: [],
      collect () {
        let priv = 0
        for (const d of self.rows.values()) if (d.private) priv++
        this.set({ visibility: 'public' }, self.rows.size - priv)
        this.set({ visibility: 'private' }, priv)
      }
    }))
    registry.registerMetric(new Gauge({
      name: 'grid_dataset_rows',
      help: 'Rows of each dataset held by this node',
      labelNames: ['dataset'],
      registers: [],
      collect () {
        this.reset()
        for (const [dataset, d] of self.rows) this.set({ dataset }, d.rows)
      }
    }))
    node.datasets.list().then(list => {
      for (const d of list) if (!this.heard.has(d.name)) this.rows.set(d.name, { rows: d.rows, private: d.visibility !== 'public' })
    }, () => {
      // a broken descriptor fails the listing: its datasets count from their next event on
    }).finally(() => { this.listed = true; this.heard.clear() })
  }

  added (name: string, rows: number, isPrivate: boolean): void {
    if (!this.listed) this.heard.add(name)
    this.rows.set(name, { rows, private: isPrivate })
  }

  removed (name: string): void {
    if (!this.listed) this.heard.add(name)
    this.rows.delete(name)
  }
}

/** When each job in flight started running, so its run is timed without its wait in the queue. */
class RunClock {
  private readonly started = new Map<string, number>()

  start (jobId: string, at: number): void {
    this.started.set(jobId, at)
    if (this.started.size > RUNNING_TRACKED) this.started.delete(this.started.keys().next().value as string)
  }

  /** Seconds since the job started; undefined for one that never did (refused, or ended in the queue). */
  end (jobId: string, at: number): number | undefined {
    const started = this.started.get(jobId)
    this.started.delete(jobId)
    return started == null ? undefined : (at - started) / 1000
  }
}
