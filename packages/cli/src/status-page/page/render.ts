/** Each section of the page, drawn again from the state whenever it changes. */
import { byId, fill, h } from './dom.js'
import { ago, clock, count, duration, percent, rtt, shortId } from './format.js'
import type { JobRow } from './jobs.js'
import type { Dataset, GridEvent, NodeStatus, Peer, Reachability } from './types.js'

const REACHABILITY: Record<string, string> = {
  direct: 'reachable directly',
  relayed: 'reachable through relays',
  unreachable: 'not reachable',
  checking: 'checking reachability'
}

export function renderNode (status: NodeStatus, statusAt: number, now: number): void {
  const reach = status.reachability
  // one tab per node: the tab says which
  document.title = `grid-node ${shortId(status.peerId)}${status.ready ? '' : ' (not ready)'}`
  fill(byId('network'), `network ${status.network}`, status.version != null ? ` · v${status.version}` : '')
  fill(byId('node'),
    h('dt', {}, 'Peer ID'), h('dd', {}, h('code', { class: 'peer-id', id: 'peer-id' }, status.peerId)),
    h('dt', {}, 'State'), h('dd', {}, status.ready ? h('span', { class: 'pill ok' }, 'ready') : h('span', { class: 'pill warn' }, 'not ready')),
    h('dt', {}, 'Reachability'), h('dd', {}, reach != null ? reachability(reach) : '–'),
    h('dt', {}, 'Uptime'), h('dd', { id: 'uptime' }, duration(status.uptimeMs + now - statusAt)),
    h('dt', {}, 'Peers'), h('dd', {}, `${count(status.peers, 'connection')} · ${count(status.routingTableSize, 'peer')} in the DHT routing table`))
  const warning = byId('address-warning')
  warning.hidden = status.addressWarning == null
  fill(warning, status.addressWarning?.message)
  const addrs = status.shareableAddrs != null && status.shareableAddrs.length > 0 ? status.shareableAddrs : status.addrs
  fill(byId('addrs'), addrs.length > 0 ? addrs.map(a => h('li', {}, h('code', {}, a))) : h('li', { class: 'muted' }, 'none yet'))
}

function reachability (reach: Reachability): Array<HTMLElement | null> {
  const tone = reach.state === 'direct' ? 'ok' : reach.state === 'unreachable' ? 'bad' : 'warn'
  return [
    h('span', { class: `pill ${tone}`, id: 'reachability' }, REACHABILITY[reach.state] ?? reach.state),
    reach.reason !== '' ? h('div', { class: 'muted small' }, reach.reason) : null,
    reach.relays.length > 0 ? h('div', { class: 'muted small' }, `relays: ${reach.relays.map(shortId).join(', ')}`) : null
  ]
}

/** Only the uptime, every second, without redrawing the rest. */
export function renderUptime (status: NodeStatus, statusAt: number, now: number): void {
  const el = document.getElementById('uptime')
  if (el != null) el.textContent = duration(status.uptimeMs + now - statusAt)
}

export function renderPeers (peers: Peer[], now: number): void {
  const rows = [...peers].sort((a, b) => Number(b.state === 'up') - Number(a.state === 'up') || a.peerId.localeCompare(b.peerId))
  const up = rows.filter(p => p.state === 'up').length
  fill(byId('peers-summary'), `${up} up${rows.length > up ? `, ${rows.length - up} down` : ''}`)
  fill(byId('peers').querySelector('tbody')!, rows.length === 0
    ? h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No peers yet: start another node with --bootstrap pointing here.'))
    : rows.map(p => h('tr', { 'data-peer': p.peerId, 'data-state': p.state },
      h('td', {}, h('code', { title: `${p.peerId}${p.addr !== '' ? `\n${p.addr}` : ''}` }, shortId(p.peerId)),
        p.direction !== '' ? h('span', { class: 'muted small' }, ` ${p.direction}`) : null,
        p.addr !== '' ? h('div', { class: 'peer-addr muted' }, p.addr.replace(/\/p2p\/[^/]+$/, '')) : null),
      h('td', {}, h('span', { class: `pill ${p.state === 'up' ? 'ok' : 'bad'}` }, p.state)),
      h('td', { class: 'num' }, rtt(p.rttMs)),
      h('td', { class: 'muted' }, p.state === 'up' ? 'now' : p.lastSeen > 0 ? ago(p.lastSeen, now) : 'never'))))
}

