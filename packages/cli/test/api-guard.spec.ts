/**
 * The local API against a fake GridNode, as a web page or a confused client would reach it:
 * Content-Type, Origin, Sec-Fetch-Site and Host are checked before any route runs, oversized
 * URLs and header floods get a status and a JSON error instead of a reset.
 */
import { request } from 'node:http'
import { connect } from 'node:net'
import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_HEADERS_COUNT, MAX_URL_BYTES } from '../src/api/constants.js'
import { startApiServer } from '../src/api/server.js'
import type { ApiServer } from '../src/api/server.js'
import type { GridNode } from '@grid-node/core'
import type { Multiaddr } from '@multiformats/multiaddr'

const SELF = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const OTHER = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'

function fakeNode (): GridNode & { joined: Multiaddr[] } {
  const joined: Multiaddr[] = []
  return {
    joined,
    status: () => ({ peerId: peerIdFromString(SELF), network: 'main', ready: true, addrs: [], peers: 0, routingTableSize: 0, uptimeMs: 1 }),
    join: async (target: Multiaddr) => { joined.push(target); return peerIdFromString(OTHER) }
  } as unknown as GridNode & { joined: Multiaddr[] }
}

interface Reply { status: number, body: any }

/** node:http, because fetch will not set Host or some other headers. */
async function raw (port: number, init: { method?: string, path: string, headers?: Record<string, string>, body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: init.method ?? 'GET', path: init.path, headers: init.headers ?? {} }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { text += d })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }) })
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

