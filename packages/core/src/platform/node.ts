/**
 * The Node.js side of the platform seam: TCP and WebSockets, listening on every interface.
 * Selected through the `#platform` import; `browser.ts` is its twin.
 */
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import type { Libp2pOptions } from 'libp2p'

export const platformName = 'node'

/** Fixed ports, so a node's bootstrap address stays the same across restarts. */
export const defaultListen = ['/ip4/0.0.0.0/tcp/7400', '/ip4/0.0.0.0/tcp/7401/ws']

export function transports (): NonNullable<Libp2pOptions['transports']> {
  return [tcp(), webSockets()]
}

/** The level database lives in `<dataDir>/db`, beside the files the CLI keeps there. */
export function databaseLocation (dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}/db`
}
