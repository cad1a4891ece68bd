/**
 * The HTTP API against a fake GridNode, over loopback on port 0, beyond api.spec.ts: the body
 * limit on both sides of 64 KiB and for a streamed body with no Content-Length, that a refused
 * /join never dials, methods, paths and tokens, and how a handler's failure becomes a status.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES } from '../src/api/constants.js'
import { startApiServer } from '../src/api/server.js'
import type { ApiServer } from '../src/api/server.js'
import type { GridNode } from '@grid-node/core'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const SELF = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const OTHER = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'

interface FakeNode {
  joined: Multiaddr[]
  closestAsked: string[]
  /** what closestPeers() does: answer, or throw */
  closest: (key: PeerId) => Promise<PeerId[]>
}

const LAN_POLICY = { setting: 'auto', mode: 'lan', reason: 'every address of this node, its bootstrap list and its peers is private or loopback (one host or one LAN)' }

function fakeNode (): GridNode & FakeNode {
  const addr = multiaddr(`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`)
  const fake: FakeNode = {
    joined: [],
    closestAsked: [],
    closest: async () => [peerIdFromString(OTHER)]
  }
  return Object.assign(fake, {
    status: () => ({ peerId: peerIdFromString(SELF), network: 'lab', ready: false, addrs: [addr, multiaddr('/ip4/192.168.1.5/tcp/7400')], peers: 0, routingTableSize: 0, uptimeMs: 42, addressPolicy: LAN_POLICY }),
    shareableAddrs: () => [addr],
    peers: async () => [],
    peerLiveness: () => [],
    join: async (target: string | Multiaddr) => {
      fake.joined.push(multiaddr(target.toString()))
      return peerIdFromString(OTHER)
    },
    closestPeers: async (key: PeerId) => {
      fake.closestAsked.push(key.toString())
      return fake.closest(key)
    }
  }) as unknown as GridNode & FakeNode
}

interface Reply { status: number, type: string | null, body: any }

