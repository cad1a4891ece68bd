/**
 * What one sender may publish, and what a peer that breaks the limits has cost itself: token
 * buckets per sender and decaying penalty points per peer, both bounded in how many peers they
 * remember (the least recently seen is forgotten first).
 */

export interface RateInit {
  /** Messages a sender may send at once. */
  burst: number
  /** Tokens a sender's bucket regains a second. */
  perSecond: number
  /** Senders remembered at once. */
  maxSenders: number
  /** Milliseconds since some fixed point (tests pass a fake clock). @default performance.now */
  now?: () => number
}

interface Bucket { tokens: number, at: number }

/** One token bucket per sender. */
export class SenderRate {
  private readonly buckets = new Map<string, Bucket>()
  private readonly init: RateInit
  private readonly now: () => number

  constructor (init: RateInit) {
    this.init = init
    this.now = init.now ?? (() => performance.now())
  }

  /** Takes one token from the sender's bucket; false when it is empty (over the rate). */
  take (sender: string): boolean {
    const now = this.now()
    const bucket = this.buckets.get(sender) ?? { tokens: this.init.burst, at: now }
    bucket.tokens = Math.min(this.init.burst, bucket.tokens + (now - bucket.at) / 1000 * this.init.perSecond)
    bucket.at = now
    touch(this.buckets, sender, bucket, this.init.maxSenders)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  get size (): number { return this.buckets.size }
}

export interface PenaltyInit {
  /** Points at most. */
  max: number
  /** Points kept after each second (0.9: 10% forgiven a second). */
  decayPerSecond: number
  maxPeers: number
  now?: () => number
}

interface Points { points: number, at: number }

/** Penalty points per peer, decaying with time: gossipsub scores a peer minus its points. */
export class Penalties {
  private readonly peers = new Map<string, Points>()
  private readonly init: PenaltyInit
  private readonly now: () => number

  constructor (init: PenaltyInit) {
    this.init = init
    this.now = init.now ?? (() => performance.now())
  }

  add (peer: string, points: number): void {
    const current = this.points(peer)
    touch(this.peers, peer, { points: Math.min(this.init.max, current + points), at: this.now() }, this.init.maxPeers)
  }

  /** The peer's points now, after decay. */
  points (peer: string): number {
    const entry = this.peers.get(peer)
    if (entry == null) return 0
    const points = entry.points * this.init.decayPerSecond ** ((this.now() - entry.at) / 1000)
    if (points < 0.01) {
      this.peers.delete(peer)
      return 0
    }
    return points
  }
}

/** Sets a map entry as the most recently used, forgetting the least recently used past `max`. */
function touch<V> (map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > max) {
    const oldest = map.keys().next().value
    if (oldest != null) map.delete(oldest)
  }
}
