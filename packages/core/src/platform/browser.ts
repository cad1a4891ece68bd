/**
 * The browser side of the platform seam: a tab cannot listen, so it dials out over
 * WebSockets; its database is IndexedDB, named after the data dir.
 */
import { webSockets } from '@libp2p/websockets'
import type { Libp2pOptions } from 'libp2p'

export const platformName = 'browser'

export const defaultListen: string[] = []

export function transports (): NonNullable<Libp2pOptions['transports']> {
  return [webSockets()]
}

export function databaseLocation (dataDir: string): string {
  return `grid-node:${dataDir}`
}
