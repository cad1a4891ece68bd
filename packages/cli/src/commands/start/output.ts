import { addressScope, sameHostAddrs, shareableAddrs } from '@grid-node/core'
import { eventPrinter } from '../../event-text.js'
import { reachabilityText } from '../../reachability-text.js'
import { version } from '../../version.js'
import type { Io } from '../../io.js'
import type { GridEvent, GridNode, GridNodeStatus } from '@grid-node/core'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface StartAnnouncer {
  started(node: GridNode, api: string, bootstrapCount: number): void
  ready(node: GridNode): void
  /** Says so when the address policy or its warning changed since last said; call it often. */
  addresses(node: GridNode): void
  /** One of the node's events (see event-text.ts), as it happens after Ready. */
  event(event: GridEvent): void
  stopping(): void
  stopped(): void
}

/** A bootstrap address and who can use it. */
export interface BootstrapLine { addr: Multiaddr, from: 'other machines' | 'this machine' | 'this machine only' }

/**
 * The addresses to give a second node: per listener, the most reachable one for another
 * machine, and the loopback one for a node on this machine (`127.0.0.1` is always reachable
 * here; a public address behind NAT may not be).
 */
export function bootstrapLines (addrs: Multiaddr[]): BootstrapLine[] {
  const others = shareableAddrs(addrs).filter(a => addressScope(a) !== 'loopback')
  const here = sameHostAddrs(addrs)
  return [
    ...others.map(addr => ({ addr, from: 'other machines' as const })),
    ...here.map(addr => ({ addr, from: others.length > 0 ? 'this machine' as const : 'this machine only' as const }))
  ]
}

/**
 * What `start` tells people (or scripts, with --json): the peer ID first, then copy-pasteable
 * bootstrap addresses, the API, the address policy, readiness, and any address warning.
 */
export function announce (io: Io, json: boolean): StartAnnouncer {
  let said: { mode?: string, warning?: string, reach?: string } = {}
  /** The address policy, its warning and reachability, when they differ from what was said last. */
  const changes = (s: GridNodeStatus): { mode?: true, warning?: true, reach?: true } => {
    const now = { mode: s.addressPolicy.mode, warning: s.addressWarning?.code, reach: `${s.reachability.state} ${s.reachability.relays.join(',')}` }
    const changed = {
      ...(now.mode !== said.mode ? { mode: true as const } : {}),
      ...(now.warning !== said.warning ? { warning: true as const } : {}),
      ...(now.reach !== said.reach ? { reach: true as const } : {})
    }
    said = now
    return changed
  }
  if (json) {
    const emit = (event: Record<string, unknown>): void => { io.out(JSON.stringify(event)) }
    return {
      started: (node, api) => {
        const s = node.status()
        changes(s)
        emit({
          event: 'started',
          peerId: node.peerId.toString(),
          network: node.network,
          version: version(),
          bootstrapAddrs: node.shareableAddrs().map(String),
          sameHostBootstrapAddrs: sameHostAddrs(node.getMultiaddrs()).map(String),
          addrs: node.getMultiaddrs().map(String),
          api,
          relay: s.relaying,
          addressPolicy: s.addressPolicy,
          addressWarning: s.addressWarning ?? null,
          reachability: s.reachability
        })
      },
      ready: (node) => { const s = node.status(); emit({ event: 'ready', peers: s.peers, routingTableSize: s.routingTableSize }) },
      addresses: (node) => {
        const s = node.status()
        const changed = changes(s)
        if (changed.mode === true) emit({ event: 'address-policy', ...s.addressPolicy })
        if (changed.warning === true) emit({ event: 'address-warning', addressWarning: s.addressWarning ?? null })
        if (changed.reach === true) emit({ event: 'reachability', ...s.reachability })
      },
      // the event's own fields, `type` included, under start's `event` key
      event: (e) => { emit({ event: e.type, ...e }) },
      stopping: () => { emit({ event: 'stopping' }) },
      stopped: () => { emit({ event: 'stopped' }) }
    }
  }
  const row = (label: string, value: string): void => { io.out(`${label.padEnd(10)} ${value}`) }
  const policyRow = (s: GridNodeStatus): void => {
    row('DHT', `${s.addressPolicy.mode === 'lan' ? 'shares private and loopback addresses' : 'shares public addresses only'}: ${s.addressPolicy.reason}`)
  }
  const line = eventPrinter()
  const warn = (s: GridNodeStatus): void => { if (s.addressWarning != null) io.err(`warning: ${s.addressWarning.message}`) }
  return {
    started: (node, api, bootstrapCount) => {
      const s = node.status()
      changes(s)
      row('Peer ID', node.peerId.toString())
      const lines = bootstrapLines(node.getMultiaddrs())
      const width = Math.max(0, ...lines.map(l => l.addr.toString().length))
      for (const { addr, from } of lines) row('Bootstrap', `${addr.toString().padEnd(width)}  (from ${from})`)
      row('API', api)
      row('Network', node.network)
      row('Version', `grid-node ${version()}`)
      row('Relay', s.relaying ? 'on: browser tabs joining through this node are reachable through it (--no-relay: off)' : 'off')
      policyRow(s)
      row('Reachable', reachabilityText(s.reachability))
      warn(s)
      if (!node.ready && bootstrapCount > 0) row('Joining', `through ${bootstrapCount} bootstrap address${bootstrapCount === 1 ? '' : 'es'} and remembered peers…`)
    },
    ready: (node) => {
      const s = node.status()
      row('Ready', s.peers === 0
        ? 'no peers yet: this node founds the grid; join others to it with --bootstrap <a Bootstrap address above>'
        : `${s.peers} peer${s.peers === 1 ? '' : 's'} connected, routing table ${s.routingTableSize}`)
    },
    addresses: (node) => {
      const s = node.status()
      const changed = changes(s)
      if (changed.mode === true) policyRow(s)
      if (changed.reach === true) row('Reachable', reachabilityText(s.reachability))
      if (changed.warning === true) warn(s)
    },
    event: (e) => {
      const text = line(e)
      if (text != null) io.out(text)
    },
    stopping: () => { io.err('stopping… (Ctrl-C again to force)') },
    stopped: () => { io.err('stopped') }
  }
}
