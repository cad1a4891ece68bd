// A well-behaved client of a node under attack: it searches for the node's dataset and runs a
// tiny job there, one request after another, and records each one's latency or what went wrong.
import type { GridNode } from '@grid-node/core'
import type { PeerId } from '@libp2p/interface'

export interface NormalInit {
  /** The node under attack, and a tag and dataset name it holds. */
  holder: PeerId
  tag: string
  dataset: string
  /** A request not answered in this long is a failure. @default 20_000 */
  deadlineMs?: number
  /** Stops the loop after the request in flight. */
  signal: AbortSignal
}

export interface NormalReport {
  /** Latencies of the answered requests, ms. */
  searches: number[]
  jobs: number[]
  /** What went wrong, one line per failed request. */
  failures: string[]
}

/** One search: must find the holder with its dataset. Resolves to the latency in ms. */
export async function searchOnce (node: GridNode, init: Omit<NormalInit, 'signal'>): Promise<number> {
  const started = performance.now()
  const results = await node.searchAll([init.tag], { cache: false, signal: AbortSignal.timeout(init.deadlineMs ?? 20_000) })
  const found = results.find(r => r.peerId.equals(init.holder))
  if (found?.datasets.some(d => d.name === init.dataset) !== true) throw new Error(`search for ${init.tag} did not find ${init.dataset} on the holder (${results.length} results)`)
  return performance.now() - started
}

/** One no-op job on the holder, no retries: must return 1. Resolves to the latency in ms. */
export async function jobOnce (node: GridNode, init: Omit<NormalInit, 'signal'>): Promise<number> {
  const started = performance.now()
  const finals = await node.runAll({ code: 'export default () => 1', peers: [init.holder], retries: 0, signal: AbortSignal.timeout(init.deadlineMs ?? 20_000) })
  const [only] = finals
  if (finals.length !== 1 || only?.type !== 'result' || only.value !== 1) throw new Error(`job on the holder ended in ${JSON.stringify(finals)}`)
  return performance.now() - started
}

/** Searches and runs a job, alternately, until the signal aborts; never throws. */
export async function keepAsking (node: GridNode, init: NormalInit): Promise<NormalReport> {
  const report: NormalReport = { searches: [], jobs: [], failures: [] }
  while (!init.signal.aborted) {
    try {
      report.searches.push(await searchOnce(node, init))
    } catch (err: any) {
      report.failures.push(`search: ${err.message}`)
    }
    try {
      report.jobs.push(await jobOnce(node, init))
    } catch (err: any) {
      report.failures.push(`job: ${err.message}`)
    }
  }
  return report
}
