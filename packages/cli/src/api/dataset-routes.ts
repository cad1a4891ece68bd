import { HttpError, readJsonObject } from './http.js'
import type { Route } from './routes.js'
import type { AddDatasetInit, GridNode } from '@grid-node/core'
import type { IncomingMessage } from 'node:http'

export const datasetRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/datasets$/, handler: async (node) => node.datasets.list() },
  { method: 'POST', pattern: /^\/v1\/datasets$/, handler: add },
  { method: 'DELETE', pattern: /^\/v1\/datasets\/([^/]+)$/, handler: async (node, _req, [name]) => { const decoded = decodedName(name ?? ''); return node.datasets.remove(decoded) } }
]

function decodedName (text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new HttpError(400, `"${text}" is not a URL-encoded dataset name`)
  }
}

/** `POST /v1/datasets {"path":"/abs/cars.csv","tags":["#cars"],"name"?,"description"?,"private"?}` (or `rows`). */
async function add (node: GridNode, req: IncomingMessage): Promise<unknown> {
  const body = await readJsonObject(req)
  const { path, rows, tags, name, description, allow } = body
  if (allow != null && (!Array.isArray(allow) || !allow.every(a => typeof a === 'string'))) throw new HttpError(400, '"allow" must be an array of peer IDs')
  if (!Array.isArray(tags) || !tags.every(t => typeof t === 'string')) throw new HttpError(400, '"tags" must be an array of strings, e.g. ["#cars"]')
  if (path != null && (typeof path !== 'string' || !path.startsWith('/'))) throw new HttpError(400, '"path" must be an absolute file path on the node\'s machine')
  if (name != null && typeof name !== 'string') throw new HttpError(400, '"name" must be a string')
  if (description != null && typeof description !== 'string') throw new HttpError(400, '"description" must be a string')
  const init: AddDatasetInit = {
    tags: tags as string[],
    private: body.private === true,
    ...(Array.isArray(allow) ? { allow: allow as string[] } : {}),
    ...(typeof path === 'string' ? { path } : {}),
    ...(rows != null ? { rows: rows as AddDatasetInit['rows'] } : {}),
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof description === 'string' ? { description } : {})
  }
  return node.datasets.add(init)
}
