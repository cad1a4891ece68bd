import { readJsonBody } from './http.js'
import { RunBody } from './schemas.js'
import type { RunRequest } from './schemas.js'
import type { Route } from './routes.js'
import type { GridNode, RunInit } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

export const runRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/run$/, handler: postRun }
]

/**
 * `POST /v1/run {"code","tags"?,"peers"?,"args"?,"timeoutMs"?,"retries"?,"allowLocal"?,"match"?,"dataset"?}`:
 * every event of every job as NDJSON, as it happens. Closing the request cancels the jobs.
 */
async function postRun (node: GridNode, req: IncomingMessage, _params: string[], res: ServerResponse): Promise<unknown> {
  const init = runInit(await readJsonBody(req, RunBody))
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

/** The validated body as the scheduler takes it (optional fields left out, not undefined). */
function runInit (body: RunRequest): RunInit {
  return {
    code: body.code,
    args: body.args,
    allowLocal: body.allowLocal === true,
    ...(body.tags != null ? { tags: body.tags } : {}),
    ...(body.peers != null ? { peers: body.peers } : {}),
    ...(body.timeoutMs != null ? { timeoutMs: body.timeoutMs } : {}),
    ...(body.retries != null ? { retries: body.retries } : {}),
    ...(body.match != null ? { match: body.match } : {}),
    ...(body.dataset != null ? { dataset: body.dataset } : {})
  }
}
