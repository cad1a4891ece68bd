// What a swarm runner can be asked to do with one of its nodes (`node`: its index there). Every
// operation ends within its own deadline and answers with plain JSON.
import { addressScope, PublicRanges } from '@grid-node/core'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { rawLookup } from '../bench/raw-lookup.ts'
import { profileSelf } from './cpu-profile.ts'
import type { GridNode } from '@grid-node/core'

type Args = Record<string, any>
export type SwarmOp = (nodes: GridNode[], args: Args) => Promise<Record<string, unknown>>

const LOOKUP_TIMEOUT_MS = 15_000
const PING_TIMEOUT_MS = 3_000
const RUN_TIMEOUT_MS = 60_000
const JOB_TIMEOUT_MS = 40_000
const DIAL_TIMEOUT_MS = 15_000
/** The grid's own punch gives up after 2 attempts of 5 s; this only bounds a stuck one. */
const PUNCH_DEADLINE_MS = 15_000
/** As the grid's search counts a LAN neighbour (see grid-node.ts lanNeighbours): at most 16. */
const LAN_SEARCH_PEERS = 16

function nodeOf (nodes: GridNode[], args: Args): GridNode {
  const node = nodes[args.node]
  if (node == null) throw new RangeError(`no node ${String(args.node)} in this runner`)
  return node
}

/** Peers a search also asks besides the DHT's providers: direct connections at a private address. */
function lanNeighbours (node: GridNode, ranges: PublicRanges): string[] {
  const ids = new Set<string>()
  for (const conn of node.libp2p.getConnections()) {
    if (conn.direct && addressScope(conn.remoteAddr, ranges) === 'private') ids.add(conn.remotePeer.toString())
  }
  return [...ids].slice(0, LAN_SEARCH_PEERS)
}

const status: SwarmOp = async nodes => ({
  rss: process.memoryUsage().rss,
  nodes: nodes.map(n => {
    const s = n.status()
    return { peerId: n.peerId.toString(), ready: s.ready, state: s.reachability.state, relays: s.reachability.relays, peers: s.peers, connections: n.libp2p.getConnections().length, addressMode: s.addressPolicy.mode, addrs: s.addrs.map(String).filter(a => a.includes('/p2p-circuit')) }
  })
})

const add: SwarmOp = async (nodes, args) => {
  const added = await nodeOf(nodes, args).datasets.add({ name: args.name, rows: args.rows, tags: args.tags })
  return { name: added.name }
}

/** The grid's search, uncached: how long, whom it found, and how many peers it asked (providers and LAN neighbours). */
const search: SwarmOp = async (nodes, args) => {
  const node = nodeOf(nodes, args)
  const neighbours = lanNeighbours(node, new PublicRanges(args.publicRanges ?? []))
  const started = performance.now()
  const found = await node.searchAll(args.tags, { cache: false, ...(args.timeoutMs != null ? { timeoutMs: args.timeoutMs } : {}) })
  return { ms: performance.now() - started, found: found.map(r => r.peerId.toString()), neighbours }
}

/** The baseline (see bench/raw-lookup.ts): kad-dht's findProviders for the tag, then a ping of every provider. */
const lookup: SwarmOp = async (nodes, args) => rawLookup(nodeOf(nodes, args), args.tag, { signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS), pingTimeoutMs: PING_TIMEOUT_MS }) as unknown as Promise<Record<string, unknown>>

/** `run` on the holders of tags: every event counted per job id. */
const run: SwarmOp = async (nodes, args) => {
  const node = nodeOf(nodes, args)
  const jobs = new Map<string, { results: number, errors: number, dispatched: number, via: string[], lastError?: string }>()
  const started = performance.now()
  let notFound: string | undefined
  for await (const event of node.run({ code: args.code, tags: args.tags, timeoutMs: args.timeoutMs, signal: AbortSignal.timeout(RUN_TIMEOUT_MS) })) {
    if (event.jobId === '') { notFound = event.type === 'error' ? event.message : 'no job'; continue }
    const job = jobs.get(event.jobId) ?? { results: 0, errors: 0, dispatched: 0, via: [] }
    jobs.set(event.jobId, job)
    if (event.type === 'result') job.results++
    if (event.type === 'error') { job.errors++; job.lastError = event.message }
    if (event.type === 'dispatched') job.dispatched++
    if (event.type === 'accepted' && event.via != null) job.via.push(event.via)
  }
  return { ms: performance.now() - started, jobs: [...jobs.values()], ...(notFound != null ? { notFound } : {}) }
}

