import type { ComponentLogger, ConnectionGater, Libp2pEvents, PeerStore, TypedEventTarget, Upgrader } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar, TransportManager } from '@libp2p/interface-internal'

/** The parts of libp2p the grid's own network services (reachability, hole punching) work with. */
export interface NetworkServiceComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  transportManager: TransportManager
  addressManager: AddressManager
  peerStore: PeerStore
  connectionGater?: ConnectionGater
  events: TypedEventTarget<Libp2pEvents>
  upgrader: Upgrader
  logger: ComponentLogger
}
