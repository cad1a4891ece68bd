/**
 * The local HTTP API (src/api/server.ts and its routes) against fake GridNodes, over loopback on
 * port 0: the gateway routes (/health-check, /join, /search) and /v1 (status with the version,
 * peers with and without the stale rows, closest-peers), the body limit on both sides of 64 KiB
 * and for a streamed body with no Content-Length, methods, paths and tokens, the URL and header
 * limits, and how a handler's failure becomes a status. The checks that close the API to web
 * pages are in api-request-guard.spec.ts, the request schemas in api-schemas.spec.ts.
 */
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { TagInvalidError } from '@grid-node/core'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES, MAX_HEADERS_COUNT, MAX_URL_BYTES, RECENT_PEER_WINDOW } from '../src/api/constants.js'
import { startApiServer } from '../src/api/server.js'
import { main } from '../src/main.js'
import { capture } from './helpers/capture-io.js'
import { rawHttp } from './helpers/raw-http.js'
import type { ApiServer, ApiServerInit } from '../src/api/server.js'
import type { GridNode, PeerLiveness } from '@grid-node/core'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string
const SELF = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const OTHER = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'
const UP = '12D3KooWBWX4Ga8wr8APCbAuPhXnWeE22cqPSLsiYR59ZDQwGPdP'
const RECENT = '12D3KooWFWYaFhoX6urbQGaQdmNTa2hrVKF5tDpUX1TMGr1H2Ptu'
const STALE = '12D3KooWMPUv38jsGJgFZEvoteXNwMGRxgL1YV1hMERYB4q4rh92'
const LAN_POLICY = { setting: 'auto', mode: 'lan', reason: 'every address of this node, its bootstrap list and its peers is private or loopback (one host or one LAN)' }

interface FakeNode {
  joined: Multiaddr[]
  closestAsked: string[]
  /** what closestPeers() does: answer, or throw */
  closest: (key: PeerId) => Promise<PeerId[]>
}

/** A ready node on `main` with one connected peer; join() records what it dials, and /tcp/1/ refuses. */
function readyNode (): GridNode & FakeNode {
  const addr = multiaddr(`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`)
  const fake: FakeNode = { joined: [], closestAsked: [], closest: async () => [peerIdFromString(OTHER)] }
  return Object.assign(fake, {
    status: () => ({ peerId: peerIdFromString(SELF), network: 'main', ready: true, addrs: [addr], peers: 2, routingTableSize: 2, uptimeMs: 5 }),
    shareableAddrs: () => [addr],
    peers: async () => [{ peerId: peerIdFromString(OTHER), addr: multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${OTHER}`), direction: 'inbound' as const, rttMs: 1.5 }],
    join: async (target: string | Multiaddr) => {
      fake.joined.push(multiaddr(target.toString()))
      if (target.toString().includes('/tcp/1/')) throw new Error('connection refused')
      return peerIdFromString(OTHER)
    },
    closestPeers: async (key: PeerId) => {
      fake.closestAsked.push(key.toString())
      return fake.closest(key)
    },
    peerLiveness: () => [{ peerId: peerIdFromString(SELF), state: 'down', misses: 3, lastSeen: 5 }],
    searchAll: async (tags: string[]) => tags.includes('#mnist') ? [{ peerId: peerIdFromString(OTHER), addrs: [multiaddr('/ip4/127.0.0.1/tcp/9')], rttMs: 1, datasets: [] }] : []
  }) as unknown as GridNode & FakeNode
}

/** A node still joining `lab`, alone, on a LAN; join() records what it dials. */
function joiningNode (): GridNode & FakeNode {
  const addr = multiaddr(`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`)
  const fake: FakeNode = { joined: [], closestAsked: [], closest: async () => [peerIdFromString(OTHER)] }
  return Object.assign(fake, {
    status: () => ({ peerId: peerIdFromString(SELF), network: 'lab', ready: false, addrs: [addr, multiaddr('/ip4/192.168.1.5/tcp/7400')], peers: 0, routingTableSize: 0, uptimeMs: 42, startedAt: 1_795_000_000_000, addressPolicy: LAN_POLICY }),
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

/** A node with one connected peer and three the liveness monitor remembers: up, down a minute, down a day. */
function rememberingNode (now: number): GridNode & FakeNode {
  const addr = multiaddr(`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`)
  const live = (peerId: string, state: 'up' | 'down', lastSeen: number): PeerLiveness => ({ peerId: peerIdFromString(peerId), state, lastSeen, misses: state === 'up' ? 0 : 3 })
  const fake: FakeNode = { joined: [], closestAsked: [], closest: async () => [] }
  return Object.assign(fake, {
    status: () => ({ peerId: peerIdFromString(SELF), network: 'main', ready: true, addrs: [addr], peers: 1, routingTableSize: 1, uptimeMs: 5 }),
    shareableAddrs: () => [addr],
    peers: async () => [{ peerId: peerIdFromString(OTHER), addr: multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${OTHER}`), direction: 'outbound' as const, rttMs: 2 }],
    peerLiveness: () => [
      live(OTHER, 'up', now),
      // up but not connected (a tab reached through a relay that has since closed)
      live(UP, 'up', now - 2 * RECENT_PEER_WINDOW),
      live(RECENT, 'down', now - 60_000),
      live(STALE, 'down', now - 24 * 60 * 60 * 1000)
    ],
    datasets: { add: async () => { throw new TagInvalidError('bad tag') } }
  }) as unknown as GridNode & FakeNode
}

