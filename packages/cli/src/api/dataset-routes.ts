import { PathInvalidError } from './errors.js'
import { readJsonBody } from './http.js'
import { AddDatasetBody } from './schemas.js'
import type { Route } from './routes.js'
import type { AddDatasetInit, GridNode } from '@grid-node/core'
import type { IncomingMessage } from 'node:http'

export const datasetRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/datasets$/, handler: async (node) => node.datasets.list() },
  { method: 'POST', pattern: /^\/v1\/datasets$/, handler: add },
  { method: 'DELETE', pattern: /^\/v1\/datasets\/([^/]+)$/, handler: remove }
]

/** `DELETE /v1/datasets/<URL-encoded name>` */
async function remove (node: GridNode, _req: IncomingMessage, [encoded]: string[]): Promise<unknown> {
  const name = decodedName(encoded ?? '')
  return node.datasets.remove(name)
}

function decodedName (text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new PathInvalidError(`"${text.slice(0, 80)}" is not a URL-encoded dataset name`)
  }
}

/** `POST /v1/datasets {"path":"/abs/cars.csv","tags":["#cars"],"name"?,"description"?,"private"?,"allow"?}` (or `rows`). */
async function add (node: GridNode, req: IncomingMessage): Promise<unknown> {
  const body = await readJsonBody(req, AddDatasetBody)
  const init: AddDatasetInit = {
    tags: body.tags,
    private: body.private === true,
    ...(body.allow != null ? { allow: body.allow } : {}),
    ...(body.path != null ? { path: body.path } : {}),
    ...(body.rows != null ? { rows: body.rows } : {}),
    ...(body.name != null ? { name: body.name } : {}),
    ...(body.description != null ? { description: body.description } : {})
  }
  return node.datasets.add(init)
}