/** One job sent straight to a peer: its round trip and the path its stream took. */
const job: SwarmOp = async (nodes, args) => {
  const node = nodeOf(nodes, args)
  const started = performance.now()
  let via: string | undefined
  let outcome = 'no result'
  const peer = peerIdFromString(args.peer)
  try {
    for await (const event of node.runJob(peer, { code: args.code }, { signal: AbortSignal.timeout(JOB_TIMEOUT_MS) })) {
      if (event.type === 'accepted') via = event.via
      if (event.type === 'result') outcome = 'result'
      if (event.type === 'error') outcome = `error: ${event.message}`
    }
  } catch (err: any) {
    throw new Error(`${String(err?.message ?? err)} after ${(performance.now() - started).toFixed(0)} ms${via != null ? `, accepted via ${via}` : ''}; connections now: ${connectionsTo(node, peer)}`)
  }
  return { ms: performance.now() - started, via, outcome }
}

/** For a failure's message: each connection to the peer, direct or relayed, its state and age. */
function connectionsTo (node: GridNode, peer: ReturnType<typeof peerIdFromString>): string {
  const conns = node.libp2p.getConnections(peer)
  if (conns.length === 0) return 'none'
  return conns.map(c => `${c.direct ? 'direct' : 'relayed'} ${c.direction} ${c.status} ${((Date.now() - c.timeline.open) / 1000).toFixed(1)} s old`).join(', ')
}

/**
 * Relayed, then direct: dials the peer at its relayed addresses (`addrs`), then asks the grid's
 * hole punch for a direct connection and times it.
 */
const punch: SwarmOp = async (nodes, args) => {
  const node = nodeOf(nodes, args)
  const peer = peerIdFromString(args.peer)
  if (node.libp2p.getConnections(peer).some(c => c.direct && c.status === 'open')) return { already: 'direct' }
  await node.libp2p.peerStore.merge(peer, { multiaddrs: (args.addrs as string[]).map(a => multiaddr(a)) })
  const dialStarted = performance.now()
  const relayed = await node.libp2p.dial(peer, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
  const dialMs = performance.now() - dialStarted
  if (relayed.direct) return { already: 'direct', dialMs }
  const started = performance.now()
  const direct = await node.libp2p.services.punch.direct(peer, { signal: AbortSignal.timeout(PUNCH_DEADLINE_MS) })
  return { dialMs, punchMs: performance.now() - started, direct: direct?.direct === true }
}

const hangUp: SwarmOp = async (nodes, args) => {
  await nodeOf(nodes, args).libp2p.hangUp(peerIdFromString(args.peer), { signal: AbortSignal.timeout(5_000) })
  return {}
}

/** Each node's liveness verdict on each of `peers` (absent: it does not track that peer). */
const liveness: SwarmOp = async (nodes, args) => ({
  nodes: nodes.map(n => {
    const known = new Map(n.peerLiveness().map(p => [p.peerId.toString(), p.state]))
    return Object.fromEntries((args.peers as string[]).map(p => [p, known.get(p)]))
  })
})

/** The runner process's CPU profile over `ms`: self time of its `top` most expensive functions. */
const profile: SwarmOp = async (_nodes, args) => ({ ...await profileSelf(args.ms, args.top ?? 40) })

/** Who calls the peer store's merge/patch over `ms`: the calling frames, counted, and how many were in flight at most. */
const storeCallers: SwarmOp = async (nodes, args) => {
  const counts = new Map<string, number>()
  let inFlight = 0
  let maxInFlight = 0
  let calls = 0
  const restore: Array<() => void> = []
  for (const n of nodes) {
    const store = n.libp2p.peerStore as any
    for (const method of ['merge', 'patch', 'save']) {
      const original = store[method]
      store[method] = async function (...a: unknown[]) {
        calls++
        const frames = (new Error().stack ?? '').split('\n').slice(2, 5).map(l => l.trim().replace(/^at /, '').replace(/\(.*node_modules\//, '(').replace(/\(file:.*\/packages\//, '(').replace(/:\d+\)$/, ')')).join(' < ')
        const key = `${method} ${frames}${(a[2] as any)?.signal != null ? ' [signal]' : ''}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        try { return await original.apply(this, a) } finally { inFlight-- }
      }
      restore.push(() => { store[method] = original })
    }
  }
  await new Promise(resolve => setTimeout(resolve, args.ms))
  for (const r of restore) r()
  return { calls, maxInFlight, top: [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12) }
}

export const swarmOps: Record<string, SwarmOp> = { status, add, search, lookup, run, job, punch, hangUp, liveness, profile, storeCallers }
