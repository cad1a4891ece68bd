import { createServer } from 'node:http'
import { HttpError, sendJson } from './http.js'
import { routes } from './routes.js'
import type { GridNode } from '@grid-node/core'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ApiServer {
  /** `http://host:port` */
  readonly url: string
  close(): Promise<void>
}

export interface ApiServerInit {
  host: string
  port: number
  /** Required as `Authorization: Bearer <token>` when set (the API listens beyond loopback). */
  token?: string
}

/**
 * The node's local control plane: JSON over HTTP, the old gateway's routes included.
 * Errors are JSON `{ "error": "…" }` with a 4xx/5xx status; a handler failure never
 * reaches the node.
 */
export async function startApiServer (node: GridNode, init: ApiServerInit): Promise<ApiServer> {
  const server = createServer((req, res) => {
    void handle(node, init, req, res)
  })
  await listen(server, init)
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  }
}

async function handle (node: GridNode, init: ApiServerInit, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (init.token != null && req.headers.authorization !== `Bearer ${init.token}`) {
      throw new HttpError(401, 'this API needs "Authorization: Bearer <token>"; the token is in the node\'s data dir, file api-token')
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const matching = routes.filter(r => r.pattern.test(path))
    if (matching.length === 0) throw new HttpError(404, `no such endpoint: ${path}`)
    const route = matching.find(r => r.method === req.method)
    if (route == null) throw new HttpError(405, `${req.method ?? '?'} is not allowed on ${path}; use ${matching.map(r => r.method).join(' or ')}`)
    const params = route.pattern.exec(path)?.slice(1) ?? []
    const body = await route.handler(node, req, params, res)
    if (body !== undefined) sendJson(res, 200, body)
  } catch (err: any) {
    const status = err instanceof HttpError ? err.status : statusOf(err)
    if (!res.headersSent) sendJson(res, status, { error: String(err.message ?? err) })
    else res.destroy()
  }
}

/** Errors of the core library that are the caller's doing, by name. */
const CLIENT_ERRORS: Record<string, number> = {
  TagInvalidError: 400,
  DatasetInvalidError: 400,
  DatasetParseError: 400,
  DatasetFileError: 400,
  InvalidMultiaddrError: 400,
  InvalidPeerIdError: 400,
  DatasetNotFoundError: 404,
  DatasetExistsError: 409
}

function statusOf (err: any): number {
  return CLIENT_ERRORS[err?.name] ?? 500
}

async function listen (server: Server, init: ApiServerInit): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.port, init.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