describe('the local HTTP API, edges', () => {
  let server: ApiServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const serve = async (token?: string): Promise<{ node: GridNode & FakeNode, url: string, call: (path: string, init?: RequestInit) => Promise<Reply> }> => {
    const node = fakeNode()
    server = await startApiServer(node, { host: '127.0.0.1', port: 0, ...(token != null ? { token } : {}) })
    const url = server.url
    return {
      node,
      url,
      call: async (path, init) => {
        const res = await fetch(`${url}${path}`, init)
        const text = await res.text()
        return { status: res.status, type: res.headers.get('content-type'), body: text === '' ? undefined : JSON.parse(text) }
      }
    }
  }
  const post = (body: string): RequestInit => ({ method: 'POST', body, headers: { 'content-type': 'application/json' } })
  const joinBody = (fields: Record<string, unknown>): RequestInit => post(JSON.stringify(fields))

  it('listens where it says, on a free port', async () => {
    const { url } = await serve()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(url).not.toMatch(/:0$/)
  })

  it('GET /health-check: the gateway shape, as JSON, query string ignored', async () => {
    const { call } = await serve()
    const reply = await call('/health-check?verbose=1')
    expect(reply.status).toBe(200)
    expect(reply.type).toMatch(/^application\/json/)
    expect(reply.body).toStrictEqual({
      status: 'ok',
      ready: false,
      peerId: SELF,
      addrs: [`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`, '/ip4/192.168.1.5/tcp/7400'],
      peers: 0,
      network: 'lab'
    })
  })

  it('GET /v1/status adds what a person needs to share the node', async () => {
    const { call } = await serve()
    expect((await call('/v1/status')).body).toStrictEqual({
      peerId: SELF,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      network: 'lab',
      ready: false,
      addrs: [`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`, '/ip4/192.168.1.5/tcp/7400'],
      shareableAddrs: [`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`],
      peers: 0,
      routingTableSize: 0,
      uptimeMs: 42,
      addressPolicy: LAN_POLICY,
      addressWarning: null
    })
  })

  it('an address warning shows in /health-check (its message) and /v1/status (code and message)', async () => {
    const { node, call } = await serve()
    const addressWarning = { code: 'private-only', message: 'every address this node announces is private or loopback (…)' }
    const plain = node.status.bind(node)
    node.status = () => ({ ...plain(), addressWarning }) as ReturnType<GridNode['status']>
    expect((await call('/health-check')).body).toMatchObject({ status: 'ok', addressWarning: addressWarning.message })
    expect((await call('/v1/status')).body).toMatchObject({ addressWarning })
  })

  describe('POST /join', () => {
    it('a body of exactly 64 KiB is read; one byte more is 413', async () => {
      const { call, node } = await serve()
      // padded with JSON whitespace: an unknown field would be refused
      const sized = (bytes: number): string => {
        const base = JSON.stringify({ 'node-address': '/ip4/127.0.0.1/tcp/9' })
        return base + ' '.repeat(bytes - base.length)
      }
      expect(sized(MAX_BODY_BYTES)).toHaveLength(MAX_BODY_BYTES)
      expect((await call('/join', post(sized(MAX_BODY_BYTES)))).status).toBe(200)
      const over = await call('/join', post(sized(MAX_BODY_BYTES + 1)))
      expect(over.status).toBe(413)
      expect(over.body.error).toContain(`larger than ${MAX_BODY_BYTES} bytes`)
      expect(node.joined).toHaveLength(1)
    })

    it('a streamed body with no Content-Length is cut off at 64 KiB with 413', async () => {
      const { call, node } = await serve()
      const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull (controller) {
          if (sent++ < 8) controller.enqueue(chunk)
          else controller.close()
        }
      })
      const reply = await call('/join', { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json' } } as RequestInit)
      expect(reply.status).toBe(413)
      expect(node.joined).toEqual([])
    })

    it.each([
      ['an empty body', '', /not valid JSON/],
      ['a JSON string', '"/ip4/127.0.0.1/tcp/9"', /must be a JSON object/],
      ['null', 'null', /must be a JSON object/],
      ['a numeric node-address', JSON.stringify({ 'node-address': 7400 }), /"node-address" must be a multiaddr string/],
      ['an empty node-address', JSON.stringify({ 'node-address': '' }), /"node-address" must be a multiaddr string/],
      ['a numeric node-id', JSON.stringify({ 'node-id': 1, 'node-address': '/ip4/127.0.0.1/tcp/9' }), /"node-id" must be a peer ID string/],
      ['host:port', JSON.stringify({ 'node-address': '127.0.0.1:7400' }), /invalid node-address "127\.0\.0\.1:7400".*expected a multiaddr/],
      ['an unknown protocol', JSON.stringify({ 'node-address': '/ip4/127.0.0.1/tcpp/9' }), /invalid node-address "\/ip4\/127\.0\.0\.1\/tcpp\/9"/],
      ['a node-id that is not a peer ID', JSON.stringify({ 'node-id': 'bob', 'node-address': '/ip4/127.0.0.1/tcp/9' }), /"bob" is not a peer ID/],
      ['a node-id contradicting /p2p/', JSON.stringify({ 'node-id': OTHER, 'node-address': `/ip4/127.0.0.1/tcp/9/p2p/${SELF}` }), new RegExp(`"node-id" ${OTHER} does not match the /p2p/ peer ID in "node-address" \\(${SELF}\\)`)]
    ])('%s → 400 naming the problem, and nothing is dialled', async (_what, body, message) => {
      const { call, node } = await serve()
      const reply = await call('/join', post(body))
      expect(reply.status).toBe(400)
      expect(reply.type).toMatch(/^application\/json/)
      expect(reply.body.error).toMatch(message)
      expect(node.joined).toEqual([])
    })

    it('a node-id equal to the /p2p/ part is fine, and not appended twice', async () => {
      const { call, node } = await serve()
      const address = `/ip4/127.0.0.1/tcp/9/p2p/${OTHER}`
      const reply = await call('/join', joinBody({ 'node-id': OTHER, 'node-address': address }))
      expect(reply).toMatchObject({ status: 200, body: { status: 'ok', 'node-id': OTHER, 'node-address': address } })
      expect(node.joined.map(String)).toEqual([address])
    })

    it('appends node-id to an address without /p2p/, and dials the address alone when there is no node-id', async () => {
      const { call, node } = await serve()
      expect((await call('/join', joinBody({ 'node-id': OTHER, 'node-address': '/ip4/127.0.0.1/tcp/9/ws' }))).status).toBe(200)
      expect((await call('/join', joinBody({ 'node-address': ' /ip4/127.0.0.1/tcp/10 ' }))).status).toBe(200)
      expect((await call('/join', joinBody({ 'node-id': '', 'node-address': '/ip4/127.0.0.1/tcp/11' }))).status).toBe(200)
      expect(node.joined.map(String)).toEqual([`/ip4/127.0.0.1/tcp/9/ws/p2p/${OTHER}`, '/ip4/127.0.0.1/tcp/10', '/ip4/127.0.0.1/tcp/11'])
    })
  })

  it.each([
    ['POST', '/health-check', 'use GET'],
    ['DELETE', '/join', 'use POST'],
    ['GET', '/join', 'use POST'],
    ['PUT', '/v1/peers', 'use GET'],
    ['PATCH', '/v1/datasets', 'use GET or POST']
  ])('%s %s → 405 saying what to use', async (method, path, hint) => {
    const { call } = await serve()
    const reply = await call(path, { method })
    expect(reply.status).toBe(405)
    expect(reply.body).toStrictEqual({ error: `${method} is not allowed on ${path}; ${hint}` })
  })

  it.each(['/', '/v1', '/health-check/', '/v1/closest-peers/', '/HEALTH-CHECK'])('GET %s → 404 in JSON', async (path) => {
    const { call } = await serve()
    const reply = await call(path)
    expect(reply.status).toBe(404)
    expect(reply.type).toMatch(/^application\/json/)
    expect(reply.body).toStrictEqual({ error: `no such endpoint: ${path}` })
  })

  describe('with a token', () => {
    it.each([
      ['no Authorization', undefined],
      ['a wrong token', 'Bearer nope'],
      ['the token without Bearer', 's3cret'],
      ['another scheme', 'Basic s3cret']
    ])('%s → 401 that says where the token is', async (_what, authorization) => {
      const { call } = await serve('s3cret')
      const reply = await call('/health-check', authorization != null ? { headers: { authorization } } : {})
      expect(reply.status).toBe(401)
      expect(reply.body.error).toMatch(/Authorization: Bearer <token>/)
      expect(reply.body.error).toMatch(/api-token/)
    })

    it('is checked before routing, so unknown paths do not leak, and a refused /join dials nothing', async () => {
      const { call, node } = await serve('s3cret')
      expect((await call('/no-such-thing')).status).toBe(401)
      expect((await call('/join', joinBody({ 'node-address': '/ip4/127.0.0.1/tcp/9' }))).status).toBe(401)
      expect(node.joined).toEqual([])
      const ok = await call('/join', { ...joinBody({ 'node-address': '/ip4/127.0.0.1/tcp/9' }), headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' } })
      expect(ok.status).toBe(200)
      expect(node.joined.map(String)).toEqual(['/ip4/127.0.0.1/tcp/9'])
    })
  })

  describe('a handler that fails', () => {
    it('maps a core error by name to its status and keeps serving', async () => {
      const { call, node } = await serve()
      node.closest = async () => { throw Object.assign(new Error('no dataset named "x"'), { name: 'DatasetNotFoundError' }) }
      expect(await call(`/v1/closest-peers/${SELF}`)).toMatchObject({ status: 404, body: { error: 'no dataset named "x"' } })
      node.closest = async () => { throw Object.assign(new Error('bad tag'), { name: 'TagInvalidError' }) }
      expect((await call(`/v1/closest-peers/${SELF}`)).status).toBe(400)
      node.closest = async () => { throw new Error('the DHT is on fire') }
      expect(await call(`/v1/closest-peers/${SELF}`)).toMatchObject({ status: 500, body: { error: 'the DHT is on fire' } })
      expect((await call('/health-check')).status).toBe(200)
    })

    it('GET /v1/closest-peers takes a URL-encoded peer ID and refuses what is not one', async () => {
      const { call, node } = await serve()
      expect(await call(`/v1/closest-peers/${encodeURIComponent(SELF)}`)).toMatchObject({ status: 200, body: [OTHER] })
      expect(node.closestAsked).toEqual([SELF])
      const bad = await call('/v1/closest-peers/%E0%A4%A')
      expect(bad.status).toBe(400)
      expect(bad.body.error).toMatch(/is not a peer ID/)
    })

    it('DELETE /v1/datasets/<name> with a broken URL encoding is a 400, not a crash', async () => {
      const { call } = await serve()
      const bad = await call('/v1/datasets/%E0%A4%A', { method: 'DELETE' })
      expect(bad.status).toBe(400)
      expect(bad.body.error).toMatch(/is not a URL-encoded dataset name/)
      expect((await call('/health-check')).status).toBe(200)
    })
  })
})
