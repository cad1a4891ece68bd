import { PathInvalidError } from './errors.js'
import { readJsonBody } from './http.js'
import { AddDatasetBody } from './schemas.js'
import { addDatasetInitOf } from './shapes.js'
import type { Route } from './route.js'
import type { DatasetAnswer } from './shapes.js'
import type { GridNode } from '@grid-node/core'
import type { IncomingMessage } from 'node:http'

export const datasetRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/datasets$/, handler: async (node) => node.datasets.list() },
  { method: 'POST', pattern: /^\/v1\/datasets$/, handler: add },
  { method: 'DELETE', pattern: /^\/v1\/datasets\/([^/]+)$/, handler: remove }
]

/** `DELETE /v1/datasets/<URL-encoded name>` */
async function remove (node: GridNode, _req: IncomingMessage, [encoded]: string[]): Promise<DatasetAnswer> {
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
async function add (node: GridNode, req: IncomingMessage): Promise<DatasetAnswer> {
  return node.datasets.add(addDatasetInitOf(await readJsonBody(req, AddDatasetBody)))
}