export function renderDatasets (datasets: Dataset[]): void {
  const rows = [...datasets].sort((a, b) => a.name.localeCompare(b.name))
  fill(byId('datasets-summary'), `${count(rows.length, 'dataset')}, ${count(rows.reduce((n, d) => n + d.rows, 0), 'row')}`)
  fill(byId('datasets').querySelector('tbody')!, rows.length === 0
    ? h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No datasets: grid-node datasets add <file.csv> --tag #name'))
    : rows.map(d => h('tr', { 'data-dataset': d.name },
      h('td', {}, h('strong', {}, d.name), d.visibility === 'private' ? h('span', { class: 'pill muted-pill' }, 'private') : null,
        d.description != null && d.description !== '' ? h('div', { class: 'muted small' }, d.description) : null),
      h('td', {}, d.tags.map(t => h('span', { class: 'tag' }, t))),
      h('td', { class: 'num' }, d.rows.toLocaleString()),
      h('td', { class: 'muted small' }, (d.columns ?? []).map(c => c.name).join(', ')),
      h('td', {}, h('span', { class: `pill ${d.status == null || d.status === 'ok' ? 'ok' : 'warn'}` }, d.status ?? 'ok')))))
}

const PHASE_TEXT: Record<string, string> = { dispatched: 'sent', accepted: 'queued', started: 'running', progress: 'running' }

export function renderJobs (running: JobRow[], recent: JobRow[], now: number): void {
  fill(byId('jobs-summary'), `${running.length} running · ${recent.length} recent`)
  fill(byId('jobs-running'), running.length === 0
    ? h('li', { class: 'empty' }, 'No job is running.')
    : running.map(job => runningJob(job, now)))
  fill(byId('jobs-recent').querySelector('tbody')!, recent.length === 0
    ? h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No job has finished yet.'))
    : recent.map(job => h('tr', { 'data-job': job.jobId, 'data-side': job.side, 'data-outcome': job.phase },
      h('td', { class: 'muted', title: clock(job.endedAt ?? job.firstAt) }, ago(job.endedAt ?? job.firstAt, now)),
      h('td', {}, sideBadge(job), h('code', { class: 'small', title: job.jobId }, job.jobId.slice(0, 8))),
      h('td', {}, h('code', { title: job.peerId }, shortId(job.peerId))),
      h('td', {}, job.dataset ?? h('span', { class: 'muted' }, '–')),
      h('td', { class: 'outcome' }, job.phase === 'result'
        ? h('span', { class: 'pill ok' }, 'result')
        : [h('span', { class: 'pill bad' }, job.status ?? 'error'), h('span', { class: 'error small', title: job.message ?? '' }, ` ${job.message ?? ''}`)]),
      h('td', { class: 'num', 'data-duration': job.durationMs, title: timings(job) }, duration(job.durationMs ?? 0)))))
}

