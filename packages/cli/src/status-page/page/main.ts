/**
 * The status page: snapshots from `/v1/status`, `/v1/peers` and `/v1/datasets`, then every change
 * from the event stream `/v1/events` (replayed from the oldest event the node keeps, so recent
 * jobs and the chart's last minutes show at once). Peers are asked for again now and then for
 * their round-trip times, which no event carries.
 */
import { Activity } from './activity.js'
import { Api } from './api.js'
import { renderChart } from './chart.js'
import { byId } from './dom.js'
import { Jobs } from './jobs.js'
import { renderDatasets, renderEvents, renderJobs, renderNode, renderPeers, renderUptime } from './render.js'
import { followEvents } from './sse.js'
import type { StreamState } from './sse.js'
import type { Dataset, GridEvent, NodeStatus, Peer } from './types.js'

/** Round-trip times change without events: asked for this often. */
const PEERS_POLL_MS = 10_000
/** A safety net for what no event says (addresses, routing table size). */
const STATUS_POLL_MS = 30_000
/** Events listed; the chart and the jobs keep their own. */
const EVENTS_KEPT = 200

type Section = 'node' | 'peers' | 'datasets' | 'jobs' | 'chart' | 'events'

const state = {
  status: undefined as NodeStatus | undefined,
  /** When `status` was fetched, for the uptime in between. */
  statusAt: 0,
  peers: [] as Peer[],
  datasets: [] as Dataset[],
  jobs: new Jobs(),
  activity: new Activity(),
  events: [] as GridEvent[],
  lastSeq: 0,
  /** What the chart shows: one of its WINDOWS. */
  windowMs: 300_000
}

const api = new Api(askToken)
const dirty = new Set<Section>()
let frame = 0

function changed (...sections: Section[]): void {
  for (const s of sections) dirty.add(s)
  if (frame === 0) frame = requestAnimationFrame(render)
}

const DRAW: Record<Section, (now: number) => void> = {
  node: now => { if (state.status != null) renderNode(state.status, state.statusAt, now) },
  peers: now => { renderPeers(state.peers, now) },
  datasets: () => { renderDatasets(state.datasets) },
  jobs: now => { renderJobs(state.jobs.running(), state.jobs.recent(), now) },
  chart: now => { renderChart(byId('chart'), byId('legend'), state.activity, now, state.windowMs) },
  events: () => { renderEvents(state.events) }
}

/** Draws what changed; a section that fails (an answer of an unexpected shape) leaves the others drawn. */
function render (): void {
  frame = 0
  const now = Date.now()
  for (const section of dirty) {
    try {
      DRAW[section](now)
    } catch (err) {
      console.error(`the ${section} section could not be drawn`, err)
    }
  }
  dirty.clear()
}

async function loadStatus (): Promise<NodeStatus> {
  const status = await api.get<NodeStatus>('/v1/status')
  state.status = status
  state.statusAt = Date.now()
  changed('node')
  return status
}

async function loadPeers (): Promise<void> {
  state.peers = await api.get<Peer[]>('/v1/peers')
  changed('peers')
}

async function loadDatasets (): Promise<void> {
  state.datasets = await api.get<Dataset[]>('/v1/datasets')
  changed('datasets')
}

function debounced (fn: () => Promise<unknown>, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  return () => {
    clearTimeout(timer)
    timer = setTimeout(() => { fn().catch(() => {}) }, ms)
  }
}

const refreshPeers = debounced(loadPeers, 300)
const refreshDatasets = debounced(loadDatasets, 300)
const refreshStatus = debounced(loadStatus, 300)

/** Events applied, seq → at, so that one replayed is not counted twice: a restarted node reuses seqs, never with the same time. */
const applied = new Map<number, number>()
const APPLIED_KEPT = 2_048

function onEvent (event: GridEvent): void {
  if (applied.get(event.seq) === event.at) return
  applied.delete(event.seq)
  applied.set(event.seq, event.at)
  if (applied.size > APPLIED_KEPT) applied.delete(applied.keys().next().value as number)
  state.lastSeq = event.seq
  // a job's progress reports replace its last one in the list: one line per job while it runs
  if (event.phase === 'progress') {
    const i = state.events.findLastIndex(e => e.type === event.type && e.jobId === event.jobId && e.peerId === event.peerId)
    if (i >= 0 && state.events[i]?.phase === 'progress') state.events.splice(i, 1)
  }
  state.events.push(event)
  if (state.events.length > EVENTS_KEPT) state.events.splice(0, state.events.length - EVENTS_KEPT)
  changed('events')
  if (state.jobs.apply(event)) changed('jobs')
  if (state.activity.apply(event)) changed('chart')
  if (event.type === 'peer:up' || event.type === 'peer:down') {
    const peer = state.peers.find(p => p.peerId === event.peerId)
    if (peer != null) {
      peer.state = event.type === 'peer:up' ? 'up' : 'down'
      peer.lastSeen = event.at
    } else if (event.peerId != null) {
      state.peers.push({ peerId: event.peerId, state: event.type === 'peer:up' ? 'up' : 'down', addr: '', direction: '', rttMs: null, lastSeen: event.at })
    }
    changed('peers')
    refreshPeers()
    refreshStatus()
  } else if (event.type.startsWith('dataset:')) {
    refreshDatasets()
  } else if (event.type === 'ready' || event.type === 'not-ready' || event.type === 'reachability') {
    if (state.status != null && event.type !== 'reachability') state.status.ready = event.type === 'ready'
    if (state.status != null && event.type === 'reachability' && event.state != null) {
      state.status.reachability = { state: event.state, relays: event.relays ?? [], reason: event.reason ?? '' }
    }
    changed('node')
    refreshStatus()
  }
}

