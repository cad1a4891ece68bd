import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode, DEFAULT_NETWORK, peerIdOf } from '@grid-node/core'
import { multiaddr } from '@multiformats/multiaddr'
import { dataDirOf } from './data-dir.js'
import { BootstrapUnreachableError, NodeNotRunningError } from './errors.js'
import { LAN_OPTIONS, lanSetting, publicRanges } from './lan-option.js'
import { listValue, stringValue } from './options.js'
import type { OptionSpec, Values } from './options.js'
import type { GridNode } from '@grid-node/core'

/** A short-lived node has this long to join through its bootstrap list. */
const CLIENT_JOIN_TIMEOUT = 15_000

/** The options of commands that, with no running node, join the grid for one request. */
export const CLIENT_OPTIONS: Record<string, OptionSpec> = {
  bootstrap: { type: 'string', multiple: true, description: 'with no running node: peers to join through', placeholder: 'multiaddr' },
  network: { type: 'string', description: 'with no running node: the grid to join', default: DEFAULT_NETWORK, placeholder: 'name' },
  ...LAN_OPTIONS
}

/**
 * No running node: join through --bootstrap as a DHT client with a throwaway identity, do the
 * work, leave, forget.
 */
export async function withShortLivedNode<T> (values: Values, signal: AbortSignal, work: (node: GridNode) => Promise<T>): Promise<T> {
  const bootstrap = listValue(values, 'bootstrap')
  if (bootstrap.length === 0) {
    throw new NodeNotRunningError(`data dir ${dataDirOf(values)} and no --bootstrap was given (pass --bootstrap <multiaddr> or GRID_NODE_BOOTSTRAP to go without one)`)
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'grid-client-'))
  try {
    const network = stringValue(values, 'network')
    const ranges = publicRanges(values)
    const node = await createGridNode({ dataDir, listen: [], bootstrap, lan: lanSetting(values), dhtClient: true, ...(ranges != null ? { publicRanges: ranges } : {}), ...(network != null ? { network } : {}) })
    try {
      await joinThrough(node, bootstrap, signal)
      return await work(node)
    } finally {
      await node.stop()
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}

/**
 * Waits until the node has joined, dialling the bootstrap peers alongside its joiner (libp2p
 * shares a dial to the same peer) to learn why one fails. When every one has failed there is
 * nothing left to wait for (a fresh client knows no other peer): the error says at once which
 * address failed and why, rather than after the whole timeout. libp2p dials a peer on all its
 * known addresses at once, so addresses of one peer ID are reported together.
 */
async function joinThrough (node: GridNode, bootstrap: string[], signal: AbortSignal): Promise<void> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(CLIENT_JOIN_TIMEOUT)])
  const byPeer = new Map<string, string[]>()
  for (const addr of bootstrap) {
    const key = peerIdOf(multiaddr(addr)) ?? addr
    byPeer.set(key, [...byPeer.get(key) ?? [], addr])
  }
  const failures = new Map<string, string>()
  const dials = [...byPeer.values()].map(async addrs => {
    try {
      await node.libp2p.dial(addrs.map(a => multiaddr(a)), { signal: deadline })
    } catch (err) {
      failures.set(addrs.join(' and '), dialFailure(err, CLIENT_JOIN_TIMEOUT))
      throw err
    }
  })
  const ready = node.whenReady({ signal: deadline })
  const hopeless = Promise.allSettled(dials).then(async outcomes => {
    if (outcomes.every(o => o.status === 'rejected')) throw new Error('every bootstrap dial failed')
    await ready
  })
  try {
    await Promise.race([ready, hopeless])
  } catch (err) {
    if (signal.aborted) throw err
    const joining = `connected, but joining did not finish within ${CLIENT_JOIN_TIMEOUT / 1000} s`
    throw new BootstrapUnreachableError([...byPeer.values()].map(addrs => addrs.join(' and ')).map(addrs => [addrs, failures.get(addrs) ?? joining]))
  }
}

/** Why one dial failed, in a few words: `connection refused`, `host not found`, … */
export function dialFailure (err: any, timeoutMs: number): string {
  // libp2p tries every address of the peer and throws an AggregateError of their errors
  const errors: any[] = Array.isArray(err?.errors) && err.errors.length > 0 ? err.errors : [err]
  return [...new Set(errors.map(e => oneFailure(e, timeoutMs)))].join('; ')
}

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable'
}

function oneFailure (err: any, timeoutMs: number): string {
  const code = typeof err?.code === 'string' ? err.code : undefined
  if (code != null && Object.hasOwn(SOCKET_ERRORS, code)) return SOCKET_ERRORS[code] ?? code
  switch (err?.name) {
    case 'TimeoutError':
    case 'AbortError': return `no answer within ${timeoutMs / 1000} s`
    case 'DialDeniedError': return 'refused by this client\'s address policy'
    case 'NoValidAddressesError': return 'no address this client can dial (a browser-only transport?)'
  }
  const message = String(err?.message ?? '').trim()
  const otherPeer = /identity key (\S+) does not match expected/.exec(message)?.[1]
  if (otherPeer != null) return `the peer listening there is ${otherPeer}, not the /p2p/ peer ID given`
  if (err?.name === 'EncryptionFailedError' && /timeout|timed out/i.test(message)) return 'it accepted the connection but never completed the libp2p handshake (is a grid node listening on that port?)'
  if (message !== '') return message
  // a WebSocket dial fails with a bare ErrorEvent, as in a browser: no reason is given
  if (err?.type === 'error') return 'the WebSocket connection failed (is a node listening there for WebSocket?)'
  return code ?? String(err?.name ?? 'failed')
}
