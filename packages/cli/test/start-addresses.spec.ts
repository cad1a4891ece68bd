/**
 * What `start` says about addresses: bootstrap lines labelled for this machine and for other
 * machines, the address policy, and a warning when it appears; and --lan / --public-only.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { start } from '../src/commands/start/index.js'
import { announce, bootstrapLines } from '../src/commands/start/output.js'
import { lanSetting } from '../src/lan-option.js'
import { parseCommandArgs } from '../src/options.js'
import type { GridNode, GridNodeStatus } from '@grid-node/core'

const ID = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const wildcard = [
  `/ip4/127.0.0.1/tcp/7400/p2p/${ID}`,
  `/ip4/192.168.1.20/tcp/7400/p2p/${ID}`,
  `/ip4/127.0.0.1/tcp/7401/ws/p2p/${ID}`,
  `/ip4/192.168.1.20/tcp/7401/ws/p2p/${ID}`
].map(a => multiaddr(a))

describe('bootstrapLines', () => {
  it('on 0.0.0.0: the LAN address for other machines and 127.0.0.1 for this one, per listener', () => {
    expect(bootstrapLines(wildcard).map(l => [l.addr.toString(), l.from])).toEqual([
      [`/ip4/192.168.1.20/tcp/7400/p2p/${ID}`, 'other machines'],
      [`/ip4/192.168.1.20/tcp/7401/ws/p2p/${ID}`, 'other machines'],
      [`/ip4/127.0.0.1/tcp/7400/p2p/${ID}`, 'this machine'],
      [`/ip4/127.0.0.1/tcp/7401/ws/p2p/${ID}`, 'this machine']
    ])
  })

  it('on loopback only: one line per listener, for this machine only', () => {
    expect(bootstrapLines([multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${ID}`)]).map(l => l.from)).toEqual(['this machine only'])
  })
})

describe('--lan and --public-only', () => {
  const setting = (argv: string[], env: Record<string, string> = {}): ReturnType<typeof lanSetting> => lanSetting(parseCommandArgs(start, argv, env).values)

  it('neither: auto; --lan: true; --public-only: false; each with its GRID_NODE_* twin', () => {
    expect(setting([])).toBe('auto')
    expect(setting(['--lan'])).toBe(true)
    expect(setting(['--public-only'])).toBe(false)
    expect(setting([], { GRID_NODE_PUBLIC_ONLY: '1' })).toBe(false)
    expect(setting([], { GRID_NODE_LAN: '1' })).toBe(true)
  })

  it('both is a usage error that says what neither means', () => {
    expect(() => setting(['--lan', '--public-only'])).toThrow(/give --lan or --public-only, not both \(neither: decided from the addresses this node sees\)/)
  })
})

describe('start output', () => {
  function fakeNode (status: Partial<GridNodeStatus>): { node: GridNode, set: (s: Partial<GridNodeStatus>) => void } {
    let current: GridNodeStatus = {
      peerId: peerIdFromString(ID),
      network: 'main',
      ready: false,
      addrs: wildcard,
      peers: 0,
      routingTableSize: 0,
      uptimeMs: 0,
      startedAt: 0,
      reachable: true,
      announced: [],
      relaying: true,
      addressPolicy: { setting: 'auto', mode: 'lan', reason: 'every address of this node, its bootstrap list and its peers is private or loopback (one host or one LAN)' },
      reachability: { state: 'direct', relays: [], dhtServer: true, reason: 'a grid on one host or one LAN: peers dial this node\'s own addresses' },
      ...status
    }
    const node = {
      peerId: peerIdFromString(ID),
      network: 'main',
      ready: false,
      getMultiaddrs: () => wildcard,
      shareableAddrs: () => [wildcard[1]!, wildcard[3]!],
      status: () => current
    } as unknown as GridNode
    return { node, set: (s) => { current = { ...current, ...s } } }
  }

  it('labels each bootstrap line and says what the DHT shares and why', () => {
    const out: string[] = []
    const err: string[] = []
    const say = announce({ out: t => out.push(t), err: t => err.push(t), env: {} }, false)
    say.started(fakeNode({}).node, 'http://127.0.0.1:7402', 0)
    expect(out).toContain(`Bootstrap  /ip4/192.168.1.20/tcp/7400/p2p/${ID}     (from other machines)`)
    expect(out).toContain(`Bootstrap  /ip4/127.0.0.1/tcp/7400/p2p/${ID}        (from this machine)`)
    expect(out.find(l => l.startsWith('DHT'))).toMatch(/^DHT {8}shares private and loopback addresses: every address .* is private or loopback/)
    expect(err).toEqual([])
  })

  it('says a new policy and a new warning once each, when they appear', () => {
    const out: string[] = []
    const err: string[] = []
    const say = announce({ out: t => out.push(t), err: t => err.push(t), env: {} }, false)
    const { node, set } = fakeNode({})
    say.started(node, 'http://127.0.0.1:7402', 1)
    out.length = 0
    say.addresses(node)
    expect(out).toEqual([])
    set({ addressPolicy: { setting: 'auto', mode: 'public', reason: 'peer X was reached on a public address (/ip4/8.8.4.4/tcp/7400)' }, addressWarning: { code: 'private-only', message: 'every address this node announces is private' } })
    say.addresses(node)
    say.addresses(node)
    expect(out).toEqual(['DHT        shares public addresses only: peer X was reached on a public address (/ip4/8.8.4.4/tcp/7400)'])
    expect(err).toEqual(['warning: every address this node announces is private'])
  })

  it('--json: started carries both kinds of bootstrap address, the policy and the warning; changes are events', () => {
    const out: string[] = []
    const say = announce({ out: t => out.push(t), err: () => {}, env: {} }, true)
    const { node, set } = fakeNode({})
    say.started(node, 'http://127.0.0.1:7402', 0)
    const started = JSON.parse(out[0]!)
    expect(started.bootstrapAddrs).toEqual([wildcard[1]!.toString(), wildcard[3]!.toString()])
    expect(started.sameHostBootstrapAddrs).toEqual([wildcard[0]!.toString(), wildcard[2]!.toString()])
    expect(started.addressPolicy.mode).toBe('lan')
    expect(started.addressWarning).toBeNull()
    set({ addressWarning: { code: 'loopback-only', message: 'm' } })
    say.addresses(node)
    expect(JSON.parse(out[1]!)).toEqual({ event: 'address-warning', addressWarning: { code: 'loopback-only', message: 'm' } })
  })
})
