import type { Io } from '../../io.js'
import type { GridNode } from '@grid-node/core'

export interface StartAnnouncer {
  started(node: GridNode, api: string, bootstrapCount: number): void
  ready(node: GridNode): void
  stopping(): void
  stopped(): void
}

/**
 * What `start` tells people (or scripts, with --json): the peer ID first, then one
 * copy-pasteable bootstrap address per listener, the API, and readiness.
 */
export function announce (io: Io, json: boolean): StartAnnouncer {
  if (json) {
    const emit = (event: Record<string, unknown>): void => { io.out(JSON.stringify(event)) }
    return {
      started: (node, api) => {
        emit({ event: 'started', peerId: node.peerId.toString(), network: node.network, bootstrapAddrs: node.shareableAddrs().map(String), addrs: node.getMultiaddrs().map(String), api, relay: node.status().relaying })
      },
      ready: (node) => { const s = node.status(); emit({ event: 'ready', peers: s.peers, routingTableSize: s.routingTableSize }) },
      stopping: () => { emit({ event: 'stopping' }) },
      stopped: () => { emit({ event: 'stopped' }) }
    }
  }
  const row = (label: string, value: string): void => { io.out(`${label.padEnd(10)} ${value}`) }
  return {
    started: (node, api, bootstrapCount) => {
      row('Peer ID', node.peerId.toString())
      for (const addr of node.shareableAddrs()) row('Bootstrap', addr.toString())
      row('API', api)
      row('Network', node.network)
      row('Relay', node.status().relaying ? 'on: browser tabs joining through this node are reachable through it (--no-relay: off)' : 'off')
      if (!node.ready && bootstrapCount > 0) row('Joining', `through ${bootstrapCount} bootstrap address${bootstrapCount === 1 ? '' : 'es'} and remembered peers…`)
    },
    ready: (node) => {
      const s = node.status()
      row('Ready', s.peers === 0
        ? 'no peers yet: this node founds the grid; join others to it with --bootstrap <a Bootstrap address above>'
        : `${s.peers} peer${s.peers === 1 ? '' : 's'} connected, routing table ${s.routingTableSize}`)
    },
    stopping: () => { io.err('stopping… (Ctrl-C again to force)') },
    stopped: () => { io.err('stopped') }
  }
}
