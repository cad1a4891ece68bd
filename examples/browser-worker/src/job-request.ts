import { MAX_REPLICAS, normaliseTags } from '@grid-node/core'
import { findDataset } from './known-datasets.js'
import type { RunInit } from '@grid-node/core'

/** Where the form says a job goes: any worker (data-free), holders of tags, named peers, or a dataset by content hash. */
export type TargetKind = 'any' | 'tags' | 'peers' | 'dataset'

/** The run form's fields, as typed. */
export interface JobForm {
  target: TargetKind
  tags: string
  match: 'any' | 'all'
  peers: string
  /** With `peers`: a dataset name at each of them (empty: data-free). */
  peerDataset: string
  /** With `dataset`: a content hash or its first digits. */
  dataset: string
  code: string
  args: string
  replicas: string
  timeoutSeconds: string
}

/** A job ready to run, and how the history names where it went. */
export interface JobRequest {
  init: RunInit
  target: string
}

const PEER_ID = /^(12D3KooW|Qm|bafz)[1-9A-HJ-NP-Za-km-z]{20,}$/
/** A holder's deadline cap is 30 s; a longer one here would only be cut there. */
const MAX_TIMEOUT_SECONDS = 30

/** Checks the form and builds the job; an Error whose message says what to fix otherwise. */
export function jobRequest (form: JobForm): JobRequest | Error {
  if (form.code.trim() === '') return new Error('write the job\'s code: an ES module with a default export, e.g. export default ({ data }) => data.length')
  let args: unknown
  try {
    args = form.args.trim() === '' ? undefined : JSON.parse(form.args)
  } catch (err: any) {
    return new Error(`args must be JSON, e.g. {"values":[1,2,3]}: ${String(err.message ?? err)}`)
  }
  const replicas = Number(form.replicas === '' ? '1' : form.replicas)
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) return new Error(`replicas must be a whole number from 1 to ${MAX_REPLICAS}`)
  const timeout = Number(form.timeoutSeconds === '' ? '0' : form.timeoutSeconds)
  if (!Number.isFinite(timeout) || timeout < 0 || timeout > MAX_TIMEOUT_SECONDS) return new Error(`the time limit must be 0 (the holder's default) to ${MAX_TIMEOUT_SECONDS} seconds`)
  const common: RunInit = {
    code: form.code,
    ...(args !== undefined ? { args } : {}),
    ...(replicas > 1 ? { replicas } : {}),
    ...(timeout > 0 ? { timeoutMs: Math.round(timeout * 1000) } : {})
  }
  const placed = placement(form, replicas)
  return placed instanceof Error ? placed : { init: { ...common, ...placed.init }, target: placed.target }
}

function placement (form: JobForm, replicas: number): { init: Partial<RunInit>, target: string } | Error {
  switch (form.target) {
    case 'any':
      return { init: { allowLocal: replicas === 1 }, target: replicas > 1 ? `${replicas} #compute:js workers` : 'any #compute:js worker' }
    case 'tags': return byTags(form)
    case 'peers': return byPeers(form)
    case 'dataset': return byDataset(form.dataset, replicas)
  }
}

function byTags (form: JobForm): { init: Partial<RunInit>, target: string } | Error {
  const typed = words(form.tags)
  if (typed.length === 0) return new Error('give at least one tag to run on its holders, e.g. #cars')
  let tags: string[]
  try {
    tags = normaliseTags(typed)
  } catch (err: any) {
    return new Error(String(err.message ?? err))
  }
  return { init: { tags, match: form.match }, target: `holders of ${tags.join(form.match === 'all' ? ' and ' : ' or ')}` }
}

function byPeers (form: JobForm): { init: Partial<RunInit>, target: string } | Error {
  const peers = words(form.peers)
  if (peers.length === 0) return new Error('give at least one peer ID (12D3KooW…), as the grid view and search results show them')
  const bad = peers.find(p => !PEER_ID.test(p))
  if (bad != null) return new Error(`"${bad.slice(0, 60)}" is not a peer ID: copy one from the grid view or a search result (12D3KooW…)`)
  const dataset = form.peerDataset.trim()
  return { init: { peers, ...(dataset !== '' ? { dataset } : {}) }, target: `${peers.length} peer${peers.length === 1 ? '' : 's'}${dataset !== '' ? ` on ${dataset}` : ''}` }
}

/** One job on the nearest known holder of that content (with replicas, that many of its holders that share a name for it). */
function byDataset (hash: string, replicas: number): { init: Partial<RunInit>, target: string } | Error {
  const found = findDataset(hash)
  if (found instanceof Error) return found
  const byName = new Map<string, Array<{ peerId: string, rttMs: number }>>()
  for (const [peerId, h] of found.holders) byName.set(h.name, [...(byName.get(h.name) ?? []), { peerId, rttMs: h.rttMs }])
  const [name, holders] = [...byName].sort((a, b) => b[1].length - a[1].length)[0]!
  if (holders.length < replicas) return new Error(`${replicas} replicas need ${replicas} holders of ${found.hash.slice(0, 12)}… under one name; ${holders.length} known ("${name}"): search again or ask for fewer`)
  const chosen = holders.sort((a, b) => a.rttMs - b.rttMs).slice(0, replicas).map(h => h.peerId)
  return { init: { peers: chosen, dataset: name }, target: `dataset ${name} (${found.hash.slice(0, 12)}…)` }
}

function words (text: string): string[] {
  return text.split(/[\s,]+/).filter(w => w !== '')
}
