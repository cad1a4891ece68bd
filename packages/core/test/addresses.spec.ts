import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { parseMultiaddr, peerIdOf, sameHostAddrs, shareableAddrs } from '../src/network/addresses.js'

const ID = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'

describe('parseMultiaddr', () => {
  it('parses a multiaddr and keeps its text', () => {
    expect(parseMultiaddr('bootstrap address', `/ip4/192.0.2.1/tcp/7400/p2p/${ID}`).toString()).toBe(`/ip4/192.0.2.1/tcp/7400/p2p/${ID}`)
  })

  it.each([
    ['192.0.2.1:7400', /starts with "\/"/],
    ['/ip4/300.1.1.1/tcp/1', /invalid bootstrap address "\/ip4\/300\.1\.1\.1\/tcp\/1"/],
    ['/ip4/1.2.3.4/tcpp/1', /expected a multiaddr such as/]
  ])('rejects %s naming the culprit', (text, message) => {
    expect(() => parseMultiaddr('bootstrap address', text)).toThrow(message)
    try { parseMultiaddr('bootstrap address', text) } catch (err: any) { expect(err.name).toBe('InvalidMultiaddrError') }
  })
})

describe('peerIdOf', () => {
  it('finds the /p2p/ component, or nothing', () => {
    expect(peerIdOf(multiaddr(`/ip4/1.2.3.4/tcp/1/p2p/${ID}`))).toBe(ID)
    expect(peerIdOf(multiaddr('/ip4/1.2.3.4/tcp/1'))).toBeUndefined()
  })
})

describe('shareableAddrs', () => {
  it('keeps one address per listener, preferring public over private over loopback', () => {
    const addrs = [
      `/ip4/127.0.0.1/tcp/7400/p2p/${ID}`,
      `/ip4/192.168.1.5/tcp/7400/p2p/${ID}`,
      `/ip4/8.8.4.4/tcp/7400/p2p/${ID}`,
      `/ip4/127.0.0.1/tcp/7401/ws/p2p/${ID}`,
      `/ip4/10.0.0.2/tcp/7401/ws/p2p/${ID}`
    ].map(a => multiaddr(a))
    expect(shareableAddrs(addrs).map(String)).toEqual([
      `/ip4/8.8.4.4/tcp/7400/p2p/${ID}`,
      `/ip4/10.0.0.2/tcp/7401/ws/p2p/${ID}`
    ])
  })

  it('offers loopback when that is all there is', () => {
    expect(shareableAddrs([multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${ID}`)]).map(String)).toEqual([`/ip4/127.0.0.1/tcp/9/p2p/${ID}`])
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
