import * as c from '../constants.js'

/** A worker pool as its holder states it in catalog answers. */
export interface PeerLoad {
  poolSize: number
  running: number
  waiting: number
}

interface Entry {
  /** Workers, clamped to 1..MAX_CLAIMED_POOL; 1 until the peer says (an older node never does). */
  size: number
  /** Jobs it said it runs or queues, clamped; and how many of ours were in flight there when it said so. */
  claimedBusy: number
  oursAtClaim: number
  /** This node's jobs sent there and not yet ended. */
  inflight: number
  at: number
}

/**
 * The requester's view of how loaded each worker is: what the worker last claimed in a catalog
 * answer, moved on by this node's own jobs dispatched and ended since. A claim is a hint,
 * clamped: a worker that says it is idle still counts every job this node has in flight there,
 * so claiming zero cannot draw every job; one that says it is swamped only sends jobs elsewhere.
 */
export class LoadBook {
  private readonly peers = new Map<string, Entry>()

  /** A worker's catalog answer. */
  claim (peer: string, load: PeerLoad): void {
    const entry = this.entry(peer)
    entry.size = clamp(load.poolSize, 1, c.MAX_CLAIMED_POOL)
    entry.claimedBusy = clamp(load.running + load.waiting, 0, c.MAX_CLAIMED_BUSY)
    entry.oursAtClaim = entry.inflight
  }

  /** One of this node's jobs went to the peer. */
  started (peer: string): void {
    this.entry(peer).inflight++
  }

  /** One of this node's jobs there ended (result, error or cancelled). */
  ended (peer: string): void {
    const entry = this.peers.get(peer)
    if (entry == null) return
    entry.inflight = Math.max(0, entry.inflight - 1)
  }

  /** The peer's load with one more job: (busy + 1) / workers. Busy is its claim moved on by ours since, never below ours. */
  load (peer: string): number {
    const e = this.peers.get(peer)
    if (e == null) return 1
    const busy = Math.max(e.inflight, e.claimedBusy - e.oursAtClaim + e.inflight)
    return (busy + 1) / e.size
  }

  /** The index of the least loaded peer; the first of equals (the caller's order breaks ties: round-robin). */
  leastLoaded (peers: Array<{ toString: () => string }>): number {
    let best = -1
    let bestLoad = Infinity
    peers.forEach((p, i) => {
      const load = this.load(p.toString())
      if (load < bestLoad) { best = i; bestLoad = load }
    })
    return best
  }

  private entry (peer: string): Entry {
    let entry = this.peers.get(peer)
    if (entry == null) {
      entry = { size: 1, claimedBusy: 0, oursAtClaim: 0, inflight: 0, at: Date.now() }
      this.peers.set(peer, entry)
      if (this.peers.size > c.MAX_LOAD_PEERS) this.evict()
    }
    entry.at = Date.now()
    return entry
  }

  /** Drops the longest-unused peer with nothing of ours in flight (a peer with jobs in flight is kept). */
  private evict (): void {
    let oldest: string | undefined
    let oldestAt = Infinity
    for (const [peer, e] of this.peers) {
      if (e.inflight === 0 && e.at < oldestAt) { oldest = peer; oldestAt = e.at }
    }
    if (oldest != null) this.peers.delete(oldest)
  }
}

function clamp (n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min
}