/**
 * Where the stream resumes: after the last event seen, unless the node restarted (its seqs begin
 * again at 1), which the run's start time in its status tells: then from the oldest it keeps. No
 * stream opens before the status has answered (a failure here is retried like a failed stream):
 * a node that came back between the two requests would otherwise be asked for its events after
 * the old run's last seq, and its first ones would be lost.
 */
let nodeStartedAt: number | undefined
async function streamUrl (): Promise<string> {
  const status = await loadStatus()
  if (nodeStartedAt != null && status.startedAt !== nodeStartedAt) state.lastSeq = 0
  nodeStartedAt = status.startedAt
  await Promise.all([loadPeers(), loadDatasets()]).catch(() => {
    // shown as they were; the events and the next poll bring them up to date
  })
  return `/v1/events?since=${state.lastSeq}`
}

const STATE_TEXT: Record<StreamState['state'], string> = { connecting: 'connecting…', live: 'live', retrying: 'reconnecting', unauthorized: 'token needed' }

function showStreamState (s: StreamState): void {
  const pill = byId('stream-state')
  pill.dataset.state = s.state
  pill.textContent = s.state === 'retrying' ? `${STATE_TEXT.retrying} in ${Math.ceil(s.inMs / 1000)} s` : STATE_TEXT[s.state]
  pill.title = s.state === 'retrying' ? s.reason : s.state === 'live' ? 'following the node\'s events' : ''
  byId('forget-token').hidden = api.token == null
}

async function askToken (refused: boolean): Promise<string> {
  const dialog = byId<HTMLDialogElement>('token-dialog')
  const form = byId<HTMLFormElement>('token-form')
  const input = byId<HTMLInputElement>('token-input')
  showStreamState({ state: 'unauthorized' })
  byId('token-refused').hidden = !refused
  input.value = ''
  if (!dialog.open) dialog.showModal()
  input.focus()
  return await new Promise<string>(resolve => {
    const submit = (e: SubmitEvent): void => {
      e.preventDefault()
      const token = input.value.trim()
      if (token === '') return
      form.removeEventListener('submit', submit)
      dialog.close()
      resolve(token)
    }
    form.addEventListener('submit', submit)
  })
}

function start (): void {
  // the token form cannot be dismissed: without the token there is nothing to show
  byId('token-dialog').addEventListener('cancel', e => { e.preventDefault() })
  byId('forget-token').addEventListener('click', () => { api.forgetToken(); location.reload() })
  new ResizeObserver(() => { changed('chart') }).observe(byId('chart'))
  for (const button of document.querySelectorAll<HTMLButtonElement>('.range button')) {
    button.addEventListener('click', () => {
      state.windowMs = Number(button.dataset.window)
      for (const other of document.querySelectorAll('.range button')) other.setAttribute('aria-pressed', String(other === button))
      changed('chart')
    })
  }
  changed('chart', 'jobs', 'peers', 'datasets', 'events')
  // the clock moves the chart, the uptime, the running jobs' elapsed times and the "ago"s
  setInterval(() => {
    if (state.status != null) renderUptime(state.status, state.statusAt, Date.now())
    changed('chart', 'jobs')
  }, 1_000)
  setInterval(() => { if (!document.hidden) loadPeers().catch(() => {}) }, PEERS_POLL_MS)
  setInterval(() => { if (!document.hidden) loadStatus().catch(() => {}) }, STATUS_POLL_MS)
  void followEvents({
    url: streamUrl,
    headers: () => api.headers(),
    onMessage: m => {
      try {
        onEvent(JSON.parse(m.data) as GridEvent)
      } catch {
        // not an event of this node's kind: skipped
      }
    },
    onState: showStreamState,
    unauthorized: async () => { await api.unauthorized() },
    signal: new AbortController().signal
  })
}

start()
