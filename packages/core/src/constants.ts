/**
 * Defaults and limits, each with the reason for its number.
 */

/** The grid a node joins unless told otherwise; `--network` isolates grids from each other. */
export const DEFAULT_NETWORK = 'main'

/** Network names end up in protocol IDs and DHT keys, so they stay short and path-safe. */
export const NETWORK_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,31}$/

/** The DHT speaks its own protocol per network, so a grid never joins the public IPFS DHT. */
export function kadProtocol (network: string): string {
  return `/grid/${network}/kad/1.0.0`
}

/**
 * Connection limits. libp2p's default of 5 inbound connections per second per host refuses
 * peers when many nodes share a host or a NAT (a lab, a test, a LAN behind one router), so
 * the grid allows a burst of 100/s per host; the pending-upgrade cap stays small enough that
 * a flood of half-open connections cannot exhaust memory.
 */
export const MAX_CONNECTIONS = 300
export const INBOUND_CONNECTION_THRESHOLD = 100
export const MAX_INCOMING_PENDING_CONNECTIONS = 100
/** A dial that has not connected in 10 s is to a peer too slow to be useful to the grid. */
export const DIAL_TIMEOUT = 10_000

/**
 * Known peers and their addresses are kept for a week, so a node restarted after a weekend
 * still finds its way back without `--bootstrap` (libp2p forgets addresses after one hour).
 */
export const MAX_ADDRESS_AGE = 7 * 24 * 60 * 60 * 1000
export const MAX_PEER_AGE = 7 * 24 * 60 * 60 * 1000

/** Re-bootstrap backoff: first retry after 1 s, doubling to a ceiling of one minute. */
export const REBOOTSTRAP_INITIAL_DELAY = 1_000
export const REBOOTSTRAP_MAX_DELAY = 60_000
/** How many remembered peers a lonely node dials per attempt, beyond its bootstrap list. */
export const KNOWN_PEERS_TO_DIAL = 20
/** A self-lookup visits O(log N) peers; 30 s covers a slow grid without hanging forever. */
export const SELF_LOOKUP_TIMEOUT = 30_000
/** Default deadline for a DHT lookup started through the node's API. */
export const LOOKUP_TIMEOUT = 30_000
/** A connected peer that takes over 2 s to answer a ping is reported without a round-trip time. */
export const PING_TIMEOUT = 2_000
