import { anySignal } from 'any-signal'
import { createLibp2p } from 'libp2p'
import { AccessPolicy, isPublic } from './access.js'
import { ApprovalStore } from './approvals.js'
import * as c from './constants.js'
import { DialError, ListenError, NotStartedError } from './errors.js'
import { AddressPolicy, addressScope } from './network/address-policy.js'
import { parseMultiaddr, shareableAddrs } from './network/addresses.js'
import { Joiner } from './network/joiner.js'
import { libp2pOptions } from './network/libp2p-options.js'
import { GridStreams } from './network/grid-streams.js'
import { PublicRelayFilter } from './network/relay-filter.js'
import { PeerRoles } from './network/peer-roles.js'
import { RelayShare } from './network/relay-share.js'
import { cpuCount, databaseLocation } from '#platform'
import { CatalogService } from './catalog/catalog-service.js'
import { DatasetStore } from './catalog/datasets.js'
import { ComputeService } from './compute/compute-service.js'
import { federate } from './compute/federate.js'
import { WorkerPool } from './compute/pool.js'
import { LoadBook } from './compute/load-book.js'
import { lyingPool } from './compute/lying-pool.js'
import { ResultScores } from './compute/result-scores.js'
import { Scheduler } from './compute/scheduler.js'
import { Announcer } from './discovery/announcer.js'
import { LivenessMonitor } from './discovery/liveness.js'
import { EventBus } from './events/event-bus.js'
import { JobTracker } from './events/job-tracker.js'
import { tapJob, tapRun, tapSearch } from './events/taps.js'
import { pubsubEvent } from './events/pubsub-event.js'
import { ProbeService } from './discovery/probe.js'
import { Searcher } from './discovery/search.js'
import { JobTargets } from './discovery/targets.js'
import { PubSubGuard } from './pubsub/guard.js'
import { PubSubService } from './pubsub/pubsub-service.js'
import { loadOrCreatePrivateKey } from './store/identity.js'
import { validateInit } from './validate-init.js'
import { openStore } from './store/store.js'
import type { AddDatasetInit, DatasetDescriptor } from './catalog/descriptor.js'
import type { FederateInit, FederateResult } from './compute/federate.js'
import type { ServedJobEvent } from './compute/compute-service.js'
import type { JobEvent, JobInit } from './compute/job-events.js'
import type { RunEvent, RunInit } from './compute/scheduler.js'
import type { PeerLiveness } from './discovery/liveness.js'
import type { GridEvent } from './events/grid-events.js'
import type { SearchOptions, SearchResult } from './discovery/search.js'
import type { GridNode, GridNodeDatasets, GridNodeInit, GridNodeStatus, PeerSummary } from './index.js'
import type { GridServices } from './network/libp2p-options.js'
import type { Store } from './store/store.js'
import type { Validated } from './validate-init.js'
import type { ReachabilityStatus } from './network/reachability.js'
import type { AbortOptions, Libp2p, Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export async function createNode (init: GridNodeInit): Promise<GridNode> {
  const valid = validateInit(init)
  const store = await openStore(databaseLocation(init.dataDir))
  try {
    const privateKey = await loadOrCreatePrivateKey(store)
    const addressPolicy = new AddressPolicy({ lan: valid.lan, bootstrap: valid.bootstrap, kadProtocol: c.kadProtocol(valid.network), ranges: valid.ranges })
    const peerRoles = new PeerRoles(c.kadProtocol(valid.network))
    const relayFilter = new PublicRelayFilter(addressPolicy, peerRoles)
    const relayShare = new RelayShare(peerRoles)
    const pubsubGuard = new PubSubGuard()
    const libp2p = await createLibp2p(libp2pOptions({
      privateKey,
      datastore: store.datastore,
      network: valid.network,
      listen: valid.listen,
      policy: addressPolicy,
      relayFilter,
      relayShare,
      relay: valid.relay,
      pubsubScore: pubsubGuard.score,
      ...(init.faults?.lieOnDialBack === true ? { lieOnDialBack: true } : {}),
      ...(init.tls != null ? { tls: init.tls } : {}),
      ...(init.iceServers != null ? { iceServers: init.iceServers } : {}),
      ...(init.webrtc != null ? { webrtc: init.webrtc } : {}),
      ...(init.dhtClient != null ? { dhtClient: init.dhtClient } : {}),
      ...(init.provide != null ? { provide: init.provide } : {}),
      ...(init.logger != null ? { logger: init.logger } : {}),
      ...(init.metrics != null ? { metrics: init.metrics } : {})
    }))
    peerRoles.attach(libp2p)
    relayFilter.attach(libp2p, conn => libp2p.services.punch.isPunched(conn))
    relayShare.attach(() => libp2p.services.relay?.reservations)
    const node = new GridNodeImpl(libp2p, store, valid, init, addressPolicy, pubsubGuard)
    if (init.start !== false) await node.start()
    return node
  } catch (err) {
    await store.close()
    throw err
  }
}

class GridNodeImpl implements GridNode {
  readonly libp2p: Libp2p<GridServices>
  readonly network: string
  private readonly store: Store
  private readonly joiner: Joiner
  private readonly listen: string[]
  private readonly catalog: CatalogService
  private readonly announcer: Announcer
  private readonly searcher: Searcher
  private readonly liveness: LivenessMonitor
  private readonly pool: WorkerPool
  private readonly compute: ComputeService
  private readonly scheduler: Scheduler
  readonly datasets: GridNodeDatasets
  readonly approvals: ApprovalStore
  readonly pubsub: PubSubService
  private readonly access: AccessPolicy
  private readonly relaying: boolean
  private readonly addressPolicy: AddressPolicy
  private readonly dhtClient: boolean
  private readonly log: Logger
  private stopFollowingReachability: () => void = () => {}
  private readonly bus: EventBus
  private readonly servedJobs = new JobTracker()
  private readonly requestedJobs = new JobTracker()
  /** Unsubscribes from the sources of the event stream. */
  private stopEvents: Array<() => void> = []
  /** Each dataset's status as last listed: a change is an event. */
  private readonly datasetStatus = new Map<string, string>()
  private lastReachability = ''
  private announcedRelays = ''
  private startedAt = 0
  private state: 'stopped' | 'started' | 'closed' = 'stopped'

  constructor (libp2p: Libp2p<GridServices>, store: Store, valid: Validated, init: GridNodeInit, addressPolicy: AddressPolicy, pubsubGuard: PubSubGuard) {
    this.libp2p = libp2p
    this.store = store
    this.addressPolicy = addressPolicy
    this.network = valid.network
    this.listen = valid.listen
    const logger = libp2p.logger
    this.log = logger.forComponent('grid:node')
    this.bus = new EventBus(err => { this.log.error('an event listener failed - %e', err) })
    this.dhtClient = init.dhtClient === true
    const datasetStore = new DatasetStore(store.sublevel('datasets'), init.datasets ?? {})
    this.access = new AccessPolicy(init.compute ?? {})
    this.relaying = valid.relay !== false
    const pool = new WorkerPool({ size: init.compute?.poolSize ?? cpuCount(), maxQueue: init.compute?.maxQueue ?? c.MAX_JOB_QUEUE, engine: valid.engine })
    this.pool = init.faults?.lieInResults === true ? lyingPool(pool) : pool
    const loadBook = new LoadBook()
    const streams = new GridStreams(libp2p)
    this.approvals = new ApprovalStore(store.sublevel('approvals'))
    this.compute = new ComputeService({ libp2p, streams, datasets: datasetStore, pool: this.pool, access: this.access, approvals: this.approvals, logger }, { ...init.compute, network: valid.network })
    this.catalog = new CatalogService({ libp2p, streams, datasets: datasetStore, access: this.access, load: () => ({ poolSize: this.pool.size, running: this.pool.running, waiting: this.pool.waiting }), logger }, { network: valid.network })
    this.announcer = new Announcer({ libp2p, datasets: datasetStore, logger }, { network: valid.network, extraTags: this.access.capabilities() })
    this.searcher = new Searcher({ libp2p, catalog: this.catalog, datasets: datasetStore, logger }, { network: valid.network, neighbours: () => this.lanNeighbours() })
    this.liveness = new LivenessMonitor({ libp2p, logger, probe: new ProbeService({ libp2p, logger }, { network: valid.network }) }, init.liveness)
    this.scheduler = new Scheduler({
      libp2p,
      compute: this.compute,
      pool: this.pool,
      // the lookups a run makes for its targets are searches on the event stream too
      targets: new JobTargets({ libp2p, searcher: { search: (tags, options) => tapSearch(this.searcher.search(tags, options), tags, this.bus) }, load: loadBook, logger }),
      readRows: async (name, options) => datasetStore.readRows(name, { ...options, maxFileBytes: init.compute?.memoryBytes ?? c.SANDBOX_MEMORY_BYTES }),
      load: loadBook,
      scores: new ResultScores(store.sublevel('scores')),
      logger
    })
    this.pubsub = new PubSubService({ libp2p, guard: pubsubGuard, logger }, { network: valid.network })
    this.joiner = new Joiner({ libp2p, logger }, {
      bootstrap: valid.bootstrap,
      ...init.rebootstrap,
      onJoined: () => { void this.announcer.announceAll() },
      onReadyChange: ready => { this.bus.emit(ready ? { type: 'ready' } : { type: 'not-ready', reason: 'its last peer left: joining again through the bootstrap list' }) }
    })
    this.datasets = {
      add: async (dataset: AddDatasetInit): Promise<DatasetDescriptor> => {
        const added = await datasetStore.add(dataset)
        this.datasetStatus.set(added.name, added.status)
        this.bus.emit({ type: 'dataset:added', name: added.name, tags: added.tags, rows: added.rows, private: !isPublic(added) })
        if (isPublic(added) && this.state === 'started') await this.announcer.announce(added.tags)
        return added
      },
      remove: async (name: string): Promise<DatasetDescriptor> => {
        const removed = await datasetStore.remove(name)
        this.datasetStatus.delete(removed.name)
        this.bus.emit({ type: 'dataset:removed', name: removed.name, tags: removed.tags })
        if (this.state === 'started') void this.announcer.announceAll()
        return removed
      },
      list: async () => this.noticeChanges(await datasetStore.list()),
      get: async (name: string) => (await this.noticeChanges([await datasetStore.get(name)]))[0]!,
      readRows: async (name: string) => datasetStore.readRows(name)
    }
  }

  get peerId (): PeerId { return this.libp2p.peerId }
  get ready (): boolean { return this.joiner.ready }

  async start (): Promise<void> {
    if (this.state !== 'stopped') return
    // watching before anyone connects: the first grid peer on a public address decides the policy
    this.addressPolicy.start(this.libp2p)
    try {
      await this.libp2p.start()
    } catch (err: any) {
      this.addressPolicy.stop()
      try { await this.libp2p.stop() } catch {}
      throw new ListenError(this.listen, listenFailure(err))
    }
    this.addressPolicy.update()
    this.state = 'started'
    this.startedAt = Date.now()
    await this.catalog.start()
    await this.compute.start()
    this.pubsub.start()
    this.announcer.start()
    this.searcher.start()
    this.liveness.start()
    this.joiner.start()
    this.stopFollowingReachability = this.libp2p.services.reachability.onChange(status => { void this.followReachability(status) })
    this.followEvents()
    void this.followReachability(this.libp2p.services.reachability.status())
    void this.announcer.announceAll()
  }

  /**
   * The DHT is served only by a node peers can dial directly; new relays mean new relayed
   * addresses, which go out with a fresh announcement of every tag.
   */
  private async followReachability (status: ReachabilityStatus): Promise<void> {
    const dht = this.libp2p.services.dht
    const mode = status.dhtServer ? 'server' : 'client'
    try {
      if (!this.dhtClient && dht.getMode() !== mode) await dht.setMode(mode)
    } catch (err) {
      this.log('could not switch the DHT to %s mode - %e', mode, err)
    }
    const relays = status.relays.join(' ')
    if (relays !== this.announcedRelays) {
      this.announcedRelays = relays
      if (status.relays.length > 0 && this.state === 'started') void this.announcer.announceAll()
    }
  }

  async stop (): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.joiner.stop()
    this.stopFollowingReachability()
    for (const stop of this.stopEvents) stop()
    this.stopEvents = []
    this.addressPolicy.stop()
    this.liveness.stop()
    this.announcer.stop()
    this.searcher.stop()
    this.pubsub.stop()
    if (this.libp2p.status === 'started') await Promise.all([this.catalog.stop(), this.compute.stop()])
    await this.pool.close()
    await this.libp2p.stop()
    await this.store.close()
  }

  async whenReady (options: AbortOptions = {}): Promise<void> {
    await this.joiner.whenReady(options)
  }

  getMultiaddrs (): Multiaddr[] { return this.libp2p.getMultiaddrs() }

  shareableAddrs (): Multiaddr[] { return shareableAddrs(this.libp2p.getMultiaddrs(), this.addressPolicy.ranges) }

  /** In a public grid: peers connected directly at a private address, on this node's own LAN. */
  private lanNeighbours (): PeerId[] {
    if (this.addressPolicy.status().mode === 'lan') return []
    const ids = new Map<string, PeerId>()
    for (const conn of this.libp2p.getConnections()) {
      if (conn.direct && addressScope(conn.remoteAddr, this.addressPolicy.ranges) === 'private') ids.set(conn.remotePeer.toString(), conn.remotePeer)
    }
    return [...ids.values()].slice(0, c.LAN_SEARCH_PEERS)
  }

  onReachability (listener: (status: ReachabilityStatus) => void): () => void {
    return this.libp2p.services.reachability.onChange(listener)
  }

  async join (addr: string | Multiaddr, options: AbortOptions = {}): Promise<PeerId> {
    this.assertStarted()
    const target = parseMultiaddr('node address', addr)
    const signal = anySignal([options.signal, AbortSignal.timeout(c.DIAL_TIMEOUT)])
    try {
      const connection = await this.libp2p.dial(target, { signal })
      return connection.remotePeer
    } catch (err: any) {
      throw new DialError(target.toString(), String(err.message ?? err))
    } finally {
      signal.clear()
    }
  }

  search (tags: string[], options: SearchOptions = {}): AsyncGenerator<SearchResult> {
    this.assertStarted()
    return tapSearch(this.searcher.search(tags, options), tags, this.bus)
  }

  async searchAll (tags: string[], options: SearchOptions = {}): Promise<SearchResult[]> {
    const results: SearchResult[] = []
    for await (const result of this.search(tags, options)) results.push(result)
    return results
  }

  runJob (peer: PeerId, job: JobInit, options: AbortOptions = {}): AsyncGenerator<JobEvent> {
    this.assertStarted()
    const id = crypto.randomUUID()
    return tapJob(this.compute.send(peer, { ...job, id }, options), id, peer.toString(), this.bus, this.requestedJobs)
  }

  run (init: RunInit): AsyncGenerator<RunEvent> {
    this.assertStarted()
    return tapRun(this.scheduler.schedule(init), this.bus, this.requestedJobs)
  }

  async runAll (init: RunInit): Promise<RunEvent[]> {
    const finals: RunEvent[] = []
    for await (const event of this.run(init)) if (event.type === 'result' || event.type === 'error') finals.push(event)
    return finals
  }

  async federate (init: FederateInit): Promise<FederateResult> {
    return federate(runInit => this.run(runInit), init)
  }

  resizePool (size: number): void {
    this.pool.resize(size)
  }

  async offerCompute (on: boolean): Promise<void> {
    this.access.offering = on
    if (this.state === 'started') await this.announcer.setCapability(c.COMPUTE_CAPABILITY_TAG, this.access.capabilities().includes(c.COMPUTE_CAPABILITY_TAG))
  }

  get offeringCompute (): boolean { return this.access.offering }

  onEvent (listener: (event: GridEvent) => void): () => void {
    return this.bus.subscribe(listener)
  }

  recentEvents (since?: number): GridEvent[] {
    return this.bus.recent(since)
  }

  /** Puts on the event stream what peers, jobs served here, reachability and subscribed topics do. */
  private followEvents (): void {
    this.stopEvents.push(
      this.liveness.onChange((peer, state, reason) => {
        this.bus.emit(state === 'up' ? { type: 'peer:up', peerId: peer.toString() } : { type: 'peer:down', peerId: peer.toString(), reason })
      }),
      this.compute.onServed(({ jobId, from, event, dataset }) => {
        const fields = this.servedJobs.fields(jobId, from, event, dataset)
        if (fields != null) this.bus.emit({ type: 'job:served', ...fields })
      }),
      this.libp2p.services.reachability.onChange(status => { this.reachabilityEvent(status) }),
      this.pubsub.onMessage(message => { this.bus.emit(pubsubEvent(message)) })
    )
    this.reachabilityEvent(this.libp2p.services.reachability.status())
  }

  private reachabilityEvent (status: ReachabilityStatus): void {
    const key = `${status.state} ${status.relays.join(' ')}`
    if (key === this.lastReachability) return
    this.lastReachability = key
    this.bus.emit({ type: 'reachability', state: status.state, relays: [...status.relays], reason: status.reason })
  }

  /** A dataset whose file moved on (changed, missing, back) since it was last listed is an event. */
  private noticeChanges (datasets: DatasetDescriptor[]): DatasetDescriptor[] {
    for (const d of datasets) {
      const before = this.datasetStatus.get(d.name)
      this.datasetStatus.set(d.name, d.status)
      if (before != null && before !== d.status) this.bus.emit({ type: 'dataset:changed', name: d.name, status: d.status })
    }
    return datasets
  }

  onServedJob (listener: (served: ServedJobEvent) => void): () => void {
    return this.compute.onServed(listener)
  }

  poolStatus (): { size: number, running: number, waiting: number } {
    return { size: this.pool.size, running: this.pool.running, waiting: this.pool.waiting }
  }

  jobResultBytes (): { served: number, requested: number } {
    const { served, requested } = this.compute.resultBytes
    return { served, requested }
  }

  peerLiveness (): PeerLiveness[] {
    return this.liveness.snapshot()
  }

  async peers (options: AbortOptions = {}): Promise<PeerSummary[]> {
    return Promise.all(this.libp2p.getConnections().map(async conn => {
      const rttMs = conn.rtt ?? await this.ping(conn.remotePeer, options)
      return {
        peerId: conn.remotePeer,
        addr: conn.remoteAddr,
        direction: conn.direction,
        ...(rttMs != null ? { rttMs } : {})
      }
    }))
  }

  /** Round-trip time in ms, or undefined when the peer does not answer within PING_TIMEOUT. */
  private async ping (peer: PeerId, options: AbortOptions): Promise<number | undefined> {
    const signal = anySignal([options.signal, AbortSignal.timeout(c.PING_TIMEOUT)])
    try {
      return await this.libp2p.services.ping.ping(peer, { signal })
    } catch {
      return undefined
    } finally {
      signal.clear()
    }
  }

  status (): GridNodeStatus {
    const dht = this.libp2p.services.dht as unknown as { routingTable?: { size: number } }
    const addressWarning = this.state === 'started' ? this.addressPolicy.warning() : undefined
    const reachability = this.libp2p.services.reachability.status()
    return {
      peerId: this.peerId,
      network: this.network,
      ready: this.ready,
      addrs: this.libp2p.getMultiaddrs(),
      peers: new Set(this.libp2p.getConnections().map(c => c.remotePeer.toString())).size,
      routingTableSize: dht.routingTable?.size ?? 0,
      uptimeMs: this.startedAt === 0 ? 0 : Date.now() - this.startedAt,
      startedAt: this.startedAt,
      reachable: reachability.state !== 'unreachable',
      reachability,
      announced: this.announcer.announcedTags(),
      relaying: this.relaying,
      addressPolicy: this.addressPolicy.status(),
      ...(addressWarning != null ? { addressWarning } : {})
    }
  }

  async closestPeers (key: PeerId, options: AbortOptions = {}): Promise<PeerId[]> {
    this.assertStarted()
    const signal = anySignal([options.signal, AbortSignal.timeout(c.LOOKUP_TIMEOUT)])
    try {
      const found: PeerId[] = []
      for await (const event of this.libp2p.services.dht.getClosestPeers(key.toMultihash().bytes, { signal })) {
        if (event.name === 'FINAL_PEER') found.push(event.peer.id)
      }
      return found
    } finally {
      signal.clear()
    }
  }

  private assertStarted (): void {
    if (this.state !== 'started') throw new NotStartedError()
  }
}

function listenFailure (err: any): string {
  const text = String(err?.message ?? err)
  if (/EADDRINUSE/.test(text)) return 'address already in use'
  if (/EADDRNOTAVAIL/.test(text)) return 'no such address on this machine'
  if (/EACCES/.test(text)) return 'permission denied: ports below 1024 need privileges'
  return text
}
