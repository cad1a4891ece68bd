/**
 * The request guard (src/api/request-guard.ts) through the server, as a web page or a confused
 * client would reach it: Origin, Sec-Fetch-Site and Host are checked before any route runs,
 * and a token lets any Host in. The server's own limits are in api.spec.ts.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { startApiServer } from '../src/api/server.js'
import { rawHttp } from './helpers/raw-http.js'
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
    ['a foreign site', 'https://evil.example'],
    ['the same host on another port', 'http://127.0.0.1:1'],
    ['a sandboxed page', 'null']
  ])('an Origin of %s is refused with 403 on POST and GET', async (_what, origin) => {
    const { node, port } = await serve()
    const post = await rawHttp(port, { method: 'POST', path: '/join', headers: { 'content-type': 'application/json', origin }, body: join })
    expect(post.status).toBe(403)
    expect(post.body.error).toMatch(/web pages/)
    expect((await rawHttp(port, { path: '/health-check', headers: { origin } })).status).toBe(403)
    expect(node.joined).toEqual([])
  })

  it('the API\'s own origin is served, in each of its loopback names', async () => {
    const { port } = await serve()
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      const reply = await rawHttp(port, { path: '/health-check', headers: { host: `${host}:${port}`, origin: `http://${host}:${port}`, 'sec-fetch-site': 'same-origin' } })
      expect(reply.status, host).toBe(200)
    }
  })

  it.each(['cross-site', 'same-site'])('Sec-Fetch-Site: %s is refused with 403, even on a GET', async (site) => {
    const { port } = await serve()
    const reply = await rawHttp(port, { path: '/health-check', headers: { 'sec-fetch-site': site } })
    expect(reply.status).toBe(403)
    expect(reply.body.error).toMatch(new RegExp(`a ${site} request from a web page is refused`))
  })

  it('Sec-Fetch-Site: none (an address typed by the user) is served', async () => {
    const { port } = await serve()
    expect((await rawHttp(port, { path: '/health-check', headers: { 'sec-fetch-site': 'none' } })).status).toBe(200)
  })

  it.each([
    ['another name', 'evil.example'],
    ['the right name on another port', '127.0.0.1:1'],
    ['a rebinding name on the right port', 'evil.example:PORT']
  ])('Host of %s is refused with 403 (DNS rebinding)', async (_what, host) => {
    const { node, port } = await serve()
    const headers = { host: host.replace('PORT', String(port)), 'content-type': 'application/json' }
    const reply = await rawHttp(port, { method: 'POST', path: '/join', headers, body: join })
    expect(reply.status).toBe(403)
    expect(reply.body.error).toContain(`send Host: 127.0.0.1:${port}`)
    expect(node.joined).toEqual([])
  })

  it('bound beyond loopback, the bound address is a valid Host without the token, and any Host with it', async () => {
    const { port } = await serve({ host: '0.0.0.0', token: 's3cret' })
    const authorization = 'Bearer s3cret'
    expect((await rawHttp(port, { path: '/health-check', headers: { host: `0.0.0.0:${port}` } })).status).toBe(401)
    expect((await rawHttp(port, { path: '/health-check', headers: { host: `grid.example:${port}`, authorization } })).status).toBe(200)
    expect((await rawHttp(port, { path: '/health-check', headers: { host: `grid.example:${port}`, authorization, origin: `http://grid.example:${port}` } })).status).toBe(200)
    expect((await rawHttp(port, { path: '/health-check', headers: { host: `grid.example:${port}`, authorization, origin: 'http://evil.example' } })).status).toBe(403)
    expect((await rawHttp(port, { path: '/health-check', headers: { host: `grid.example:${port}`, authorization, 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
  })
})
