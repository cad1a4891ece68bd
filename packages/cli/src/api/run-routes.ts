import { HttpError, readJsonObject } from './http.js'
import type { Route } from './routes.js'
import type { GridNode, RunInit } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

export const runRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/run$/, handler: run }
]

/**
 * `POST /v1/run {"code","tags"?,"peers"?,"args"?,"timeoutMs"?,"retries"?,"allowLocal"?,"match"?}`:
 * every event of every job as NDJSON, as it happens. Closing the request cancels the jobs.
 */
async function run (node: GridNode, req: IncomingMessage, _params: string[], res: ServerResponse): Promise<unknown> {
  const body = await readJsonObject(req)
  const init = runInit(body)
  const controller = new AbortController()
  res.once('close', () => { controller.abort() })
  const events = node.run({ ...init, signal: controller.signal })
  const first = await events.next() // bad tags surface here, before the 200
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' })
  if (first.done !== true) res.write(`${JSON.stringify(first.value)}\n`)
  for await (const event of events) res.write(`${JSON.stringify(event)}\n`)
  res.end()
  return undefined
}

function runInit (body: Record<string, unknown>): RunInit {
  const { code, tags, peers, args, timeoutMs, retries, allowLocal, match, dataset } = body
  if (dataset != null && typeof dataset !== 'string') throw new HttpError(400, '"dataset" must be a dataset name')
  if (typeof code !== 'string' || code === '') throw new HttpError(400, '"code" must be the job\'s ES module source')
  const strings = (v: unknown, name: string): string[] | undefined => {
    if (v == null) return undefined
    if (!Array.isArray(v) || !v.every(x => typeof x === 'string')) throw new HttpError(400, `"${name}" must be an array of strings`)
    return v as string[]
  }
  const count = (v: unknown, name: string): number | undefined => {
    if (v == null) return undefined
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new HttpError(400, `"${name}" must be a whole number`)
    return v
  }
  if (match != null && match !== 'any' && match !== 'all') throw new HttpError(400, '"match" is any or all')
  const tagList = strings(tags, 'tags')
  const peerList = strings(peers, 'peers')
  const timeout = count(timeoutMs, 'timeoutMs')
  const retryCount = count(retries, 'retries')
  return {
    code,
    args,
    allowLocal: allowLocal === true,
    ...(tagList != null ? { tags: tagList } : {}),
    ...(peerList != null ? { peers: peerList } : {}),
    ...(timeout != null ? { timeoutMs: timeout } : {}),
    ...(retryCount != null ? { retries: retryCount } : {}),
    ...(match != null ? { match: match as 'any' | 'all' } : {}),
    ...(typeof dataset === 'string' ? { dataset } : {})
  }
}