interface Reply { status: number, type: string | null, body: any }

let server: ApiServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function serve<N extends GridNode> (node: N, init: Partial<ApiServerInit> = {}): Promise<{ node: N, url: string, address: string, port: number, call: (path: string, init?: RequestInit) => Promise<Reply> }> {
  server = await startApiServer(node, { host: '127.0.0.1', port: 0, ...init })
  const url = server.url
  return {
    node,
    url,
    address: url.replace('http://', ''),
    port: Number(new URL(url).port),
    call: async (path, init) => {
      const res = await fetch(`${url}${path}`, init)
      const text = await res.text()
      return { status: res.status, type: res.headers.get('content-type'), body: text === '' ? undefined : JSON.parse(text) }
    }
  }
}
/** The status and body alone, for an exact comparison. */
const sb = (reply: Reply): { status: number, body: any } => ({ status: reply.status, body: reply.body })
const post = (body: string): RequestInit => ({ method: 'POST', body, headers: { 'content-type': 'application/json' } })
const joinBody = (fields: Record<string, unknown>): RequestInit => post(JSON.stringify(fields))

describe('the local HTTP API: listening', () => {
  it('listens where it says, on a free port', async () => {
    const { url } = await serve(joiningNode())
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(url).not.toMatch(/:0$/)
  })
})

describe('GET /health-check and /v1/status', () => {
  it('GET /health-check answers in the old gateway shape', async () => {
    const { call } = await serve(readyNode())
    expect(sb(await call('/health-check'))).toEqual({
      status: 200,
      body: { status: 'ok', ready: true, peerId: SELF, addrs: [`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`], peers: 2, network: 'main' }
    })
  })

  it('GET /health-check: the gateway shape, as JSON, query string ignored', async () => {
    const { call } = await serve(joiningNode())
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
    const { call } = await serve(joiningNode())
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
      startedAt: 1_795_000_000_000,
      addressPolicy: LAN_POLICY,
      addressWarning: null
    })
  })

  it('GET /v1/status and `status` name the node\'s version', async () => {
    const { call, address } = await serve(rememberingNode(Date.now()))
    expect((await call('/v1/status')).body.version).toBe(VERSION)
    const io = capture()
    expect(await main(['status', '--api', address], io)).toBe(0)
    expect(io.stdout).toMatch(new RegExp(`^Peer ID +${SELF}\nVersion +${VERSION.replace(/\./g, '\\.')}\n`))
    const json = capture()
    expect(await main(['status', '--json', '--api', address], json)).toBe(0)
    expect(JSON.parse(json.stdout).version).toBe(VERSION)
  })

  it('an address warning shows in /health-check (its message) and /v1/status (code and message)', async () => {
    const { node, call } = await serve(joiningNode())
    const addressWarning = { code: 'private-only', message: 'every address this node announces is private or loopback (…)' }
    const plain = node.status.bind(node)
    node.status = () => ({ ...plain(), addressWarning }) as ReturnType<GridNode['status']>
    expect((await call('/health-check')).body).toMatchObject({ status: 'ok', addressWarning: addressWarning.message })
    expect((await call('/v1/status')).body).toMatchObject({ addressWarning })
  })
})

