/**
 * Spreads relaying over the grid's public side. Every node behind NAT meets the bootstrap
 * nodes first, and libp2p's relay transport reserves on the first relays it meets: left alone,
 * the two bootstrap nodes hold every reservation of the grid (88 of 88 at 100 nodes in the
 * testnet) until they are full, and carry every relayed stream — the central point the grid
 * exists to remove. A relay here refuses a new reservation once it holds more than its fair
 * share: RELAY_SHARE_SLACK × the reservations its connected peers need (RELAYS_PER_PEER for
 * each peer that serves no DHT: nodes behind NAT, tabs) ÷ the relays that could hold them (this
 * node and each connected peer that serves the DHT and relays). Refused, a node goes on to the
 * next relay it is connected to or finds one (libp2p's relay discovery); a refresh of a
 * reservation held is never refused, and neither is anything below RELAY_SHARE_MIN, so a small
 * grid or a lone public node relays for everyone up to its hard cap (RELAY_MAX_RESERVATIONS).
 * Used through the connection gater's `denyInboundRelayReservation`.
 */
import * as c from '../constants.js'
import type { PeerRoles } from './peer-roles.js'
import type { PeerId } from '@libp2p/interface'

/** The relay server's reservations (peers holding one), once it exists. */
export type HeldReservations = () => { size: number, has: (peer: PeerId) => boolean } | undefined

export class RelayShare {
  private readonly roles: PeerRoles
  private reservations: HeldReservations = () => undefined

  constructor (roles: PeerRoles) {
    this.roles = roles
  }

  /** libp2p is created after its gater: its relay server's reservations are read once it exists. */
  attach (reservations: HeldReservations): void {
    this.reservations = reservations
  }

  /** The most reservations this relay takes now, from what its connected peers say of themselves. */
  limit (): number {
    let relays = 1
    let clients = 0
    for (const p of this.roles.all()) {
      if (p.server && p.relay) relays++
      if (!p.server) clients++
    }
    return Math.max(c.RELAY_SHARE_MIN, Math.ceil(c.RELAY_SHARE_SLACK * c.RELAYS_PER_PEER * clients / relays))
  }

  /** True: refuse `peer` a new reservation, this relay holds its share already. */
  denies (peer: PeerId): boolean {
    const held = this.reservations()
    if (held == null || held.has(peer)) return false
    return held.size >= this.limit()
  }
}
