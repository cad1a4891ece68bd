/**
 * Which connected peers this node may reserve a relay slot on: in a public grid only peers it
 * dialled directly at a public address (by the grid's ranges). A relay behind NAT would hand
 * out relayed addresses nobody outside can dial, and waste one of the node's two reservations —
 * and a hole-punched connection to such a peer shows its NAT's public address, so punched
 * connections and connections it opened to us do not count; nor does a peer that does not serve
 * the grid's DHT (a node serves it only once a majority of peers could dial it back: one behind
 * NAT, met at its NAT's mapping, does not). On one host or one LAN every relay will do. libp2p's relay transport asks `has(peer)` before it reserves: true means "skip this one".
 */
import type { AddressPolicy } from './address-policy.js'
import type { Connection, Libp2pEvents, PeerId, TopologyFilter, TypedEventTarget } from '@libp2p/interface'

/** What the filter reads of libp2p: connections by peer, and identify (who serves the DHT). */
export interface RelayFilterSources {
  getConnections: (peer: PeerId) => Connection[]
  addEventListener: TypedEventTarget<Libp2pEvents>['addEventListener']
}

export class PublicRelayFilter implements TopologyFilter {
  private readonly policy: AddressPolicy
  private connectionsOf: (peer: PeerId) => Connection[] = () => []
  private punched: (conn: Connection) => boolean = () => false
  /** Connected peers whose identify lists the grid's DHT protocol (they serve it). */
  private readonly dhtServers = new Set<string>()

  constructor (policy: AddressPolicy) {
    this.policy = policy
  }

  /**
   * libp2p is created after its transports: the connections are looked up through it once it
   * exists. Identify is followed from then on (libp2p's registrar asks `has` after it has seen
   * a peer's first protocols, so this listener has run by the time the relay protocol's turn comes).
   */
  attach (libp2p: RelayFilterSources, punched: (conn: Connection) => boolean = () => false): void {
    this.connectionsOf = peer => libp2p.getConnections(peer)
    this.punched = punched
    libp2p.addEventListener('peer:identify', event => {
      const { peerId, protocols } = event.detail
      if (protocols.includes(this.policy.kadProtocol)) this.dhtServers.add(peerId.toString())
      else this.dhtServers.delete(peerId.toString())
    })
    libp2p.addEventListener('peer:disconnect', event => { this.dhtServers.delete(event.detail.toString()) })
  }

  has (peer: PeerId): boolean {
    if (this.policy.status().mode === 'lan') return false
    if (!this.dhtServers.has(peer.toString())) return true
    return !this.connectionsOf(peer).some(conn => conn.direct && conn.direction === 'outbound' && !this.punched(conn) && this.policy.isPublic(conn.remoteAddr))
  }

  add (): void {}
  remove (): void {}
}
