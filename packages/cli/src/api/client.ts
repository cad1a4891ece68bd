import { ApiError, NodeNotRunningError, UsageError } from '../errors.js'
import { NDJSON_TYPE, readNdjson } from './ndjson.js'
import { readSse, SSE_TYPE } from './sse.js'
import type { SseItem } from './sse.js'

/** A status call answers in milliseconds; 10 s means the node is stuck or gone. */
const REQUEST_TIMEOUT = 10_000

export interface ApiClient {
  readonly url: string
  get<T>(path: string, options?: { timeoutMs?: number }): Promise<T>
  post<T>(path: string, body: unknown, options?: { timeoutMs?: number }): Promise<T>
  delete<T>(path: string): Promise<T>
  /**
   * A streaming GET (a POST with `body`): one parsed JSON value per NDJSON line, as the node sends
   * them. `timeoutMs` bounds the whole stream, or with `follow` only the wait for its headers.
   */
  lines<T>(path: string, options?: StreamOptions): AsyncGenerator<T>
  /**
   * A GET of Server-Sent Events: each event and comment as it arrives, for as long as the node
   * keeps the stream open or until `signal`; `timeoutMs` bounds only the wait for the answer's headers.
   */
  sse(path: string, options?: { timeoutMs?: number, signal?: AbortSignal }): AsyncGenerator<SseItem>
}

export interface StreamOptions { timeoutMs?: number, body?: unknown, signal?: AbortSignal, follow?: boolean }

/** `host:port`, `:port` or a URL → `http://host:port`. */
export function apiUrl (address: string): string {
  const text = address.trim()
  const withScheme = /^https?:\/\//i.test(text) ? text : `http://${text.startsWith(':') ? `127.0.0.1${text}` : text}`
  const invalid = new UsageError(`invalid --api "${address}": use host:port, e.g. 127.0.0.1:7402`)
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw invalid
  }
  // URL drops a scheme's default port (http://x:80 has port ''): read the port from the text
  const port = /:(\d+)\/?$/.exec(withScheme)?.[1]
  if (port == null || url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') throw invalid
  return `${url.protocol}//${url.hostname}:${Number(port)}`
}

/** The node's `{ "error", "name"? }` as an ApiError; `name` lets a bad tag exit 2 here too. */
function apiError (status: number, payload: any): ApiError {
  const name = typeof payload?.name === 'string' ? payload.name : undefined
  return new ApiError(status, String(payload?.error ?? `HTTP ${status}`), name)
}

/** A client of the node's API at `url` (`http://host:port`), sending `token` as its bearer token when given. */
export function apiClient (url: string, token: string | undefined): ApiClient {
  const send = async (method: string, path: string, body: unknown, signal: AbortSignal, accept?: string): Promise<Response> => fetch(`${url}${path}`, {
    method,
    headers: {
      ...(accept != null ? { accept } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token != null ? { authorization: `Bearer ${token}` } : {})
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal
  })
  const request = async <T>(method: string, path: string, body: unknown, timeoutMs = REQUEST_TIMEOUT): Promise<T> => {
    let res: Response
    try {
      res = await send(method, path, body, AbortSignal.timeout(timeoutMs))
    } catch (err: any) {
      if (err.name === 'TimeoutError') throw new ApiError(504, `the node at ${url} did not answer within ${timeoutMs} ms`)
      throw new NodeNotRunningError(url)
    }
    const payload: any = await res.json().catch(() => ({}))
    if (!res.ok) throw apiError(res.status, payload)
    return payload as T
  }
  /**
   * A streaming answer's body, unread. `timeoutMs` bounds the whole stream, or with `follow` only
   * the wait for its headers (the stream then lasts as long as the node sends); the caller's
   * signal (Ctrl-C, SIGTERM) ends the request: the node sees it close and cancels what it started.
   */
  const stream = async (path: string, accept: string, options: StreamOptions): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> => {
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT
    const answered = new AbortController()
    const timer = options.follow === true ? setTimeout(() => { answered.abort() }, timeoutMs) : undefined
    const deadline = options.follow === true ? answered.signal : AbortSignal.timeout(timeoutMs)
    let res: Response
    try {
      res = await send(options.body !== undefined ? 'POST' : 'GET', path, options.body, AbortSignal.any([deadline, ...(options.signal != null ? [options.signal] : [])]), accept)
    } catch (err) {
      if (options.signal?.aborted === true) throw err
      if (answered.signal.aborted) throw new ApiError(504, `the node at ${url} did not answer within ${timeoutMs} ms`)
      throw new NodeNotRunningError(url)
    } finally {
      clearTimeout(timer)
    }
    if (!res.ok || res.body == null) {
      const payload: any = await res.json().catch(() => ({}))
      throw apiError(res.status, payload)
    }
    return res.body
  }
  return {
    url,
    get: async (path, options = {}) => request('GET', path, undefined, options.timeoutMs),
    post: async (path, body, options = {}) => request('POST', path, body, options.timeoutMs),
    delete: async (path) => request('DELETE', path, undefined),
    lines: async function * <T>(path: string, options: StreamOptions = {}): AsyncGenerator<T> {
      yield * readNdjson<T>(await stream(path, NDJSON_TYPE, options))
    },
    sse: async function * (path: string, options: { timeoutMs?: number, signal?: AbortSignal } = {}): AsyncGenerator<SseItem> {
      yield * readSse(await stream(path, SSE_TYPE, { ...options, follow: true }))
    }
  }
}
