/**
 * What each connected peer said of itself in identify: whether it serves the grid's DHT (a
 * node behind NAT, a tab or a short-lived client does not) and whether it relays. Read by the
 * relay filter (who may hold this node's reservations) and the relay share (how many relays and
 * how many peers needing one are around).
 */
import * as c from '../constants.js'
import type { Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface'

export interface PeerRole { server: boolean, relay: boolean }

export class PeerRoles {
  private readonly kadProtocol: string
  private readonly peers = new Map<string, PeerRole>()

  constructor (kadProtocol: string) {
    this.kadProtocol = kadProtocol
  }

  /** libp2p is created after the parts that read this: follows its identify and disconnect events from then on. */
  attach (events: { addEventListener: TypedEventTarget<Libp2pEvents>['addEventListener'] }): void {
    events.addEventListener('peer:identify', event => {
      const { peerId, protocols } = event.detail
      this.peers.set(peerId.toString(), { server: protocols.includes(this.kadProtocol), relay: protocols.includes(c.RELAY_HOP_PROTOCOL) })
    })
    events.addEventListener('peer:disconnect', event => { this.peers.delete(event.detail.toString()) })
  }

  get (peer: PeerId): PeerRole | undefined {
    return this.peers.get(peer.toString())
  }

  /** Every connected peer identify has told of. */
  all (): Iterable<PeerRole> {
    return this.peers.values()
  }
}
