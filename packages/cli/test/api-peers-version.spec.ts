/**
 * What the API and the commands on it say beyond api.spec.ts: the version in `/v1/status` and
 * `status`; `/v1/peers` and `peers` without the stale rows (connected, up, or seen within
 * RECENT_PEER_WINDOW) unless `?all=1` / `--all`; and a core error's name beside its message.
 */
import { readFileSync } from 'node:fs'
import { TagInvalidError } from '@grid-node/core'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { RECENT_PEER_WINDOW } from '../src/api/constants.js'
import { startApiServer } from '../src/api/server.js'
import { main } from '../src/main.js'
import type { ApiServer } from '../src/api/server.js'
import type { Io } from '../src/io.js'
import type { GridNode, PeerLiveness } from '@grid-node/core'

const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string
const SELF = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const CONNECTED = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'
const UP = '12D3KooWBWX4Ga8wr8APCbAuPhXnWeE22cqPSLsiYR59ZDQwGPdP'
const RECENT = '12D3KooWFWYaFhoX6urbQGaQdmNTa2hrVKF5tDpUX1TMGr1H2Ptu'
const STALE = '12D3KooWMPUv38jsGJgFZEvoteXNwMGRxgL1YV1hMERYB4q4rh92'

/** A node with one connected peer and three the liveness monitor remembers: up, down a minute, down a day. */
function fakeNode (now: number): GridNode {
  const addr = multiaddr(`/ip4/127.0.0.1/tcp/7400/p2p/${SELF}`)
  const live = (peerId: string, state: 'up' | 'down', lastSeen: number): PeerLiveness => ({ peerId: peerIdFromString(peerId), state, lastSeen, misses: state === 'up' ? 0 : 3 })
  return {
    status: () => ({ peerId: peerIdFromString(SELF), network: 'main', ready: true, addrs: [addr], peers: 1, routingTableSize: 1, uptimeMs: 5 }),
    shareableAddrs: () => [addr],
    peers: async () => [{ peerId: peerIdFromString(CONNECTED), addr: multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${CONNECTED}`), direction: 'outbound' as const, rttMs: 2 }],
    peerLiveness: () => [
      live(CONNECTED, 'up', now),
      // up but not connected (a tab reached through a relay that has since closed)
      live(UP, 'up', now - 2 * RECENT_PEER_WINDOW),
      live(RECENT, 'down', now - 60_000),
      live(STALE, 'down', now - 24 * 60 * 60 * 1000)
    ],
    datasets: { add: async () => { throw new TagInvalidError('bad tag') } }
  } as unknown as GridNode
}

function capture (): Io & { stdout: string, stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    env: {},
    out: (text: string) => { io.stdout += `${text}\n` },
    err: (text: string) => { io.stderr += `${text}\n` }
  }
  return io
}

describe('version and peers through the API', () => {
  let server: ApiServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const serve = async (): Promise<{ url: string, address: string, call: (path: string, init?: RequestInit) => Promise<{ status: number, body: any }> }> => {
    server = await startApiServer(fakeNode(Date.now()), { host: '127.0.0.1', port: 0 })
    const url = server.url
    return {
      url,
      address: url.replace('http://', ''),
      call: async (path, init) => {
        const res = await fetch(`${url}${path}`, init)
        return { status: res.status, body: await res.json() }
      }
    }
  }

  it('GET /v1/status and `status` name the node\'s version', async () => {
    const { call, address } = await serve()
    expect((await call('/v1/status')).body.version).toBe(VERSION)
    const io = capture()
    expect(await main(['status', '--api', address], io)).toBe(0)
    expect(io.stdout).toMatch(new RegExp(`^Peer ID +${SELF}\nVersion +${VERSION.replace(/\./g, '\\.')}\n`))
    const json = capture()
    expect(await main(['status', '--json', '--api', address], json)).toBe(0)
    expect(JSON.parse(json.stdout).version).toBe(VERSION)
  })

  it('GET /v1/peers: connected, up, and seen within the window; ?all=1 adds the stale ones', async () => {
    const { call } = await serve()
    const ids = async (path: string): Promise<string[]> => (await call(path)).body.map((p: { peerId: string }) => p.peerId)
    expect(await ids('/v1/peers')).toEqual([CONNECTED, UP, RECENT])
    for (const all of ['1', 'true']) expect(await ids(`/v1/peers?all=${all}`)).toEqual([CONNECTED, UP, RECENT, STALE])
    for (const all of ['0', 'false']) expect(await ids(`/v1/peers?all=${all}`)).toEqual([CONNECTED, UP, RECENT])
    expect(await call('/v1/peers?all=yes')).toEqual({ status: 400, body: { error: '"all" must be 1 or 0 (or true or false)' } })
    expect(await call('/v1/peers?stale=1')).toEqual({ status: 400, body: { error: 'unknown query parameter "stale": use only all' } })
  })

  it('`peers` hides the stale rows; `peers --all` shows them', async () => {
    const { address } = await serve()
    const list = async (argv: string[]): Promise<string> => {
      const io = capture()
      expect(await main(['peers', '--api', address, ...argv], io)).toBe(0)
      return io.stdout
    }
    const recent = await list([])
    expect(recent).toMatch(/^PEER +STATE +RTT +LAST SEEN +DIRECTION +ADDRESS\n/)
    for (const id of [CONNECTED, UP, RECENT]) expect(recent).toContain(id)
    expect(recent).not.toContain(STALE)
    expect(await list(['--all'])).toMatch(new RegExp(`${STALE} +down +- +1d 0h ago`))
    expect(JSON.parse(await list(['--all', '--json']))).toHaveLength(4)
  })

  it('a core error the caller caused carries its name beside the message', async () => {
    const { call } = await serve()
    const res = await call('/v1/datasets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: '/tmp/x.csv', tags: ['#x'] }) })
    expect(res).toEqual({ status: 400, body: { error: new TagInvalidError('bad tag').message, name: 'TagInvalidError' } })
  })
})
