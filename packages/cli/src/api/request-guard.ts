/**
 * What closes the API to web pages: a browser on any site can reach 127.0.0.1, but it always
 * says where the request comes from. Refused, before any route runs:
 * - a wrong or missing bearer token, when the API has one (it listens beyond loopback);
 * - a Host that is not the API's own address (DNS rebinding), unless the token is valid;
 * - `Sec-Fetch-Site: cross-site` or `same-site` (browsers send it on every request, images included);
 * - an `Origin` other than the API's own (a page served by the API itself keeps working).
 * Non-browser clients (the CLI, curl, scripts) send neither Origin nor Sec-Fetch-Site.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { CrossSiteRefusedError, HostRefusedError, OriginRefusedError, TokenRequiredError } from './errors.js'
import type { IncomingMessage } from 'node:http'

export interface RequestGuardInit {
  /** The address the server is bound to, as given to listen(). */
  host: string
  /** The port it listens on. */
  port: number
  /** Required as `Authorization: Bearer <token>` when set. */
  token?: string
}

/** Returns a check that throws the HttpError a request earns, or returns when it may go on. */
export function requestGuard (init: RequestGuardInit): (req: IncomingMessage) => void {
  const hosts = allowedHosts(init.host, init.port)
  const token = init.token != null ? digest(`Bearer ${init.token}`) : undefined
  return (req) => {
    const authorized = token != null && timingSafeEqual(digest(req.headers.authorization ?? ''), token)
    if (token != null && !authorized) throw new TokenRequiredError()
    const host = req.headers.host?.toLowerCase()
    if (!authorized && (host == null || !hosts.has(host))) throw new HostRefusedError(host ?? '', [...hosts])
    const site = req.headers['sec-fetch-site']
    if (site === 'cross-site' || site === 'same-site') throw new CrossSiteRefusedError(site)
    const origin = req.headers.origin
    if (origin != null && !sameOrigin(origin, hosts, authorized ? host : undefined)) throw new OriginRefusedError(origin)
  }
}

/** `host:port` forms a browser or client sends for this API: loopback's three names, and the bound address. */
export function allowedHosts (bound: string, port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]', bound.includes(':') ? `[${bound}]` : bound]
  const hosts = new Set(names.map(n => `${n.toLowerCase()}:${port}`))
  // a browser leaves out the scheme's default port
  if (port === 80) for (const n of names) hosts.add(n.toLowerCase())
  return hosts
}

function sameOrigin (origin: string, hosts: Set<string>, authorizedHost: string | undefined): boolean {
  const text = origin.toLowerCase()
  if (!text.startsWith('http://')) return false
  const host = text.slice('http://'.length)
  return hosts.has(host) || host === authorizedHost
}

/** Fixed-length digests, so comparing tokens takes the same time whatever was sent. */
function digest (text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
