import type { ReachabilityStatus } from '@grid-node/core'

/** One line for a person: how peers reach the node, and why. */
export function reachabilityText (r: ReachabilityStatus): string {
  const how = r.state === 'direct'
    ? 'directly'
    : r.state === 'relayed'
      ? `through relay${r.relays.length === 1 ? '' : 's'} ${r.relays.join(' and ')}`
      : r.state === 'checking' ? 'checking' : 'not reachable'
  return `${how}: ${r.reason}${r.dhtServer ? '' : ' (queries the DHT, does not serve it)'}`
}
