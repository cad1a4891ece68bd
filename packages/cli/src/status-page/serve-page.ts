/**
 * `GET /` and `/status-page/*`: the status page, served before the API's request guard. Its files
 * hold no data (a browser opening a URL cannot send a bearer token), while every request the page
 * makes for data goes through the guard like any other client's. A strict Content-Security-Policy
 * lets the page load only its own scripts and style and talk only to its own origin; it may not
 * be framed, and other sites may not load its files.
 */
import { CrossSiteRefusedError, MethodNotAllowedError, NotFoundError } from '../api/errors.js'
import { PAGE_PREFIX, pageFile } from './page-files.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

const HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // file names are not versioned: the browser keeps a copy but asks (If-None-Match) before using it
  'cache-control': 'no-cache'
}

/** Whether a URL path is the page's: `/`, or anything under `/status-page/` (an unknown one is a 404). */
export function isPagePath (path: string): boolean {
  return path === '/' || path.startsWith(PAGE_PREFIX)
}

export async function servePage (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(req.method ?? '?', path, ['GET', 'HEAD'])
  // opening the page from a link on another site is fine; another site loading its scripts is not
  const site = req.headers['sec-fetch-site']
  if ((site === 'cross-site' || site === 'same-site') && req.headers['sec-fetch-mode'] !== 'navigate') throw new CrossSiteRefusedError(site)
  const file = await pageFile(path)
  if (file == null) throw new NotFoundError(path)
  const headers = { ...HEADERS, 'content-type': file.type, etag: file.etag }
  if (matches(req.headers['if-none-match'], file.etag)) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, 'content-length': file.body.length })
  res.end(req.method === 'HEAD' ? undefined : file.body)
}

function matches (ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch == null) return false
  return ifNoneMatch.split(',').some(tag => { const t = tag.trim(); return t === '*' || t === etag || t === `W/${etag}` })
}
