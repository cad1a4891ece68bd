/**
 * The types both sides of the platform seam (`node.ts`, `browser.ts`) speak. The seam imports
 * nothing else from inside core: what it needs to know is declared here.
 */
import type { TopologyFilter } from '@libp2p/interface'

/** A certificate and key, PEM text, for WebSockets over TLS (`wss://`). */
export interface TlsInit { cert: string, key: string }

/** A STUN or TURN server for WebRTC between tabs, as in the browser's `RTCIceServer`. */
export interface IceServer { urls: string | string[], username?: string, credential?: string }

/** What the platform's transports are made of. */
export interface TransportInit {
  /** A certificate and key for WebSockets over TLS (Node.js). */
  tls?: TlsInit
  /** Which peers may hold this node's relay reservations. */
  relays?: TopologyFilter
  /** STUN/TURN servers for WebRTC between tabs (browsers); none: host candidates only. */
  iceServers?: IceServer[]
  /** WebRTC between tabs (browsers): on unless false. */
  webrtc?: boolean
}

/** The platform's worker (a worker thread in Node.js, a Web Worker in browsers), carrying `In` to it and `Out` back. */
export interface WorkerHandle<In, Out> {
  post(message: In): void
  onMessage(listener: (message: Out) => void): void
  onExit(listener: (error: Error) => void): void
  terminate(): Promise<void>
}
