import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { startApiServer } from '../src/api/server.js'
import type { ApiServer } from '../src/api/server.js'
import type { GridNode } from '@grid-node/core'
import type { Multiaddr } from '@multiformats/multiaddr'

const SELF = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const OTHER = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'

/** Just enough of a GridNode for the routes; records what join() was asked to dial. */
function fakeNode (): GridNode & { joined: Multiaddr[] } {
  const addr = multiaddr(`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`)
  const joined: Multiaddr[] = []
  return {
    joined,
    status: () => ({ peerId: peerIdFromString(SELF), network: 'main', ready: true, addrs: [addr], peers: 2, routingTableSize: 2, uptimeMs: 5 }),
    shareableAddrs: () => [addr],
    peers: async () => [{ peerId: peerIdFromString(OTHER), addr: multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${OTHER}`), direction: 'inbound' as const, rttMs: 1.5 }],
    join: async (target: string | Multiaddr) => {
      joined.push(multiaddr(target.toString()))
      if (target.toString().includes('/tcp/1/')) throw new Error('connection refused')
      return peerIdFromString(OTHER)
    },
    closestPeers: async () => [peerIdFromString(OTHER)],
    peerLiveness: () => [{ peerId: peerIdFromString(SELF), state: 'down', misses: 3, lastSeen: 5 }],
    searchAll: async (tags: string[]) => tags.includes('#mnist') ? [{ peerId: peerIdFromString(OTHER), addrs: [multiaddr('/ip4/127.0.0.1/tcp/9')], rttMs: 1, datasets: [] }] : []
  } as unknown as GridNode & { joined: Multiaddr[] }
}

describe('the local HTTP API', () => {
  let server: ApiServer | undefined
  afterEach(async () => { await server?.close() })

  const serve = async (token?: string): Promise<{ node: ReturnType<typeof fakeNode>, call: (path: string, init?: RequestInit) => Promise<{ status: number, body: any }> }> => {
    const node = fakeNode()
    server = await startApiServer(node, { host: '127.0.0.1', port: 0, ...(token != null ? { token } : {}) })
    const url = server.url
    return {
      node,
      call: async (path, init) => {
        const res = await fetch(`${url}${path}`, init)
        return { status: res.status, body: await res.json() }
      }
    }
  }
  const post = (body: string): RequestInit => ({ method: 'POST', body, headers: { 'content-type': 'application/json' } })

  it('GET /health-check answers in the old gateway shape', async () => {
    const { call } = await serve()
    expect(await call('/health-check')).toEqual({
      status: 200,
      body: { status: 'ok', ready: true, peerId: SELF, addrs: [`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`], peers: 2, network: 'main' }
    })
  })

  it('POST /join dials the address, appending node-id when the address has no /p2p/', async () => {
    const { call, node } = await serve()
    const res = await call('/join', post(JSON.stringify({ 'node-id': OTHER, 'node-address': '/ip4/127.0.0.1/tcp/9' })))
    expect(res).toEqual({ status: 200, body: { status: 'ok', 'node-id': OTHER, 'node-address': `/ip4/127.0.0.1/tcp/9/p2p/${OTHER}` } })
    expect(node.joined.map(String)).toEqual([`/ip4/127.0.0.1/tcp/9/p2p/${OTHER}`])
  })

  it.each([
    ['not JSON', '{', 400, /not valid JSON/],
    ['an array', '[]', 400, /must be a JSON object/],
    ['no address', '{}', 400, /"node-address" must be a multiaddr string/],
    ['a bad address', JSON.stringify({ 'node-address': 'nope' }), 400, /invalid node-address "nope"/],
    ['a bad node-id', JSON.stringify({ 'node-id': 'nope', 'node-address': '/ip4/127.0.0.1/tcp/9' }), 400, /"nope" is not a peer ID/],
    ['a contradicting node-id', JSON.stringify({ 'node-id': SELF, 'node-address': `/ip4/127.0.0.1/tcp/9/p2p/${OTHER}` }), 400, /does not match the \/p2p\/ peer ID/],
    ['an unreachable peer', JSON.stringify({ 'node-address': `/ip4/127.0.0.1/tcp/1/p2p/${OTHER}` }), 502, /connection refused/],
    ['a body over 64 KiB', JSON.stringify({ 'node-address': 'x'.repeat(70_000) }), 413, /larger than 65536 bytes/]
  ])('POST /join with %s → %i', async (_what, body, status, message) => {
    const { call } = await serve()
    const res = await call('/join', post(body))
    expect(res.status).toBe(status)
    expect(res.body.error).toMatch(message)
  })

  it('POST /search keeps the gateway shape and refuses a query that is not an array of strings', async () => {
    const { call } = await serve()
    expect(await call('/search', post(JSON.stringify({ query: ['#mnist'] })))).toEqual({ status: 200, body: { 'node-addresses': [[OTHER, '/ip4/127.0.0.1/tcp/9']] } })
    for (const query of ['#mnist', [], [1], null]) {
      expect((await call('/search', post(JSON.stringify({ query })))).status).toBe(400)
    }
  })

  it('answers unknown paths with 404 and wrong methods with 405, in JSON', async () => {
    const { call } = await serve()
    expect(await call('/nope')).toEqual({ status: 404, body: { error: 'no such endpoint: /nope' } })
    expect(await call('/join')).toEqual({ status: 405, body: { error: 'GET is not allowed on /join; use POST' } })
  })

  it('GET /v1/peers and /v1/closest-peers/<id>', async () => {
    const { call } = await serve()
    const connected = { peerId: OTHER, state: 'up', addr: `/ip4/127.0.0.1/tcp/9/p2p/${OTHER}`, direction: 'inbound', rttMs: 1.5, lastSeen: expect.any(Number) }
    // down and last seen long ago: listed only with ?all=1 (see api-peers-version.spec.ts)
    expect((await call('/v1/peers')).body).toEqual([connected])
    expect((await call('/v1/peers?all=1')).body).toEqual([
      connected,
      { peerId: SELF, state: 'down', addr: '', direction: '', rttMs: null, lastSeen: 5 }
    ])
    expect((await call(`/v1/closest-peers/${SELF}`)).body).toEqual([OTHER])
    expect((await call('/v1/closest-peers/xyz')).status).toBe(400)
  })

  it('with a token, refuses requests without it (401) and serves those with it', async () => {
    const { call } = await serve('s3cret')
    expect((await call('/health-check')).status).toBe(401)
    expect((await call('/health-check', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200)
  })
})