describe('POST /join', () => {
  it('dials the address, appending node-id when the address has no /p2p/', async () => {
    const { call, node } = await serve(readyNode())
    const res = await call('/join', post(JSON.stringify({ 'node-id': OTHER, 'node-address': '/ip4/127.0.0.1/tcp/9' })))
    expect(sb(res)).toEqual({ status: 200, body: { status: 'ok', 'node-id': OTHER, 'node-address': `/ip4/127.0.0.1/tcp/9/p2p/${OTHER}` } })
    expect(node.joined.map(String)).toEqual([`/ip4/127.0.0.1/tcp/9/p2p/${OTHER}`])
  })

  it('a node-id equal to the /p2p/ part is fine, and not appended twice', async () => {
    const { call, node } = await serve(joiningNode())
    const address = `/ip4/127.0.0.1/tcp/9/p2p/${OTHER}`
    const reply = await call('/join', joinBody({ 'node-id': OTHER, 'node-address': address }))
    expect(reply).toMatchObject({ status: 200, body: { status: 'ok', 'node-id': OTHER, 'node-address': address } })
    expect(node.joined.map(String)).toEqual([address])
  })

  it('appends node-id to an address without /p2p/, and dials the address alone when there is no node-id', async () => {
    const { call, node } = await serve(joiningNode())
    expect((await call('/join', joinBody({ 'node-id': OTHER, 'node-address': '/ip4/127.0.0.1/tcp/9/ws' }))).status).toBe(200)
    expect((await call('/join', joinBody({ 'node-address': ' /ip4/127.0.0.1/tcp/10 ' }))).status).toBe(200)
    expect((await call('/join', joinBody({ 'node-id': '', 'node-address': '/ip4/127.0.0.1/tcp/11' }))).status).toBe(200)
    expect(node.joined.map(String)).toEqual([`/ip4/127.0.0.1/tcp/9/ws/p2p/${OTHER}`, '/ip4/127.0.0.1/tcp/10', '/ip4/127.0.0.1/tcp/11'])
  })

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['an empty body', '', /not valid JSON/],
    ['an array', '[]', /must be a JSON object/],
    ['a JSON string', '"/ip4/127.0.0.1/tcp/9"', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
    ['no address', '{}', /"node-address" must be a multiaddr string/],
    ['a numeric node-address', JSON.stringify({ 'node-address': 7400 }), /"node-address" must be a multiaddr string/],
    ['an empty node-address', JSON.stringify({ 'node-address': '' }), /"node-address" must be a multiaddr string/],
    ['a numeric node-id', JSON.stringify({ 'node-id': 1, 'node-address': '/ip4/127.0.0.1/tcp/9' }), /"node-id" must be a peer ID string/],
    ['a bad address', JSON.stringify({ 'node-address': 'nope' }), /invalid node-address "nope"/],
    ['host:port', JSON.stringify({ 'node-address': '127.0.0.1:7400' }), /invalid node-address "127\.0\.0\.1:7400".*expected a multiaddr/],
    ['an unknown protocol', JSON.stringify({ 'node-address': '/ip4/127.0.0.1/tcpp/9' }), /invalid node-address "\/ip4\/127\.0\.0\.1\/tcpp\/9"/],
    ['a node-id that is not a peer ID', JSON.stringify({ 'node-id': 'bob', 'node-address': '/ip4/127.0.0.1/tcp/9' }), /"bob" is not a peer ID/],
    ['a node-id contradicting /p2p/', JSON.stringify({ 'node-id': OTHER, 'node-address': `/ip4/127.0.0.1/tcp/9/p2p/${SELF}` }), new RegExp(`"node-id" ${OTHER} does not match the /p2p/ peer ID in "node-address" \\(${SELF}\\)`)]
  ])('%s → 400 naming the problem, and nothing is dialled', async (_what, body, message) => {
    const { call, node } = await serve(joiningNode())
    const reply = await call('/join', post(body))
    expect(reply.status).toBe(400)
    expect(reply.type).toMatch(/^application\/json/)
    expect(reply.body.error).toMatch(message)
    expect(node.joined).toEqual([])
  })

  it('an unreachable peer → 502 with the dial\'s error', async () => {
    const { call } = await serve(readyNode())
    const res = await call('/join', joinBody({ 'node-address': `/ip4/127.0.0.1/tcp/1/p2p/${OTHER}` }))
    expect(res.status).toBe(502)
    expect(res.body.error).toMatch(/connection refused/)
  })

  it('a body of exactly 64 KiB is read; one byte more is 413', async () => {
    const { call, node } = await serve(joiningNode())
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
    const { call, node } = await serve(joiningNode())
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

  it('a body nested 5,000 deep is a 400 naming the field, and the server keeps serving', async () => {
    const { port } = await serve(joiningNode())
    const body = `{"node-address":"/ip4/127.0.0.1/tcp/9","node-id":${'['.repeat(5_000)}${']'.repeat(5_000)}}`
    const reply = await rawHttp(port, { method: 'POST', path: '/join', headers: { 'content-type': 'application/json' }, body })
    expect(reply.status).toBe(400)
    expect(reply.body.error).toBe('"node-id" nests deeper than 64 levels of arrays and objects')
    expect((await rawHttp(port, { path: '/health-check' })).status).toBe(200)
  })
})

describe('POST /search', () => {
  it('keeps the gateway shape and refuses a query that is not an array of strings', async () => {
    const { call } = await serve(readyNode())
    expect(sb(await call('/search', post(JSON.stringify({ query: ['#mnist'] }))))).toEqual({ status: 200, body: { 'node-addresses': [[OTHER, '/ip4/127.0.0.1/tcp/9']] } })
    for (const query of ['#mnist', [], [1], null]) {
      expect((await call('/search', post(JSON.stringify({ query })))).status).toBe(400)
    }
  })
})

describe('GET /v1/peers and /v1/closest-peers', () => {
  it('GET /v1/peers and /v1/closest-peers/<id>', async () => {
    const { call } = await serve(readyNode())
    const connected = { peerId: OTHER, state: 'up', addr: `/ip4/127.0.0.1/tcp/9/p2p/${OTHER}`, direction: 'inbound', rttMs: 1.5, lastSeen: expect.any(Number) }
    // down and last seen long ago: listed only with ?all=1
    expect((await call('/v1/peers')).body).toEqual([connected])
    expect((await call('/v1/peers?all=1')).body).toEqual([
      connected,
      { peerId: SELF, state: 'down', addr: '', direction: '', rttMs: null, lastSeen: 5 }
    ])
    expect((await call(`/v1/closest-peers/${SELF}`)).body).toEqual([OTHER])
    expect((await call('/v1/closest-peers/xyz')).status).toBe(400)
  })

  it('GET /v1/peers: connected, up, and seen within the window; ?all=1 adds the stale ones', async () => {
    const { call } = await serve(rememberingNode(Date.now()))
    const ids = async (path: string): Promise<string[]> => (await call(path)).body.map((p: { peerId: string }) => p.peerId)
    expect(await ids('/v1/peers')).toEqual([OTHER, UP, RECENT])
    for (const all of ['1', 'true']) expect(await ids(`/v1/peers?all=${all}`)).toEqual([OTHER, UP, RECENT, STALE])
    for (const all of ['0', 'false']) expect(await ids(`/v1/peers?all=${all}`)).toEqual([OTHER, UP, RECENT])
    expect(sb(await call('/v1/peers?all=yes'))).toEqual({ status: 400, body: { error: '"all" must be 1 or 0 (or true or false)' } })
    expect(sb(await call('/v1/peers?stale=1'))).toEqual({ status: 400, body: { error: 'unknown query parameter "stale": use only all' } })
  })

  it('`peers` hides the stale rows; `peers --all` shows them', async () => {
    const { address } = await serve(rememberingNode(Date.now()))
    const list = async (argv: string[]): Promise<string> => {
      const io = capture()
      expect(await main(['peers', '--api', address, ...argv], io)).toBe(0)
      return io.stdout
    }
    const recent = await list([])
    expect(recent).toMatch(/^PEER +STATE +RTT +LAST SEEN +DIRECTION +ADDRESS\n/)
    for (const id of [OTHER, UP, RECENT]) expect(recent).toContain(id)
    expect(recent).not.toContain(STALE)
    expect(await list(['--all'])).toMatch(new RegExp(`${STALE} +down +- +1d 0h ago`))
    expect(JSON.parse(await list(['--all', '--json']))).toHaveLength(4)
  })

  it('GET /v1/closest-peers takes a URL-encoded peer ID and refuses what is not one', async () => {
    const { call, node } = await serve(joiningNode())
    expect(await call(`/v1/closest-peers/${encodeURIComponent(SELF)}`)).toMatchObject({ status: 200, body: [OTHER] })
    expect(node.closestAsked).toEqual([SELF])
    const bad = await call('/v1/closest-peers/%E0%A4%A')
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatch(/is not a peer ID/)
  })
})

describe('methods and paths', () => {
  it.each([
    ['POST', '/health-check', 'use GET'],
    ['DELETE', '/join', 'use POST'],
    ['GET', '/join', 'use POST'],
    ['PUT', '/v1/peers', 'use GET'],
    ['PATCH', '/v1/datasets', 'use GET or POST']
  ])('%s %s → 405 saying what to use', async (method, path, hint) => {
    const { call } = await serve(joiningNode())
    const reply = await call(path, { method })
    expect(reply.status).toBe(405)
    expect(reply.body).toStrictEqual({ error: `${method} is not allowed on ${path}; ${hint}` })
  })

  // `/` is the status page (status-page-serve.spec.ts)
  it.each(['/nope', '/v1', '/health-check/', '/v1/closest-peers/', '/HEALTH-CHECK', '/status-page/nope.js'])('GET %s → 404 in JSON', async (path) => {
    const { call } = await serve(joiningNode())
    const reply = await call(path)
    expect(reply.status).toBe(404)
    expect(reply.type).toMatch(/^application\/json/)
    expect(reply.body).toStrictEqual({ error: `no such endpoint: ${path}` })
  })
})

describe('with a token', () => {
  it('refuses requests without it (401) and serves those with it', async () => {
    const { call } = await serve(readyNode(), { token: 's3cret' })
    expect((await call('/health-check')).status).toBe(401)
    expect((await call('/health-check', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200)
  })

  it.each([
    ['no Authorization', undefined],
    ['a wrong token', 'Bearer nope'],
    ['the token without Bearer', 's3cret'],
    ['another scheme', 'Basic s3cret']
  ])('%s → 401 that says where the token is', async (_what, authorization) => {
    const { call } = await serve(joiningNode(), { token: 's3cret' })
    const reply = await call('/health-check', authorization != null ? { headers: { authorization } } : {})
    expect(reply.status).toBe(401)
    expect(reply.body.error).toMatch(/Authorization: Bearer <token>/)
    expect(reply.body.error).toMatch(/api-token/)
  })

  it('is checked before routing, so unknown paths do not leak, and a refused /join dials nothing', async () => {
    const { call, node } = await serve(joiningNode(), { token: 's3cret' })
    expect((await call('/no-such-thing')).status).toBe(401)
    expect((await call('/join', joinBody({ 'node-address': '/ip4/127.0.0.1/tcp/9' }))).status).toBe(401)
    expect(node.joined).toEqual([])
    const ok = await call('/join', { ...joinBody({ 'node-address': '/ip4/127.0.0.1/tcp/9' }), headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' } })
    expect(ok.status).toBe(200)
    expect(node.joined.map(String)).toEqual(['/ip4/127.0.0.1/tcp/9'])
  })
})

describe('a Content-Type other than JSON', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['no Content-Type', undefined]
  ])('a JSON body sent as %s is refused with 415 saying what to send, and nothing is dialled', async (_what, type) => {
    const { node, port } = await serve(joiningNode())
    const reply = await rawHttp(port, { method: 'POST', path: '/join', headers: type != null ? { 'content-type': type } : {}, body: JSON.stringify({ 'node-address': '/ip4/127.0.0.1/tcp/9' }) })
    expect(reply.status).toBe(415)
    expect(reply.body.error).toMatch(/Content-Type: application\/json/)
    expect(node.joined).toEqual([])
  })

  it('takes application/json with a charset', async () => {
    const { node, port } = await serve(joiningNode())
    expect((await rawHttp(port, { method: 'POST', path: '/join', headers: { 'content-type': 'Application/JSON; charset=utf-8' }, body: JSON.stringify({ 'node-address': '/ip4/127.0.0.1/tcp/9' }) })).status).toBe(200)
    expect(node.joined).toHaveLength(1)
  })
})

describe('URL and header limits', () => {
  it('a URL over the bound gets 414 from the route table; one past the header limit gets 414 from the parser, not a reset', async () => {
    const { port } = await serve(joiningNode())
    const long = await rawHttp(port, { method: 'DELETE', path: `/v1/datasets/${'a'.repeat(MAX_URL_BYTES)}` })
    expect(long.status).toBe(414)
    expect(long.body.error).toMatch(/send long values in a JSON body/)
    const huge = await rawHttp(port, { method: 'DELETE', path: `/v1/datasets/${'a'.repeat(100_000)}` })
    expect(huge.status).toBe(414)
    expect(huge.body.error).toMatch(/URL is longer than/)
    expect((await rawHttp(port, { path: '/health-check' })).status).toBe(200)
  })

  it('headers over 16 KiB get 431 in JSON', async () => {
    const { port } = await serve(joiningNode())
    const reply = await rawHttp(port, { path: '/health-check', headers: { 'x-big': 'b'.repeat(20_000) } })
    expect(reply.status).toBe(431)
    expect(reply.body.error).toMatch(/send fewer or shorter headers/)
  })

  it('64 headers or more get 431, so no check ever sees only some of them', async () => {
    const { port } = await serve(joiningNode())
    const many = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, '1']))
    // node:http adds Host and Connection
    expect((await rawHttp(port, { path: '/health-check', headers: many(MAX_HEADERS_COUNT - 3) })).status).toBe(200)
    const reply = await rawHttp(port, { path: '/health-check', headers: many(MAX_HEADERS_COUNT) })
    expect(reply.status).toBe(431)
    expect(reply.body.error).toMatch(/send fewer/)
  })

  it('a malformed request gets 400 in JSON, then the connection is closed', async () => {
    const { port } = await serve(joiningNode())
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
    expect((await rawHttp(port, { path: '/health-check' })).status).toBe(200)
  })
})

