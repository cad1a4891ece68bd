/**
 * The browser side of the platform seam: a tab cannot listen, so it dials out over
 * WebSockets; its database is IndexedDB, named after the data dir.
 */
import { webSockets } from '@libp2p/websockets'
import { DatasetInvalidError, PlatformUnsupportedError } from '../errors.js'
import type { WorkerHandle } from '../compute/worker-protocol.js'
import type { Libp2pOptions } from 'libp2p'

export const defaultListen: string[] = []

export function transports (): NonNullable<Libp2pOptions['transports']> {
  return [webSockets()]
}

export function databaseLocation (dataDir: string): string {
  return `grid-node:${dataDir}`
}

export interface FileSnapshot { path: string, bytes: Uint8Array, size: number, mtimeMs: number }

/** A browser tab has no file system: datasets are added with their rows. */
export async function readDatasetFile (path: string): Promise<FileSnapshot> {
  throw new DatasetInvalidError(`cannot read "${path}": a browser node has no file system; add the dataset with rows instead of a path`)
}

export async function statDatasetFile (_path: string): Promise<{ size: number, mtimeMs: number } | undefined> {
  return undefined
}

/** Jobs in a browser run in Web Workers; until that lands (browser peers), a clear refusal. */
export function spawnWorker (): WorkerHandle {
  throw new PlatformUnsupportedError('running jobs in a browser tab')
}

export function cpuCount (): number {
  return globalThis.navigator?.hardwareConcurrency ?? 2
}
