import type { SearchResult } from '@grid-node/core'

/** A dataset's content as the page has seen it: who holds those bytes, and under which name each. */
export interface KnownDataset {
  hash: string
  tags: string[]
  rows: number
  /** Holder peer ID → its name for these bytes, with the round-trip time of its last answer. */
  holders: Map<string, { name: string, rttMs: number }>
}

/** Distinct contents remembered from searches; the oldest is forgotten past this. */
const MAX_KNOWN = 256
/** The shortest hash prefix accepted for a dataset, so a typo does not pick some other content. */
export const MIN_HASH_PREFIX = 8

const known = new Map<string, KnownDataset>()
const listeners = new Set<() => void>()

/** Notes every dataset a search answer describes (each holder of each content hash). */
export function noteHolder (holder: SearchResult): void {
  const peerId = holder.peerId.toString()
  for (const d of holder.datasets) {
    const entry = known.get(d.hash) ?? { hash: d.hash, tags: d.tags, rows: d.rows, holders: new Map() }
    entry.holders.set(peerId, { name: d.name, rttMs: holder.rttMs })
    known.delete(d.hash)
    known.set(d.hash, entry)
  }
  while (known.size > MAX_KNOWN) known.delete(known.keys().next().value as string)
  for (const listener of listeners) listener()
}

/** Forgets a holder's dataset (this tab removed one of its own). */
export function forgetHolder (peerId: string, hash: string): void {
  const entry = known.get(hash)
  if (entry == null) return
  entry.holders.delete(peerId)
  if (entry.holders.size === 0) known.delete(hash)
  for (const listener of listeners) listener()
}

export function knownDatasets (): KnownDataset[] {
  return [...known.values()].reverse()
}

/** The dataset whose hash is, or starts with, this (at least MIN_HASH_PREFIX hex digits); an Error saying why not otherwise. */
export function findDataset (hashOrPrefix: string): KnownDataset | Error {
  const wanted = hashOrPrefix.trim().toLowerCase()
  if (!/^[0-9a-f]+$/.test(wanted) || wanted.length < MIN_HASH_PREFIX) {
    return new Error(`give a dataset's content hash (sha256, hex; at least its first ${MIN_HASH_PREFIX} digits), as search results show it`)
  }
  const matching = [...known.values()].filter(d => d.hash.startsWith(wanted))
  if (matching.length === 0) return new Error(`no holder of a dataset with content ${wanted.slice(0, 16)}… is known: search the grid for its tags first`)
  if (matching.length > 1) return new Error(`${matching.length} datasets have content hashes starting with ${wanted}: give more digits`)
  return matching[0]!
}

export function onKnownDatasets (listener: () => void): void {
  listeners.add(listener)
}
