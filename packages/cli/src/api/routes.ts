import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdOf } from '@grid-node/core'
import { version } from '../version.js'
import { RECENT_PEER_WINDOW } from './constants.js'
import { approvalRoutes } from './approval-routes.js'
import { datasetRoutes } from './dataset-routes.js'
import { eventRoutes } from './event-routes.js'
import { BodyInvalidError, PathInvalidError, UpstreamError } from './errors.js'
import { readJsonBody, readQuery } from './http.js'
import { metricsRoutes } from './metrics-routes.js'
import { pubsubRoutes } from './pubsub-routes.js'
import { runRoutes } from './run-routes.js'
import { JoinBody, PeersQuery } from './schemas.js'
import { searchRoutes } from './search-routes.js'
import type { HealthAnswer, JoinAnswer, PeerAnswer, StatusAnswer } from './shapes.js'
import type { GridNode } from '@grid-node/core'
import type { PeerId } from '@libp2p/interface'
import type { Route } from './route.js'
import type { IncomingMessage } from 'node:http'

export type { Handler, Route } from './route.js'

/** The old gateway's JSON shapes first, then the node's own /v1 API. */
export const routes: Route[] = [
  { method: 'GET', pattern: /^\/health-check$/, handler: healthCheck },
  { method: 'POST', pattern: /^\/join$/, handler: join },
  { method: 'GET', pattern: /^\/v1\/status$/, handler: status },
  { method: 'GET', pattern: /^\/v1\/peers$/, handler: peers },
  { method: 'GET', pattern: /^\/v1\/closest-peers\/([^/]+)$/, handler: closestPeers },
  ...searchRoutes,
  ...datasetRoutes,
  ...approvalRoutes,
  ...runRoutes,
  ...eventRoutes,
  ...metricsRoutes,
  ...pubsubRoutes
]

async function healthCheck (node: GridNode): Promise<HealthAnswer> {
  const s = node.status()
  return {
    status: 'ok',
    ready: s.ready,
    peerId: s.peerId.toString(),
    addrs: s.addrs.map(String),
    peers: s.peers,
    network: s.network,
    // peers cannot dial any address this node announces: its datasets cannot be found
    ...(s.addressWarning != null ? { addressWarning: s.addressWarning.message } : {})
  }
}

async function status (node: GridNode): Promise<StatusAnswer> {
  const s = node.status()
  return {
    peerId: s.peerId.toString(),
    version: version(),
    network: s.network,
    ready: s.ready,
    addrs: s.addrs.map(String),
    shareableAddrs: node.shareableAddrs().map(String),
    peers: s.peers,
    routingTableSize: s.routingTableSize,
    uptimeMs: s.uptimeMs,
    startedAt: s.startedAt,
    addressPolicy: s.addressPolicy,
    addressWarning: s.addressWarning ?? null,
    reachability: s.reachability
  }
}

/**
 * `GET /v1/peers[?all=1]`: connected peers, then those the liveness monitor tracks that are up
 * or were seen within RECENT_PEER_WINDOW; `all` adds the rest (down for longer, up to days).
 */
async function peers (node: GridNode, req: IncomingMessage): Promise<PeerAnswer[]> {
  const { all = false } = readQuery(req, PeersQuery)
  const connected = await node.peers()
  const liveness = new Map(node.peerLiveness().map(p => [p.peerId.toString(), p]))
  const rows: PeerAnswer[] = connected.map(p => {
    const live = liveness.get(p.peerId.toString())
    liveness.delete(p.peerId.toString())
    return {
      peerId: p.peerId.toString(),
      state: live?.state ?? 'up',
      addr: p.addr.toString(),
      direction: p.direction,
      rttMs: p.rttMs ?? live?.rttMs ?? null,
      lastSeen: live?.lastSeen ?? Date.now()
    }
  })
  const since = Date.now() - RECENT_PEER_WINDOW
  for (const live of liveness.values()) {
    if (!all && live.state !== 'up' && (live.lastSeen ?? 0) < since) continue
    rows.push({ peerId: live.peerId.toString(), state: live.state, addr: '', direction: '', rttMs: live.rttMs ?? null, lastSeen: live.lastSeen ?? 0 })
  }
  return rows
}

/** `POST /join {"node-id","node-address"}`, as the old gateway took it: dial the node. */
async function join (node: GridNode, req: IncomingMessage): Promise<JoinAnswer> {
  const body = await readJsonBody(req, JoinBody)
  const id = body['node-id']
  let target = body['node-address']
  const named = peerIdOf(target)
  if (id != null && id !== '') {
    if (named == null) target = target.encapsulate(multiaddr(`/p2p/${id}`))
    else if (named !== id) throw new BodyInvalidError(`"node-id" ${id} does not match the /p2p/ peer ID in "node-address" (${named})`)
  }
  try {
    const peer = await node.join(target)
    return { status: 'ok', 'node-id': peer.toString(), 'node-address': target.toString() }
  } catch (err: any) {
    throw new UpstreamError(err.message)
  }
}

/** `GET /v1/closest-peers/<peerId>`: the peer IDs the DHT finds closest to it. */
async function closestPeers (node: GridNode, _req: IncomingMessage, params: string[]): Promise<string[]> {
  const key = parsePeerId(params[0] ?? '')
  return (await node.closestPeers(key)).map(String)
}

function parsePeerId (text: string): PeerId {
  try {
    return peerIdFromString(decodeURIComponent(text))
  } catch {
    throw new PathInvalidError(`"${text.slice(0, 80)}" is not a peer ID (expected something like 12D3KooW…)`)
  }
}
