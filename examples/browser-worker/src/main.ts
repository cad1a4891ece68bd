/**
 * A browser tab as a full peer of the grid and a place to work: it joins through any Node.js
 * peer over WebSockets, takes a relay slot there so others can dial it, announces `#compute:js`
 * and runs their jobs in Web Workers; it searches tags, runs jobs on the grid's data (by tags,
 * peers or a dataset's content hash) with a history of each one's progress and results, holds
 * datasets of its own, shows the grid's connections, and joins a pub/sub topic.
 */
import { createGridNode } from '@grid-node/core'
import { bindDatasets, renderDatasets } from './datasets.js'
import { element } from './dom.js'
import { renderGrid } from './grid-view.js'
import { logNote, logServed } from './log.js'
import { readParams, rememberParams } from './params.js'
import { bindSearch } from './search.js'
import { renderStatus } from './status.js'
import { bindSubmit, showHistory } from './submit.js'
import { bindTopic } from './topic.js'
import { bindWorker } from './worker.js'
import type { ConnectionState } from './status.js'
import type { GridNode } from '@grid-node/core'

/** IndexedDB database of this tab's node: the same name keeps the same peer ID across reloads. */
const DATA_DIR = 'browser-worker'
const REFRESH_MS = 1_000

/** What tests and benchmarks read off the page. */
interface PageProbe {
  node?: GridNode
  /** ms from navigation start to the first time the tab was a reachable worker */
  reachableAfterMs?: number
  state?: ConnectionState
}
const probe: PageProbe = {}
Object.assign(globalThis, { grid: probe })

const params = readParams()
let node: GridNode | undefined
let unsubscribe = (): void => {}

async function connect (bootstrap: string[], lan: boolean): Promise<void> {
  element('connect-error').textContent = ''
  unsubscribe()
  await node?.stop()
  node = undefined
  try {
    node = await createGridNode({
      dataDir: DATA_DIR,
      bootstrap,
      lan,
      ...(params.webrtc ? {} : { webrtc: false }),
      ...(params.network != null ? { network: params.network } : {}),
      compute: { offer: element<HTMLInputElement>('offer').checked, poolSize: Number(element<HTMLInputElement>('pool-size').value) }
    })
  } catch (err: any) {
    element('connect-error').textContent = String(err.message ?? err)
    return
  }
  probe.node = node
  unsubscribe = node.onServedJob(logServed)
  element('peer-id').textContent = node.peerId.toString()
  showHistory(node.peerId.toString())
  await renderDatasets(node).catch((err: any) => { logNote(`cannot list this tab's datasets: ${String(err.message ?? err)}`) })
  if (bootstrap.length > 0) logNote(`joining through ${bootstrap.join(', ')}`)
}

function bindConnect (): void {
  element<HTMLInputElement>('bootstrap').value = params.bootstrap.join(' ')
  element<HTMLInputElement>('lan').checked = params.lan
  element<HTMLInputElement>('offer').checked = params.worker
  if (params.poolSize != null) element<HTMLInputElement>('pool-size').value = String(params.poolSize)
  element<HTMLFormElement>('connect').addEventListener('submit', event => {
    event.preventDefault()
    const bootstrap = element<HTMLInputElement>('bootstrap').value.split(/\s+/).filter(a => a !== '')
    const lan = element<HTMLInputElement>('lan').checked
    rememberParams(bootstrap, lan)
    void connect(bootstrap, lan)
  })
}

async function refresh (): Promise<void> {
  if (node == null) return
  const state = probe.state = renderStatus(node)
  if (state === 'reachable' && probe.reachableAfterMs == null) {
    probe.reachableAfterMs = Math.round(performance.now())
    logNote(`reachable worker after ${probe.reachableAfterMs} ms`)
  }
  await renderGrid(node).catch(() => {})
}

bindConnect()
bindSearch(() => node)
bindWorker(() => node)
bindDatasets(() => node)
bindSubmit(() => node)
bindTopic(() => node)
await connect(params.bootstrap, params.lan)
setInterval(() => { void refresh() }, REFRESH_MS)
// the state changes with every connection and relay reservation: show it at once
for (const event of ['peer:connect', 'peer:disconnect', 'self:peer:update'] as const) {
  node?.libp2p.addEventListener(event, () => { void refresh() })
}
void refresh()