describe('a handler that fails', () => {
  it('maps a core error by name to its status and keeps serving', async () => {
    const { call, node } = await serve(joiningNode())
    node.closest = async () => { throw Object.assign(new Error('no dataset named "x"'), { name: 'DatasetNotFoundError' }) }
    expect(await call(`/v1/closest-peers/${SELF}`)).toMatchObject({ status: 404, body: { error: 'no dataset named "x"' } })
    node.closest = async () => { throw Object.assign(new Error('bad tag'), { name: 'TagInvalidError' }) }
    expect((await call(`/v1/closest-peers/${SELF}`)).status).toBe(400)
    node.closest = async () => { throw new Error('the DHT is on fire') }
    expect(await call(`/v1/closest-peers/${SELF}`)).toMatchObject({ status: 500, body: { error: 'the DHT is on fire' } })
    expect((await call('/health-check')).status).toBe(200)
  })

  it('a core error the caller caused carries its name beside the message', async () => {
    const { call } = await serve(rememberingNode(Date.now()))
    const res = await call('/v1/datasets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: '/tmp/x.csv', tags: ['#x'] }) })
    expect(sb(res)).toEqual({ status: 400, body: { error: new TagInvalidError('bad tag').message, name: 'TagInvalidError' } })
  })

  it('DELETE /v1/datasets/<name> with a broken URL encoding is a 400, not a crash', async () => {
    const { call } = await serve(joiningNode())
    const bad = await call('/v1/datasets/%E0%A4%A', { method: 'DELETE' })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatch(/is not a URL-encoded dataset name/)
    expect((await call('/health-check')).status).toBe(200)
  })
})
