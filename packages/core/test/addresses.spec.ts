/**
 * The address helpers (src/network/addresses.ts): every rejection names the value and says what a
 * multiaddr looks like; relay addresses; ranking public over private over loopback, IPv6 and DNS;
 * listeners that differ only by transport stay apart; loopback addresses for a second node here.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { InvalidMultiaddrError } from '../src/errors.js'
import { parseMultiaddr, peerIdOf, sameHostAddrs, shareableAddrs } from '../src/network/addresses.js'

const ID = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const RELAY = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'

function rejection (what: string, value: string): InvalidMultiaddrError {
  try {
    parseMultiaddr(what, value)
  } catch (err) {
    return err as InvalidMultiaddrError
  }
  throw new Error(`parseMultiaddr accepted ${JSON.stringify(value)}`)
}

describe('parseMultiaddr', () => {
  it.each([
    '/ip4/203.0.113.7/tcp/7400',
    `/ip4/203.0.113.7/tcp/7400/p2p/${ID}`,
    `/ip4/192.0.2.1/tcp/7400/p2p/${ID}`,
    '/ip4/0.0.0.0/tcp/7401/ws',
    '/ip6/::1/tcp/0',
    '/dns4/grid.example/tcp/443/wss'
  ])('accepts %s as it is', (text) => {
    expect(parseMultiaddr('listen address', text).toString()).toBe(text)
    expect(parseMultiaddr('bootstrap address', text).toString()).toBe(text)
  })

  it('trims the whitespace a shell or an env var leaves around a value', () => {
    expect(parseMultiaddr('bootstrap address', '  /ip4/192.0.2.1/tcp/7400\n').toString()).toBe('/ip4/192.0.2.1/tcp/7400')
  })

  it('passes a Multiaddr through untouched', () => {
    const addr = multiaddr('/ip4/192.0.2.1/tcp/7400')
    expect(parseMultiaddr('bootstrap address', addr)).toBe(addr)
  })

  it.each([
    ['missing its leading slash', 'ip4/192.0.2.1/tcp/7400', 'a multiaddr starts with "/"'],
    ['host:port', '192.0.2.1:7400', 'a multiaddr starts with "/"'],
    ['empty', '', 'a multiaddr starts with "/"'],
    ['garbage', 'not-a-multiaddr', 'a multiaddr starts with "/"'],
    ['an unknown protocol', '/ip4/192.0.2.1/tcpp/7400', ''],
    ['an unknown protocol after a valid one', '/ip4/1.2.3.4/tcpp/1', ''],
    ['an IPv4 octet out of range', '/ip4/300.1.1.1/tcp/1', ''],
    ['a port out of range', '/ip4/192.0.2.1/tcp/99999', ''],
    ['a bad IPv6 address', '/ip6/zz/tcp/1', ''],
    ['a protocol without its value', '/ip4', ''],
    ['with no component at all', '/', 'no components'],
    ['with a /p2p/ that is not a peer ID', '/ip4/192.0.2.1/tcp/1/p2p/notapeer', '"notapeer" is not a peer ID']
  ])('rejects a value %s, naming it and showing a multiaddr', (_what, value, reason) => {
    const err = rejection('bootstrap address', value)
    expect(err).toBeInstanceOf(InvalidMultiaddrError)
    expect(err.name).toBe('InvalidMultiaddrError')
    expect(err.message).toContain(`invalid bootstrap address "${value}"`)
    expect(err.message).toContain(reason)
    expect(err.message).toContain('expected a multiaddr such as /ip4/')
  })

  it('names what the value was for', () => {
    expect(rejection('listen address', 'x').message).toMatch(/^invalid listen address "x"/)
    expect(rejection('node-address', 'x').message).toMatch(/^invalid node-address "x"/)
  })
})

describe('peerIdOf', () => {
  it('finds the /p2p/ component, or nothing', () => {
    expect(peerIdOf(multiaddr(`/ip4/1.2.3.4/tcp/1/p2p/${ID}`))).toBe(ID)
    expect(peerIdOf(multiaddr('/ip4/1.2.3.4/tcp/1'))).toBeUndefined()
  })

  it('is the last /p2p/ of a relay address: the peer behind the relay', () => {
    expect(peerIdOf(multiaddr(`/ip4/192.0.2.1/tcp/7400/p2p/${RELAY}/p2p-circuit/p2p/${ID}`))).toBe(ID)
  })

  it('is undefined for a ws address without /p2p/', () => {
    expect(peerIdOf(multiaddr('/ip4/192.0.2.1/tcp/7400/ws'))).toBeUndefined()
  })
})

describe('shareableAddrs', () => {
  const ranked = (addrs: string[]): string[] => shareableAddrs(addrs.map(a => multiaddr(a))).map(String)

  it('keeps one address per listener, preferring public over private over loopback', () => {
    expect(ranked([
      `/ip4/127.0.0.1/tcp/7400/p2p/${ID}`,
      `/ip4/192.168.1.5/tcp/7400/p2p/${ID}`,
      `/ip4/8.8.4.4/tcp/7400/p2p/${ID}`,
      `/ip4/127.0.0.1/tcp/7401/ws/p2p/${ID}`,
      `/ip4/10.0.0.2/tcp/7401/ws/p2p/${ID}`
    ])).toEqual([
      `/ip4/8.8.4.4/tcp/7400/p2p/${ID}`,
      `/ip4/10.0.0.2/tcp/7401/ws/p2p/${ID}`
    ])
  })

  it('prefers public over private over loopback whatever the order', () => {
    const addrs = ['/ip4/8.8.4.4/tcp/1', '/ip4/10.0.0.2/tcp/1', '/ip4/127.0.0.1/tcp/1']
    for (const order of [addrs, [...addrs].reverse(), [addrs[1], addrs[0], addrs[2]]]) {
      expect(ranked(order as string[])).toEqual(['/ip4/8.8.4.4/tcp/1'])
    }
    expect(ranked(['/ip4/127.0.0.1/tcp/2', '/ip4/172.16.0.9/tcp/2'])).toEqual(['/ip4/172.16.0.9/tcp/2'])
  })

  it('offers loopback when that is all there is', () => {
    expect(ranked([`/ip4/127.0.0.1/tcp/9/p2p/${ID}`])).toEqual([`/ip4/127.0.0.1/tcp/9/p2p/${ID}`])
  })

  it('keeps tcp and ws listeners apart even when they share a host', () => {
    expect(ranked([
      `/ip4/192.168.1.5/tcp/7400/p2p/${ID}`,
      `/ip4/192.168.1.5/tcp/7401/ws/p2p/${ID}`,
      `/ip4/192.168.1.5/tcp/7402/wss/p2p/${ID}`
    ])).toEqual([
      `/ip4/192.168.1.5/tcp/7400/p2p/${ID}`,
      `/ip4/192.168.1.5/tcp/7401/ws/p2p/${ID}`,
      `/ip4/192.168.1.5/tcp/7402/wss/p2p/${ID}`
    ])
  })

  it('ranks IPv6 the same way, and a DNS name above any IP', () => {
    expect(ranked(['/ip6/::1/tcp/3', '/ip6/2001:4860:4860::8888/tcp/3'])).toEqual(['/ip6/2001:4860:4860::8888/tcp/3'])
    expect(ranked(['/ip4/8.8.4.4/tcp/4/ws', '/dns4/grid.example/tcp/4/ws'])).toEqual(['/dns4/grid.example/tcp/4/ws'])
  })

  it('groups a listener\'s addresses with and without /p2p/ together', () => {
    expect(ranked(['/ip4/127.0.0.1/tcp/5', `/ip4/8.8.4.4/tcp/5/p2p/${ID}`])).toEqual([`/ip4/8.8.4.4/tcp/5/p2p/${ID}`])
  })

  it('skips addresses another machine cannot dial directly, and gives nothing for nothing', () => {
    expect(ranked([`/p2p/${RELAY}/p2p-circuit/p2p/${ID}`])).toEqual([])
    expect(shareableAddrs([])).toEqual([])
  })
})

describe('sameHostAddrs', () => {
  it('keeps the loopback address of each listener, IPv4 first, for a second node on this machine', () => {
    const addrs = [
      `/ip4/192.168.1.5/tcp/7400/p2p/${ID}`,
      `/ip6/::1/tcp/7400/p2p/${ID}`,
      `/ip4/127.0.0.1/tcp/7400/p2p/${ID}`,
      `/ip4/10.0.0.2/tcp/7401/ws/p2p/${ID}`,
      `/ip4/127.0.0.1/tcp/7401/ws/p2p/${ID}`,
      `/ip4/8.8.4.4/tcp/7402/p2p/${ID}`
    ].map(a => multiaddr(a))
    expect(sameHostAddrs(addrs).map(String)).toEqual([
      `/ip4/127.0.0.1/tcp/7400/p2p/${ID}`,
      `/ip4/127.0.0.1/tcp/7401/ws/p2p/${ID}`
    ])
  })
})
