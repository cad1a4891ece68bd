import { el, element, shortId } from './dom.js'
import { describePath } from './transport.js'
import type { GridNode } from '@grid-node/core'

/** The circuit relay v2 hop protocol: a peer that speaks it can relay for tabs. */
const RELAY_HOP = '/libp2p/circuit/relay/0.2.0/hop'
const PEERS_TIMEOUT_MS = 3_000

/**
 * The grid as this tab sees it: every connection with its peer, its transport (WebSockets,
 * WebRTC, a circuit relay, TCP), whether it is direct or relayed, the address, the round-trip
 * time, and which peers are relays (this tab's own relays first among them).
 */
export async function renderGrid (node: GridNode): Promise<void> {
  const peers = await node.peers({ signal: AbortSignal.timeout(PEERS_TIMEOUT_MS) })
  const mine = relaysHoldingSlot(node)
  const hops = await relaysAmong(node, peers.map(p => p.peerId))
  const body = element<HTMLTableSectionElement>('peers')
  const rows = peers.map(p => {
    const id = p.peerId.toString()
    const addr = p.addr.toString()
    const { transport, path } = describePath(addr)
    const role = mine.has(id) ? 'this tab\'s relay' : hops.has(id) ? 'relay' : ''
    const tr = el('tr')
    tr.dataset.peerId = id
    tr.dataset.transport = transport
    tr.dataset.path = path
    const peer = el('td', '', shortId(id))
    peer.title = id
    tr.append(peer, el('td', '', transport), el('td', `path ${path}`, path), el('td', 'addr', addr), el('td', '', role), el('td', '', p.rttMs != null ? `${p.rttMs} ms` : '-'))
    return tr
  })
  body.replaceChildren(...rows)
  if (rows.length === 0) {
    const none = el('tr')
    const cell = el('td', 'muted', 'none')
    cell.colSpan = 6
    none.append(cell)
    body.replaceChildren(none)
  }
  const distinct = new Set(peers.map(p => p.peerId.toString())).size
  const relayed = rows.filter(r => r.dataset.path === 'relayed').length
  element('grid-summary').textContent = `${distinct} peer${distinct === 1 ? '' : 's'}, ${rows.length} connection${rows.length === 1 ? '' : 's'} (${rows.length - relayed} direct, ${relayed} relayed); relays holding a slot for this tab: ${mine.size > 0 ? [...mine].map(shortId).join(', ') : 'none'}`
}

/** The relays in this tab's own addresses (`/p2p/<relay>/p2p-circuit/p2p/<tab>`): those holding a reservation for it. */
function relaysHoldingSlot (node: GridNode): Set<string> {
  const found = new Set<string>()
  for (const addr of node.status().addrs) {
    const relay = /\/p2p\/([^/]+)\/p2p-circuit/.exec(addr.toString())?.[1]
    if (relay != null) found.add(relay)
  }
  return found
}

/** The peers that said they speak the relay's hop protocol. */
async function relaysAmong (node: GridNode, peers: GridNode['peerId'][]): Promise<Set<string>> {
  const found = new Set<string>()
  await Promise.all(peers.map(async id => {
    const known = await node.libp2p.peerStore.get(id).catch(() => undefined)
    if (known?.protocols.includes(RELAY_HOP) === true) found.add(id.toString())
  }))
  return found
}
