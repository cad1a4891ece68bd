/**
 * The Node.js side of the platform seam: TCP and WebSockets, listening on every interface.
 * Selected through the `#platform` import; `browser.ts` is its twin.
 */
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { mdns } from '@libp2p/mdns'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import type { TransportInit, WorkerHandle } from './seam.js'
import type { ComponentLogger, PeerDiscovery, Startable } from '@libp2p/interface'
import type { AddressManager } from '@libp2p/interface-internal'
import type { Libp2pOptions } from 'libp2p'

/** libp2p v3 needs Node.js 22 (Promise.withResolvers and more). */
const MIN_NODE_MAJOR = 22

/** Why this Node.js cannot run a node, or undefined when it can. */
export function runtimeProblem (): string | undefined {
  const found = process.versions.node
  if (Number(found.split('.')[0]) < MIN_NODE_MAJOR) return `Node.js ${MIN_NODE_MAJOR} or newer is needed, found ${found}`
  return undefined
}

/** Fixed ports, so a node's bootstrap address stays the same across restarts. */
export const defaultListen = ['/ip4/0.0.0.0/tcp/7400', '/ip4/0.0.0.0/tcp/7401/ws']

/** A Node.js peer serves the DHT to others. */
export const dhtClientByDefault = false

/** A Node.js peer relays for browser tabs unless told not to. */
export const relayByDefault = true

/**
 * TCP, WebSockets (over TLS too, given a certificate), and relayed connections: dialling tabs
 * through their relays, and reserving slots on relays (`relays` says which peers may be one).
 */
export function transports ({ tls, relays }: TransportInit): NonNullable<Libp2pOptions['transports']> {
  return [tcp(), webSockets(tls != null ? { https: { cert: tls.cert, key: tls.key } } : {}), circuitRelayTransport(relays != null ? { discoveryFilter: relays } : {})]
}

/**
 * Finding the grid's peers on this node's own LAN by multicast DNS, under a service name of
 * the grid's network: how peers behind the same NAT reach each other directly.
 */
export function lanDiscovery (network: string, components: { addressManager: AddressManager, logger: ComponentLogger }): PeerDiscovery & Startable {
  const serviceTag = `_grid-${network.replace(/[^a-z0-9-]/g, '-')}._udp.local`
  return mdns({ serviceTag })(components) as PeerDiscovery & Startable
}

/** A local TCP port nothing uses now, for a hole punch to dial from. */
export async function freeLocalPort (): Promise<number | undefined> {
  return new Promise(resolve => {
    const server = createServer()
    server.once('error', () => { resolve(undefined) })
    server.listen(0, () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address != null ? address.port : undefined) })
    })
  })
}

/** The level database lives in `<dataDir>/db`, beside the files the CLI keeps there. */
export function databaseLocation (dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}/db`
}

export { openDatasetFile, statDatasetFile } from './dataset-file.node.js'
export type { DatasetFile, DatasetFileInfo, DatasetFileInit } from './dataset-file.node.js'
export { csvRecordStream } from './csv-stream.node.js'

/**
 * A worker's JavaScript heap holds the job's input (the dataset's rows) and the messages it
 * exchanges with the node: 512 MiB is several times what fits a 64 MiB sandbox anyway, and a
 * worker past it dies alone (its job ends in an error) instead of growing the node.
 */
const WORKER_HEAP_MB = 512
/**
 * QuickJS recursion (a deep result being serialised, say) runs as WebAssembly frames on the
 * thread's own stack: 8 MiB, twice Node's default for workers, lets the sandbox's 1 MiB stack
 * limit be what stops a guest.
 */
const WORKER_STACK_MB = 8

/** A worker thread running `compute/worker.node.js`, off the node's event loop. */
export function spawnWorker<In, Out> (): WorkerHandle<In, Out> {
  // the worker's own JavaScript heap is bounded too, not only its sandbox's WebAssembly memory
  const worker = new Worker(new URL('../compute/worker.node.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, stackSizeMb: WORKER_STACK_MB } })
  worker.unref()
  return {
    post: (message) => { worker.postMessage(message) },
    onMessage: (listener) => { worker.on('message', listener) },
    onExit: (listener) => {
      worker.on('error', listener)
      worker.on('exit', code => { listener(new Error(`the worker thread exited with code ${code}`)) })
    },
    terminate: async () => { worker.removeAllListeners('exit'); await worker.terminate() }
  }
}

let engines: ReadonlyArray<'quickjs' | 'v8'> | undefined

/**
 * The engines jobs can run on here: QuickJS, and V8 isolates where isolated-vm loads (a native
 * addon with prebuilt binaries for Node.js 24 and newer on Linux, macOS and Windows). Tried once.
 */
export function jobEngines (): ReadonlyArray<'quickjs' | 'v8'> {
  if (engines == null) {
    try {
      createRequire(import.meta.url)('isolated-vm')
      engines = ['quickjs', 'v8']
    } catch {
      engines = ['quickjs']
    }
  }
  return engines
}

/** The default worker-pool size: one worker per core. */
export function cpuCount (): number {
  return availableParallelism()
}
