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
import type { PeerRoles } from './peer-roles.js'
import type { Connection, PeerId, TopologyFilter } from '@libp2p/interface'

/** What the filter reads of libp2p: connections by peer. */
export interface RelayFilterSources {
  getConnections: (peer: PeerId) => Connection[]
}

export class PublicRelayFilter implements TopologyFilter {
  private readonly policy: AddressPolicy
  private connectionsOf: (peer: PeerId) => Connection[] = () => []
  private punched: (conn: Connection) => boolean = () => false
  /** Which connected peers serve the grid's DHT, from identify. */
  private readonly roles: PeerRoles

  constructor (policy: AddressPolicy, roles: PeerRoles) {
    this.policy = policy
    this.roles = roles
  }

  /**
   * libp2p is created after its transports: the connections are looked up through it once it
   * exists (libp2p's registrar asks `has` after it has seen a peer's first protocols, so the
   * roles have heard of its identify by the time the relay protocol's turn comes).
   */
  attach (libp2p: RelayFilterSources, punched: (conn: Connection) => boolean = () => false): void {
    this.connectionsOf = peer => libp2p.getConnections(peer)
    this.punched = punched
  }

  has (peer: PeerId): boolean {
    if (this.policy.status().mode === 'lan') return false
    if (this.roles.get(peer)?.server !== true) return true
    return !this.connectionsOf(peer).some(conn => conn.direct && conn.direction === 'outbound' && !this.punched(conn) && this.policy.isPublic(conn.remoteAddr))
  }

  add (): void {}
  remove (): void {}
}
