/**
 * How the local API serves the status page (src/status-page/serve-page.ts): `/` and its files
 * with their types, a strict Content-Security-Policy and validators; served without the token
 * an API beyond loopback needs for everything else; GET and HEAD only; not loadable by other
 * sites, though a link from one opens it; unknown names stay 404 JSON. Over loopback, with a
 * node that is never asked anything.
 */
import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { startApiServer } from '../src/api/server.js'
import { CONTENT_SECURITY_POLICY } from '../src/status-page/serve-page.js'
import type { ApiServer } from '../src/api/server.js'
import type { GridNode } from '@grid-node/core'

const NODE = {} as unknown as GridNode

/** The status of a GET sent with exactly these headers (fetch sets its own Host and Sec-Fetch-Mode). */
async function statusOf (url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, res => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('error', reject)
    req.end()
  })
}

describe('the status page\'s files', () => {
  let server: ApiServer | undefined
  afterEach(async () => { await server?.close() })

  it('GET / is the page: HTML, a strict CSP, no framing, no sniffing, revalidated with its ETag', async () => {
    server = await startApiServer(NODE, { host: '127.0.0.1', port: 0 })
    const res = await fetch(`${server.url}/`)
    expect(res.status).toBe(200)
    expect(Object.fromEntries(['content-type', 'content-security-policy', 'x-content-type-options', 'x-frame-options', 'cache-control', 'cross-origin-resource-policy'].map(h => [h, res.headers.get(h)]))).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-cache',
      'cross-origin-resource-policy': 'same-origin'
    })
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; .*frame-ancestors 'none'$/)
    const html = await res.text()
    expect(html).toMatch(/^<!doctype html>/)
    // nothing from elsewhere: every URL in the page is its own
    expect(html.match(/(?:src|href)="[^"]*"/g)?.every(u => /="\/status-page\//.test(u))).toBe(true)
    const etag = res.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = await fetch(`${server.url}/`, { headers: { 'if-none-match': etag } })
    expect([again.status, await again.text()]).toEqual([304, ''])
    const head = await fetch(`${server.url}/`, { method: 'HEAD' })
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, String(Buffer.byteLength(html)), ''])
  })

  it('serves its style and icon with their types; unknown names, other paths and other methods are JSON errors', async () => {
    server = await startApiServer(NODE, { host: '127.0.0.1', port: 0 })
    const css = await fetch(`${server.url}/status-page/style.css`)
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8'])
    const icon = await fetch(`${server.url}/status-page/icon.svg`)
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml'])
    for (const path of ['/status-page/nope.js', '/status-page/../package.json', '/status-page/%2e%2e%2fpackage.json', '/status-page/index.html', '/index.html', '/nope']) {
      const res = await fetch(`${server.url}${path}`)
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 404, 'application/json; charset=utf-8'])
    }
    const post = await fetch(`${server.url}/`, { method: 'POST' })
    expect([post.status, await post.json()]).toEqual([405, { error: 'POST is not allowed on /; use GET or HEAD' }])
  })

  it('beyond loopback the page needs no token, and what it fetches does', async () => {
    server = await startApiServer(NODE, { host: '127.0.0.1', port: 0, token: 'sesame' })
    expect((await fetch(`${server.url}/`)).status).toBe(200)
    expect(await statusOf(`${server.url}/status-page/style.css`, { host: 'grid.example.org' })).toBe(200)
    expect((await fetch(`${server.url}/v1/status`)).status).toBe(401)
    expect((await fetch(`${server.url}/nope`)).status).toBe(401)
  })

  it('another site may link to the page but not load its files', async () => {
    server = await startApiServer(NODE, { host: '127.0.0.1', port: 0 })
    expect(await statusOf(`${server.url}/`, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).toBe(200)
    expect(await statusOf(`${server.url}/status-page/style.css`, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' })).toBe(403)
    expect(await statusOf(`${server.url}/status-page/main.js`, { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' })).toBe(403)
    expect(await statusOf(`${server.url}/status-page/style.css`, { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'no-cors' })).toBe(200)
  })
})
