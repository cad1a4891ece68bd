import { createServer } from 'node:http'
import { ApprovalLimitError, ApprovalNotFoundError, BusyError, CodeCidInvalidError, DatasetExistsError, DatasetFileError, DatasetInvalidError, DatasetNotFoundError, DatasetParseError, DatasetTooLargeError, FederateRoundError, InvalidMultiaddrError, MessageTooLargeError, NoFileSystemError, PlatformUnsupportedError, PublishRateError, SearchInvalidError, SubscriptionLimitError, TagInvalidError, TopicInvalidError } from '@grid-node/core'
import { InvalidPeerIdError } from '@libp2p/interface'
import { answerClientErrors } from './client-errors.js'
import * as c from './constants.js'
import { HttpError, MethodNotAllowedError, NotFoundError, TooManyHeadersError, UrlTooLongError } from './errors.js'
import { sendJson } from './http.js'
import { requestGuard } from './request-guard.js'
import { routes } from './routes.js'
import { isPagePath, servePage } from '../status-page/serve-page.js'
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
 * Closed to web pages (see request-guard.ts), bounded in time, size and connections (see
 * constants.ts). Errors are JSON `{ "error": "…" }` with a 4xx/5xx status; a handler failure
 * never reaches the node.
 */
export async function startApiServer (node: GridNode, init: ApiServerInit): Promise<ApiServer> {
  const server = createServer({
    maxHeaderSize: c.MAX_HEADER_BYTES,
    headersTimeout: c.HEADERS_TIMEOUT,
    requestTimeout: c.REQUEST_TIMEOUT,
    keepAliveTimeout: c.KEEP_ALIVE_TIMEOUT,
    connectionsCheckingInterval: c.CONNECTIONS_CHECKING_INTERVAL
  })
  server.maxHeadersCount = c.MAX_HEADERS_COUNT
  server.maxConnections = c.MAX_CONNECTIONS
  answerClientErrors(server)
  await listen(server, init)
  const address = server.address() as AddressInfo
  const guard = requestGuard({ host: init.host, port: address.port, ...(init.token != null ? { token: init.token } : {}) })
  server.on('request', (req: IncomingMessage, res: ServerResponse) => { void handle(node, guard, req, res) })
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  }
}

async function handle (node: GridNode, guard: (req: IncomingMessage) => void, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = req.url ?? '/'
    if (url.length > c.MAX_URL_BYTES) throw new UrlTooLongError(c.MAX_URL_BYTES)
    // Node drops headers past the count silently: refuse rather than judge a request by part of them
    if (req.rawHeaders.length / 2 >= c.MAX_HEADERS_COUNT) throw new TooManyHeadersError(c.MAX_HEADERS_COUNT)
    const path = new URL(url, 'http://localhost').pathname
    // the status page's files hold no data and a browser opening a URL sends no token; what the page fetches is guarded
    if (isPagePath(path)) return await servePage(req, res, path)
    guard(req)
    const matching = routes.filter(r => r.pattern.test(path))
    if (matching.length === 0) throw new NotFoundError(path)
    const route = matching.find(r => r.method === req.method)
    if (route == null) throw new MethodNotAllowedError(req.method ?? '?', path, matching.map(r => r.method))
    const params = route.pattern.exec(path)?.slice(1) ?? []
    const body = await route.handler(node, req, params, res)
    if (body !== undefined) sendJson(res, 200, body)
  } catch (err: any) {
    if (!res.headersSent) sendJson(res, statusOf(err), errorBody(err))
    else res.destroy()
  }
}

/** Errors of the core library that are the caller's doing, by name. */
const CLIENT_ERRORS: Record<string, number> = {
  [TagInvalidError.name]: 400,
  [DatasetInvalidError.name]: 400,
  [DatasetParseError.name]: 400,
  [DatasetFileError.name]: 400,
  [SearchInvalidError.name]: 400,
  [FederateRoundError.name]: 400,
  [NoFileSystemError.name]: 400,
  [InvalidMultiaddrError.name]: 400,
  [InvalidPeerIdError.name]: 400,
  [PlatformUnsupportedError.name]: 400,
  [DatasetNotFoundError.name]: 404,
  [CodeCidInvalidError.name]: 400,
  [ApprovalNotFoundError.name]: 404,
  [ApprovalLimitError.name]: 409,
  [DatasetExistsError.name]: 409,
  [DatasetTooLargeError.name]: 413,
  [TopicInvalidError.name]: 400,
  [MessageTooLargeError.name]: 413,
  [PublishRateError.name]: 429,
  [BusyError.name]: 503,
  [SubscriptionLimitError.name]: 503
}

/**
 * `{ "error": message }`, plus `"name"` for a core error that is the caller's doing (such as
 * TagInvalidError), so a client can tell a bad tag from a bad file without reading the text.
 */
function errorBody (err: any): { error: string, name?: string } {
  const name = isClientError(err) ? err.name as string : undefined
  return { error: String(err?.message ?? err), ...(name != null ? { name } : {}) }
}

function statusOf (err: any): number {
  if (err instanceof HttpError) return err.status
  return isClientError(err) ? CLIENT_ERRORS[err.name] ?? 500 : 500
}

function isClientError (err: any): boolean {
  return typeof err?.name === 'string' && Object.hasOwn(CLIENT_ERRORS, err.name)
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
