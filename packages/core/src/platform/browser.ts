/**
 * The browser side of the platform seam: a tab cannot listen, so it dials out over
 * WebSockets and is reached through a circuit relay on a Node.js peer; its database is
 * IndexedDB, named after the data dir; jobs run in Web Workers.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import type { TransportInit, WorkerHandle } from './seam.js'
import type { Libp2pOptions } from 'libp2p'

/**
 * `/p2p-circuit`: reserve a slot on a relay among the connected peers, and be dialled there;
 * `/webrtc`: another tab that reaches this one through the relay upgrades to a WebRTC
 * connection between the two, the relay carrying only the signalling.
 */
export const defaultListen: string[] = ['/p2p-circuit', '/webrtc']

/** A tab comes and goes and cannot be dialled directly: it queries the DHT, never serves it. */
export const dhtClientByDefault = true

/** A tab cannot relay for others. */
export const relayByDefault = false

/**
 * WebSockets to Node.js peers, circuit relays, and WebRTC between tabs. WebRTC asks no STUN
 * server unless given some (libp2p's default is four public ones): a page must not contact third
 * parties on its own, and tabs on one host or LAN connect by their host candidates.
 */
export function transports ({ relays, iceServers, webrtc }: TransportInit): NonNullable<Libp2pOptions['transports']> {
  return [
    webSockets(),
    circuitRelayTransport(relays != null ? { discoveryFilter: relays } : {}),
    ...(webrtc === false ? [] : [webRTC({ rtcConfiguration: { iceServers: iceServers ?? [] } })])
  ]
}

/** A page cannot send multicast: no LAN discovery from a tab. */
export function lanDiscovery (): undefined {
  return undefined
}

/** A page cannot choose its TCP ports: no hole punching from a tab. */
export async function freeLocalPort (): Promise<number | undefined> {
  return undefined
}

export function databaseLocation (dataDir: string): string {
  return `grid-node:${dataDir}`
}

export { csvRecordStream, openDatasetFile, statDatasetFile } from './dataset-file.browser.js'
export type { DatasetFile, DatasetFileInfo, DatasetFileInit } from './dataset-file.browser.js'

/** Why this browser cannot run a node, or undefined when it can: libp2p v3 needs Promise.withResolvers. */
export function runtimeProblem (): string | undefined {
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') return 'this browser is too old for grid-node: it needs Promise.withResolvers (Chrome 119, Firefox 121, Safari 17.4 or newer)'
  return undefined
}

/**
 * A module Web Worker off the page's main thread, running `compute/job-worker.browser.js`: the
 * job worker (`compute/worker.browser.ts`) pre-bundled by `scripts/bundle-job-worker.mjs` into
 * one file with no imports, beside the QuickJS `.wasm` it fetches. A web app's bundler finds it
 * through `new URL(…, import.meta.url)` and has nothing to split, so Vite's default worker
 * format (iife) builds it with no configuration.
 */
export function spawnWorker<In, Out> (): WorkerHandle<In, Out> {
  const worker = new Worker(new URL('../compute/job-worker.browser.js', import.meta.url), { type: 'module', name: 'grid-node job' })
  let exited: ((error: Error) => void) | undefined
  worker.addEventListener('error', event => {
    event.preventDefault()
    // a worker script that failed to load gives an ErrorEvent with no message at all
    exited?.(new Error(typeof event.message === 'string' && event.message !== '' ? event.message : workerFailure()))
  })
  return {
    post: (message) => { worker.postMessage(message) },
    onMessage: (listener) => { worker.addEventListener('message', (event: MessageEvent<Out>) => { listener(event.data) }) },
    onExit: (listener) => { exited = listener },
    terminate: async () => { exited = undefined; worker.terminate() }
  }
}

/** Why a job worker died with no message: mostly it never loaded, and Vite 7's dev server is the usual cause. */
function workerFailure (): string {
  // Vite 7 (not 8) pre-bundles the package into .vite/deps in dev and the worker's relative URL breaks
  const hint = import.meta.url.includes('/.vite/deps/') ? ': Vite 7\'s dev server pre-bundled @grid-node/core without its job worker; use Vite 8 or newer, or `vite build` and `vite preview`' : ''
  return `the job Web Worker failed to load or crashed${hint}`
}

/** A tab runs jobs on QuickJS only: V8 isolates need Node.js's native addon. */
export function jobEngines (): ReadonlyArray<'quickjs' | 'v8'> {
  return ['quickjs']
}

export function cpuCount (): number {
  return globalThis.navigator?.hardwareConcurrency ?? 2
}
