/** How a connection reaches its peer, read off its remote multiaddr. */
export interface ConnectionPath {
  /** `webrtc`, `websockets (tls)`, `websockets`, `webtransport`, `circuit relay`, `tcp`, or the address's last protocol */
  transport: string
  /** `relayed`: the bytes go through a relay (`/p2p-circuit`); a WebRTC connection signalled over a relay is `direct`. */
  path: 'direct' | 'relayed'
}

/**
 * The transport of a connection from its remote multiaddr: a WebRTC address may name the relay
 * that signalled it (`…/p2p-circuit/webrtc/p2p/…`), but its data flows peer to peer; any other
 * address with `/p2p-circuit` goes through that relay.
 */
export function describePath (addr: string): ConnectionPath {
  const parts = addr.split('/')
  const has = (name: string): boolean => parts.includes(name)
  if (has('webrtc') || has('webrtc-direct')) return { transport: 'webrtc', path: 'direct' }
  if (has('p2p-circuit')) return { transport: 'circuit relay', path: 'relayed' }
  if (has('webtransport')) return { transport: 'webtransport', path: 'direct' }
  if (has('wss') || (has('tls') && has('ws'))) return { transport: 'websockets (tls)', path: 'direct' }
  if (has('ws')) return { transport: 'websockets', path: 'direct' }
  if (has('tcp')) return { transport: 'tcp', path: 'direct' }
  return { transport: parts.filter(p => p !== '').at(-1) ?? 'unknown', path: 'direct' }
}
