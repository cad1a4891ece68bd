import { resultHash } from './result-hash.js'
import type { JobEvent } from './job-events.js'

/** How the replicas of one job voted: attached to the job's one result or error. */
export interface ReplicaVerdict {
  /** Replicas asked for. */
  replicas: number
  /** sha256 of the canonical JSON (sorted keys) of the majority's result, hex; absent without a majority. */
  hash?: string
  /** Peers whose results matched the majority's. */
  agreed: string[]
  /** Peers whose results differed from the majority's (or, without one, from each other), each with its result's hash. */
  disagreed: Array<{ peerId: string, hash: string }>
  /** Peers that gave an error instead of a result. */
  failed: Array<{ peerId: string, message: string }>
}

/** One replica's final event and the peer that sent it. */
export interface ReplicaOutcome { peerId: string, event: Extract<JobEvent, { type: 'result' | 'error' }> }

/** The job's one final event: the majority's result, the replicas' common error, or "no majority". */
export interface Decision {
  final: Extract<JobEvent, { type: 'result' | 'error' }>
  peerId: string
  verdict: ReplicaVerdict
}

/**
 * Compares the replicas' results by the hash of their canonical JSON. A result is the job's when
 * more than half of the replicas asked for returned it; the peers that returned something else
 * are named. Every replica failing is the first failure (a job that throws throws everywhere);
 * anything else is an error saying who disagreed.
 */
export async function decide (outcomes: ReplicaOutcome[], replicas: number): Promise<Decision> {
  const hashes = await Promise.all(outcomes.map(async o => o.event.type === 'result' ? await resultHash(o.event.value) : undefined))
  const votes = new Map<string, number>()
  for (const h of hashes) if (h != null) votes.set(h, (votes.get(h) ?? 0) + 1)
  const [top, count] = [...votes].sort((x, y) => y[1] - x[1])[0] ?? ['', 0]
  const winner = count * 2 > replicas ? top : undefined
  const failed = outcomes.flatMap(o => o.event.type === 'error' ? [{ peerId: o.peerId, message: o.event.message }] : [])
  const agreed = outcomes.filter((_, i) => winner != null && hashes[i] === winner).map(o => o.peerId)
  const disagreed = outcomes.flatMap((o, i) => hashes[i] != null && hashes[i] !== winner ? [{ peerId: o.peerId, hash: hashes[i] }] : [])
  const verdict: ReplicaVerdict = { replicas, ...(winner != null ? { hash: winner } : {}), agreed, disagreed, failed }
  if (winner != null) {
    const i = hashes.indexOf(winner)
    return { final: outcomes[i]!.event, peerId: outcomes[i]!.peerId, verdict }
  }
  const firstError = outcomes.find(o => o.event.type === 'error')
  if (votes.size === 0 && firstError != null) return { final: firstError.event, peerId: firstError.peerId, verdict }
  return { final: { type: 'error', status: 'failed', message: noMajority(verdict, count) }, peerId: '', verdict }
}

function noMajority (verdict: ReplicaVerdict, best: number): string {
  const need = Math.floor(verdict.replicas / 2) + 1
  const distinct = new Set(verdict.disagreed.map(d => d.hash)).size
  const parts = [`no majority among ${verdict.replicas} replicas: ${need} had to agree, at most ${best} did (${distinct} different result${distinct === 1 ? '' : 's'}`]
  if (verdict.failed.length > 0) parts.push(`, ${verdict.failed.length} failed: ${verdict.failed.map(f => `${short(f.peerId)} ${f.message}`).join('; ')}`)
  return `${parts.join('')})`
}

/** `12D3KooW…F4CHCz`, as the CLI shows a peer. */
export function short (peerId: string): string {
  return peerId.length > 16 ? `${peerId.slice(0, 8)}…${peerId.slice(-6)}` : peerId
}
