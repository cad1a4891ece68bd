import { element } from './dom.js'
import type { GridNode } from '@grid-node/core'

export type ConnectionState = 'offline' | 'connecting' | 'joined' | 'reachable'

const COMPUTE_TAG = '#compute:js'
const LABELS: Record<ConnectionState, string> = {
  offline: 'offline - reconnecting',
  connecting: 'connecting',
  joined: 'joined the grid',
  reachable: 'reachable worker'
}

/** Offline (no peer), connecting, joined, or reachable: a relay slot and the worker tag announced. */
export function connectionState (node: GridNode): ConnectionState {
  const status = node.status()
  if (status.peers === 0) return 'offline'
  if (!status.ready) return 'connecting'
  const relayed = status.addrs.some(a => a.toString().includes('/p2p-circuit'))
  return relayed && (!node.offeringCompute || status.announced.includes(COMPUTE_TAG)) ? 'reachable' : 'joined'
}

/** Redraws the header badge, this tab's addresses and the pool; returns the state shown. */
export function renderStatus (node: GridNode): ConnectionState {
  const state = connectionState(node)
  const badge = element('state')
  badge.className = `state ${state}`
  badge.dataset.state = state
  badge.textContent = LABELS[state]
  const status = node.status()
  const relay = status.addrs.find(a => a.toString().includes('/p2p-circuit'))
  element('relay-addr').textContent = relay?.toString() ?? 'no relay reservation yet'
  element('announced').textContent = status.announced.length > 0 ? status.announced.join(' ') : 'nothing yet'
  const pool = node.poolStatus()
  element('pool').textContent = `${pool.running} running, ${pool.waiting} waiting, ${pool.size} workers`
  return state
}
