import { readJsonBody, readQuery } from './http.js'
import { GatewaySearchBody, SearchQuery } from './schemas.js'
import type { Route } from './routes.js'
import type { GridNode, SearchResult } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

export const searchRoutes: Route[] = [
  { method: 'POST', pattern: /^\/search$/, handler: gatewaySearch },
  { method: 'GET', pattern: /^\/v1\/search$/, handler: richSearch }
]

export interface SearchResultJson {
  peerId: string
  addrs: string[]
  rttMs: number
  datasets: Array<{ name: string, tags: string[], description: string, rows: number, columns: Array<{ name: string, type: string }>, format: string, hash: string, status: string }>
  capabilities: string[]
}

/** The result as the CLI and /v1/search give it. */
export function searchResultJson (r: SearchResult): SearchResultJson {
  return {
    peerId: r.peerId.toString(),
    addrs: r.addrs.map(String),
    rttMs: r.rttMs,
    datasets: r.datasets.map(d => ({
      name: d.name, tags: d.tags, description: d.description, rows: d.rows, columns: d.columns, format: d.format, hash: d.hash, status: d.status
    })),
    capabilities: r.capabilities
  }
}

/** `POST /search {"query":["#MNIST"]}` → `{"node-addresses":[[peerId, multiaddr]]}`, the old gateway's shape. */
async function gatewaySearch (node: GridNode, req: IncomingMessage): Promise<unknown> {
  const { query } = await readJsonBody(req, GatewaySearchBody)
  const results = await node.searchAll(query, { match: 'any' })
  return { 'node-addresses': results.map(r => [r.peerId.toString(), r.addrs[0]?.toString() ?? '']) }
}

/**
 * `GET /v1/search?tag=#cars&tag=#penguins&match=all&limit=5&timeout=3000`: the rich results,
 * a JSON array; with `Accept: application/x-ndjson`, one line per holder as it is confirmed.
 */
async function richSearch (node: GridNode, req: IncomingMessage, _params: string[], res: ServerResponse): Promise<unknown> {
  const { tag: tags, match = 'any', limit, timeout: timeoutMs } = readQuery(req, SearchQuery, ['tag'])
  const controller = new AbortController()
  res.once('close', () => { controller.abort() })
  const results = node.search(tags, { match, signal: controller.signal, ...(limit != null ? { limit } : {}), ...(timeoutMs != null ? { timeoutMs } : {}) })
  if (!(req.headers.accept ?? '').includes('application/x-ndjson')) {
    const all = []
    for await (const r of results) all.push(searchResultJson(r))
    return all
  }
  const first = await results.next() // tag errors surface here, before the 200
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' })
  if (first.done !== true) res.write(`${JSON.stringify(searchResultJson(first.value))}\n`)
  for await (const r of results) res.write(`${JSON.stringify(searchResultJson(r))}\n`)
  res.end()
  return undefined
}
