import { abortOnClose, readJsonBody } from './http.js'
import { writeNdjson } from './ndjson.js'
import { RunBody } from './schemas.js'
import { runInitOf } from './shapes.js'
import type { Route } from './route.js'
import type { GridNode } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

export const runRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/run$/, handler: postRun }
]

/**
 * `POST /v1/run {"code","tags"?,"peers"?,"args"?,"timeoutMs"?,"retries"?,"allowLocal"?,"match"?,"dataset"?}`:
 * every event of every job as NDJSON (RunAnswer), as it happens. Closing the request cancels the jobs.
 */
async function postRun (node: GridNode, req: IncomingMessage, _params: string[], res: ServerResponse): Promise<undefined> {
  const init = runInitOf(await readJsonBody(req, RunBody))
  // bad tags surface with the first event, before the 200
  await writeNdjson(res, node.run({ ...init, signal: abortOnClose(res) }))
  return undefined
}
