import { abortOnClose, readJsonBody, readQuery } from './http.js'
import { acceptsNdjson, writeNdjson } from './ndjson.js'
import { GatewaySearchBody, SearchQuery } from './schemas.js'
import { searchAnswer } from './shapes.js'
import type { Route } from './route.js'
import type { GatewaySearchAnswer, SearchAnswer } from './shapes.js'
import type { GridNode, SearchResult } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

export const searchRoutes: Route[] = [
  { method: 'POST', pattern: /^\/search$/, handler: gatewaySearch },
  { method: 'GET', pattern: /^\/v1\/search$/, handler: richSearch }
]

/** `POST /search {"query":["#MNIST"]}` → `{"node-addresses":[[peerId, multiaddr]]}`, the old gateway's shape. */
async function gatewaySearch (node: GridNode, req: IncomingMessage): Promise<GatewaySearchAnswer> {
  const { query } = await readJsonBody(req, GatewaySearchBody)
  const results = await node.searchAll(query, { match: 'any' })
  return { 'node-addresses': results.map(r => [r.peerId.toString(), r.addrs[0]?.toString() ?? '']) }
}

/**
 * `GET /v1/search?tag=#cars&tag=#penguins&match=all&limit=5&timeout=3000`: the rich results,
 * a JSON array; with `Accept: application/x-ndjson`, one line per holder as it is confirmed.
 */
async function richSearch (node: GridNode, req: IncomingMessage, _params: string[], res: ServerResponse): Promise<SearchAnswer[] | undefined> {
  const { tag: tags, match = 'any', limit, timeout: timeoutMs } = readQuery(req, SearchQuery, ['tag'])
  const results = answers(node.search(tags, { match, signal: abortOnClose(res), ...(limit != null ? { limit } : {}), ...(timeoutMs != null ? { timeoutMs } : {}) }))
  if (!acceptsNdjson(req)) {
    const all = []
    for await (const r of results) all.push(r)
    return all
  }
  // tag errors surface with the first holder, before the 200
  await writeNdjson(res, results)
  return undefined
}

async function * answers (results: AsyncIterable<SearchResult>): AsyncGenerator<SearchAnswer> {
  for await (const r of results) yield searchAnswer(r)
}
