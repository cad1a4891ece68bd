import { HttpError, readJsonObject } from './http.js'
import type { Route } from './routes.js'
import type { GridNode, SearchResult } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A search answered over HTTP may take its full timeout; cap what a client can ask for. */
const MAX_SEARCH_TIMEOUT = 60_000

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
  const body = await readJsonObject(req)
  const query = body.query
  if (!Array.isArray(query) || query.length === 0 || !query.every(t => typeof t === 'string')) {
    throw new HttpError(400, '"query" must be a non-empty array of tag strings, e.g. {"query":["#mnist"]}')
  }
  const results = await node.searchAll(query as string[], { match: 'any' })
  return { 'node-addresses': results.map(r => [r.peerId.toString(), r.addrs[0]?.toString() ?? '']) }
}

/**
 * `GET /v1/search?tag=#cars&tag=#penguins&match=all&limit=5&timeout=3000`: the rich results,
 * a JSON array; with `Accept: application/x-ndjson`, one line per holder as it is confirmed.
 */
async function richSearch (node: GridNode, req: IncomingMessage, _params: string[], res: ServerResponse): Promise<unknown> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const tags = url.searchParams.getAll('tag')
  if (tags.length === 0) throw new HttpError(400, 'give at least one ?tag=, e.g. /v1/search?tag=%23cars')
  const match = url.searchParams.get('match') ?? 'any'
  if (match !== 'any' && match !== 'all') throw new HttpError(400, '"match" is any or all')
  const limit = optionalNumber(url, 'limit', 1, Number.MAX_SAFE_INTEGER)
  const timeoutMs = optionalNumber(url, 'timeout', 1, MAX_SEARCH_TIMEOUT)
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

function optionalNumber (url: URL, name: string, min: number, max: number): number | undefined {
  const text = url.searchParams.get(name)
  if (text == null) return undefined
  const n = Number(text)
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, `"${name}" must be a whole number from ${min} to ${max}`)
  return n
}
