import * as c from '../constants.js'
import type { Sublevel } from '../store/store.js'

/** What this node saw of one peer's replica results. */
export interface ResultScore {
  /** Replica results that matched the majority's. */
  agreed: number
  /** Replica results that differed from the majority's: a liar, or a broken engine. */
  minority: number
  /** When it last changed, ms since the epoch. */
  at: number
}

/**
 * The local memory of who returned what in replicated runs, kept in the store's `scores`
 * sublevel so a liar stays avoided after a restart. A peer is avoided while its minority
 * results outweigh its agreeing ones (one lie takes MINORITY_WEIGHT agreements to forgive).
 * Bounded: MAX_SCORED_PEERS records, the oldest of peers not avoided dropped first.
 */
export class ResultScores {
  private readonly db: Sublevel
  private readonly scores = new Map<string, ResultScore>()
  private loading?: Promise<void>

  constructor (db: Sublevel) {
    this.db = db
  }

  /** Whether replicas and placement should pass this peer over while others can take the job. */
  async avoided (peer: string): Promise<boolean> {
    await this.load()
    return isAvoided(this.scores.get(peer))
  }

  async get (peer: string): Promise<ResultScore | undefined> {
    await this.load()
    return this.scores.get(peer)
  }

  /** The peers not avoided, in their order, and the avoided, the least bad first. */
  async split<T extends { toString: () => string }> (peers: T[]): Promise<{ preferred: T[], avoided: T[] }> {
    await this.load()
    const avoided = peers.filter(p => isAvoided(this.scores.get(p.toString())))
    avoided.sort((x, y) => badness(this.scores.get(x.toString())) - badness(this.scores.get(y.toString())))
    return { preferred: peers.filter(p => !avoided.includes(p)), avoided }
  }

  /** Records one replicated job's outcome: who agreed with the majority and who did not. */
  async record (agreed: string[], minority: string[]): Promise<void> {
    await this.load()
    const now = Date.now()
    const batch = this.db.batch()
    for (const [peers, field] of [[agreed, 'agreed'], [minority, 'minority']] as const) {
      for (const peer of peers) {
        const score = this.scores.get(peer) ?? { agreed: 0, minority: 0, at: now }
        score[field]++
        score.at = now
        this.scores.set(peer, score)
        batch.put(peer, encode(score))
      }
    }
    for (const gone of this.overflow()) batch.del(gone)
    await batch.write()
  }

  /** Loads the records once; a record that does not decode is dropped. */
  private async load (): Promise<void> {
    this.loading ??= (async () => {
      for await (const [peer, bytes] of this.db.iterator({ limit: c.MAX_SCORED_PEERS })) {
        const score = decode(bytes)
        if (score != null) this.scores.set(peer, score)
      }
    })()
    await this.loading
  }

  /** Drops records past the bound, oldest of the peers not avoided first; returns their keys. */
  private overflow (): string[] {
    const extra = this.scores.size - c.MAX_SCORED_PEERS
    if (extra <= 0) return []
    const order = [...this.scores].sort(([, x], [, y]) => Number(isAvoided(x)) - Number(isAvoided(y)) || x.at - y.at)
    const gone = order.slice(0, extra).map(([peer]) => peer)
    for (const peer of gone) this.scores.delete(peer)
    return gone
  }
}

function isAvoided (score: ResultScore | undefined): boolean {
  return score != null && score.minority * c.MINORITY_WEIGHT > score.agreed
}

function badness (score: ResultScore | undefined): number {
  return score == null ? 0 : score.minority * c.MINORITY_WEIGHT - score.agreed
}

function encode (score: ResultScore): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(score))
}

function decode (bytes: Uint8Array): ResultScore | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes))
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0
    return ok(v?.agreed) && ok(v?.minority) && ok(v?.at) ? { agreed: v.agreed, minority: v.minority, at: v.at } : undefined
  } catch {
    return undefined
  }
}