describe('the local HTTP API, closed to web pages', () => {
  let server: ApiServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const serve = async (init: { host?: string, token?: string } = {}): Promise<{ node: ReturnType<typeof fakeNode>, port: number }> => {
    const node = fakeNode()
    server = await startApiServer(node, { host: init.host ?? '127.0.0.1', port: 0, ...(init.token != null ? { token: init.token } : {}) })
    return { node, port: Number(new URL(server.url).port) }
  }
  const join = JSON.stringify({ 'node-address': '/ip4/127.0.0.1/tcp/9' })

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['no Content-Type', undefined]
  ])('a JSON body sent as %s is refused with 415 saying what to send, and nothing is dialled', async (_what, type) => {
    const { node, port } = await serve()
    const reply = await raw(port, { method: 'POST', path: '/join', headers: type != null ? { 'content-type': type } : {}, body: join })
    expect(reply.status).toBe(415)
    expect(reply.body.error).toMatch(/Content-Type: application\/json/)
    expect(node.joined).toEqual([])
  })

  it('takes application/json with a charset', async () => {
    const { node, port } = await serve()
    expect((await raw(port, { method: 'POST', path: '/join', headers: { 'content-type': 'Application/JSON; charset=utf-8' }, body: join })).status).toBe(200)
    expect(node.joined).toHaveLength(1)
  })

  it.each([
    ['a foreign site', 'https://evil.example'],
    ['the same host on another port', 'http://127.0.0.1:1'],
    ['a sandboxed page', 'null']
  ])('an Origin of %s is refused with 403 on POST and GET', async (_what, origin) => {
    const { node, port } = await serve()
    const post = await raw(port, { method: 'POST', path: '/join', headers: { 'content-type': 'application/json', origin }, body: join })
    expect(post.status).toBe(403)
    expect(post.body.error).toMatch(/web pages/)
    expect((await raw(port, { path: '/health-check', headers: { origin } })).status).toBe(403)
    expect(node.joined).toEqual([])
  })

  it('the API\'s own origin is served, in each of its loopback names', async () => {
    const { port } = await serve()
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      const reply = await raw(port, { path: '/health-check', headers: { host: `${host}:${port}`, origin: `http://${host}:${port}`, 'sec-fetch-site': 'same-origin' } })
      expect(reply.status, host).toBe(200)
    }
  })

  it.each(['cross-site', 'same-site'])('Sec-Fetch-Site: %s is refused with 403, even on a GET', async (site) => {
    const { port } = await serve()
    const reply = await raw(port, { path: '/health-check', headers: { 'sec-fetch-site': site } })
    expect(reply.status).toBe(403)
    expect(reply.body.error).toMatch(new RegExp(`a ${site} request from a web page is refused`))
  })

  it('Sec-Fetch-Site: none (an address typed by the user) is served', async () => {
    const { port } = await serve()
    expect((await raw(port, { path: '/health-check', headers: { 'sec-fetch-site': 'none' } })).status).toBe(200)
  })

  it.each([
    ['another name', 'evil.example'],
    ['the right name on another port', '127.0.0.1:1'],
    ['a rebinding name on the right port', 'evil.example:PORT']
  ])('Host of %s is refused with 403 (DNS rebinding)', async (_what, host) => {
    const { node, port } = await serve()
    const headers = { host: host.replace('PORT', String(port)), 'content-type': 'application/json' }
    const reply = await raw(port, { method: 'POST', path: '/join', headers, body: join })
    expect(reply.status).toBe(403)
    expect(reply.body.error).toContain(`send Host: 127.0.0.1:${port}`)
    expect(node.joined).toEqual([])
  })

  it('bound beyond loopback, the bound address is a valid Host without the token, and any Host with it', async () => {
    const { port } = await serve({ host: '0.0.0.0', token: 's3cret' })
    const authorization = 'Bearer s3cret'
    expect((await raw(port, { path: '/health-check', headers: { host: `0.0.0.0:${port}` } })).status).toBe(401)
    expect((await raw(port, { path: '/health-check', headers: { host: `grid.example:${port}`, authorization } })).status).toBe(200)
    expect((await raw(port, { path: '/health-check', headers: { host: `grid.example:${port}`, authorization, origin: `http://grid.example:${port}` } })).status).toBe(200)
    expect((await raw(port, { path: '/health-check', headers: { host: `grid.example:${port}`, authorization, origin: 'http://evil.example' } })).status).toBe(403)
    expect((await raw(port, { path: '/health-check', headers: { host: `grid.example:${port}`, authorization, 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
  })

  it('a URL over the bound gets 414 from the route table; one past the header limit gets 414 from the parser, not a reset', async () => {
    const { port } = await serve()
    const long = await raw(port, { method: 'DELETE', path: `/v1/datasets/${'a'.repeat(MAX_URL_BYTES)}` })
    expect(long.status).toBe(414)
    expect(long.body.error).toMatch(/send long values in a JSON body/)
    const huge = await raw(port, { method: 'DELETE', path: `/v1/datasets/${'a'.repeat(100_000)}` })
    expect(huge.status).toBe(414)
    expect(huge.body.error).toMatch(/URL is longer than/)
    expect((await raw(port, { path: '/health-check' })).status).toBe(200)
  })

  it('headers over 16 KiB get 431 in JSON', async () => {
    const { port } = await serve()
    const reply = await raw(port, { path: '/health-check', headers: { 'x-big': 'b'.repeat(20_000) } })
    expect(reply.status).toBe(431)
    expect(reply.body.error).toMatch(/send fewer or shorter headers/)
  })

  it('64 headers or more get 431, so no check ever sees only some of them', async () => {
    const { port } = await serve()
    const many = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, '1']))
    // node:http adds Host and Connection
    expect((await raw(port, { path: '/health-check', headers: many(MAX_HEADERS_COUNT - 3) })).status).toBe(200)
    const reply = await raw(port, { path: '/health-check', headers: many(MAX_HEADERS_COUNT) })
    expect(reply.status).toBe(431)
    expect(reply.body.error).toMatch(/send fewer/)
  })

  it('a malformed request gets 400 in JSON, then the connection is closed', async () => {
    const { port } = await serve()
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => { socket.write('GET /health-check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n') })
      let text = ''
      socket.setEncoding('utf8')
      socket.on('data', (d: string) => { text += d })
      socket.on('close', () => { resolve(text) })
      socket.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error).toMatch(/malformed HTTP request \(HPE_/)
    expect((await raw(port, { path: '/health-check' })).status).toBe(200)
  })

  it('a body nested 5,000 deep is a 400 naming the field, and the server keeps serving', async () => {
    const { port } = await serve()
    const body = `{"node-address":"/ip4/127.0.0.1/tcp/9","node-id":${'['.repeat(5_000)}${']'.repeat(5_000)}}`
    const reply = await raw(port, { method: 'POST', path: '/join', headers: { 'content-type': 'application/json' }, body })
    expect(reply.status).toBe(400)
    expect(reply.body.error).toBe('"node-id" nests deeper than 64 levels of arrays and objects')
    expect((await raw(port, { path: '/health-check' })).status).toBe(200)
  })
})
