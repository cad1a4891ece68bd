/**
 * Which connected peers this node may reserve a relay slot on: in a public grid only peers it
 * dialled directly at a public address (by the grid's ranges). A relay behind NAT would hand
 * out relayed addresses nobody outside can dial, and waste one of the node's two reservations —
 * and a hole-punched connection to such a peer shows its NAT's public address, so punched
 * connections and connections it opened to us do not count. On one host or one LAN every relay
 * will do. libp2p's relay transport asks `has(peer)` before it reserves: true means "skip this one".
 */
import type { AddressPolicy } from './address-policy.js'
import type { Connection, PeerId, TopologyFilter } from '@libp2p/interface'

export class PublicRelayFilter implements TopologyFilter {
  private readonly policy: AddressPolicy
  private connectionsOf: (peer: PeerId) => Connection[] = () => []
  private punched: (conn: Connection) => boolean = () => false

  constructor (policy: AddressPolicy) {
    this.policy = policy
  }

  /** libp2p is created after its transports: the connections are looked up through it once it exists. */
  attach (connectionsOf: (peer: PeerId) => Connection[], punched: (conn: Connection) => boolean = () => false): void {
    this.connectionsOf = connectionsOf
    this.punched = punched
  }

  has (peer: PeerId): boolean {
    if (this.policy.status().mode === 'lan') return false
    return !this.connectionsOf(peer).some(conn => conn.direct && conn.direction === 'outbound' && !this.punched(conn) && this.policy.isPublic(conn.remoteAddr))
  }

  add (): void {}
  remove (): void {}
}