function runningJob (job: JobRow, now: number): HTMLElement {
  const known = job.progress != null
  const bar = h('div', { class: `bar${known ? '' : ' indeterminate'}`, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': job.progress, 'aria-label': `job ${job.jobId} progress` })
  const fillEl = h('div', { class: 'bar-fill' })
  if (known) fillEl.style.width = percent(job.progress ?? 0).replace(' ', '')
  bar.append(fillEl)
  const state = job.phase === 'accepted' && job.queuePosition != null && job.queuePosition > 0 ? `queued (#${job.queuePosition})` : PHASE_TEXT[job.phase] ?? job.phase
  return h('li', { class: 'job', 'data-job': job.jobId, 'data-side': job.side, 'data-phase': job.phase },
    h('div', { class: 'job-head' },
      sideBadge(job),
      h('span', {}, job.side === 'served' ? 'for ' : 'on ', h('code', { title: job.peerId }, shortId(job.peerId))),
      job.dataset != null ? h('span', { class: 'tag' }, job.dataset) : null,
      job.via === 'relay' ? h('span', { class: 'muted small' }, 'via relay') : null,
      job.attempts > 1 ? h('span', { class: 'pill warn' }, `attempt ${job.attempts}`) : null,
      h('span', { class: 'job-state muted' }, state)),
    h('div', { class: 'job-progress' }, bar,
      h('span', { class: 'job-percent' }, known ? percent(job.progress ?? 0) : ''),
      h('span', { class: 'job-elapsed num', title: `first seen ${clock(job.firstAt)}` }, duration(now - job.firstAt))))
}

/** `queued 40 ms, ran 2.4 s`, when the job's start was seen. */
function timings (job: JobRow): string {
  const first = `first seen ${clock(job.firstAt)}`
  if (job.startedAt == null || job.endedAt == null) return first
  return `${first}: queued ${duration(job.startedAt - job.firstAt)}, ran ${duration(job.endedAt - job.startedAt)}`
}

function sideBadge (job: JobRow): HTMLElement {
  return h('span', { class: `side side-${job.side}`, title: job.side === 'served' ? 'run here for another peer' : 'sent from here to another peer' }, job.side === 'served' ? 'served' : 'requested')
}

/** The newest events first, one line each, as many as `limit`. */
export function renderEvents (events: GridEvent[], limit = 40): void {
  fill(byId('events'), events.length === 0
    ? h('li', { class: 'empty' }, 'Nothing yet.')
    : events.slice(-limit).reverse().map(e => h('li', { 'data-type': e.type },
      h('time', { class: 'muted', datetime: new Date(e.at).toISOString() }, clock(e.at)),
      h('span', { class: `ev ev-${e.type.split(':')[0] ?? ''}` }, e.type),
      h('span', { class: 'ev-text' }, eventText(e)))))
}

function eventText (e: GridEvent): string {
  switch (e.type) {
    case 'ready': return 'the node is ready'
    case 'not-ready': return e.reason ?? ''
    case 'peer:up': return shortId(e.peerId ?? '')
    case 'peer:down': return `${shortId(e.peerId ?? '')} ${e.reason ?? ''}`
    case 'dataset:added': return `${e.name ?? ''} ${(e.tags ?? []).join(' ')} (${count(e.rows ?? 0, 'row')})`
    case 'dataset:removed': return e.name ?? ''
    case 'dataset:changed': return `${e.name ?? ''}: ${e.status ?? ''}`
    case 'job:served':
    case 'job:requested': return [
      `${e.phase ?? ''}${e.progress != null ? ` ${percent(e.progress)}` : ''}${e.durationMs != null ? ` in ${duration(e.durationMs)}` : ''}`,
      e.dataset,
      `${e.type === 'job:served' ? 'for' : 'on'} ${shortId(e.peerId ?? '')}`,
      e.message
    ].filter(part => part != null && part !== '').join(' · ')
    case 'search': return `${(e.tags ?? []).join(' ')}: ${count(e.holders ?? 0, 'holder')} in ${duration(e.durationMs ?? 0)}${e.ok === false ? ' (failed)' : ''}`
    case 'reachability': return `${e.state ?? ''}: ${e.reason ?? ''}`
    case 'pubsub:message': return `${e.topic ?? ''} from ${shortId(e.from ?? '')}: ${e.text ?? `${e.bytes ?? 0} bytes`}`
    default: return ''
  }
}
