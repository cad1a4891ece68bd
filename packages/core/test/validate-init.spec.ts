/**
 * validateInit (src/validate-init.ts): the defaults it applies, the network names it accepts,
 * which value of a list it blames, the lan setting, relay and TLS, and that it never touches the
 * data dir.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { InvalidMultiaddrError, InvalidNetworkError } from '../src/errors.js'
import { validateInit } from '../src/validate-init.js'

const ID = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'
const PEM = { cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n' }

function thrown (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}

describe('validateInit: defaults', () => {
  it('applies the defaults', () => {
    const v = validateInit({ dataDir: '/tmp/x' })
    expect(v.network).toBe('main')
    expect(v.listen).toEqual(['/ip4/0.0.0.0/tcp/7400', '/ip4/0.0.0.0/tcp/7401/ws'])
    expect(v.bootstrap).toEqual([])
  })
})

describe('validateInit: network name', () => {
  it.each(['main', 'a', '0net', 'lab.grid_2-test', 'x'.repeat(32)])('accepts the network name %j', (network) => {
    expect(validateInit({ dataDir: '/tmp/x', network }).network).toBe(network)
  })

  it.each(['', ' main', 'main ', 'Main', 'a/b', 'a b', '.hidden', '_x', '-lead', 'x'.repeat(33), 'grid/kad'])('rejects the network name %j with InvalidNetworkError naming it', (network) => {
    const err = thrown(() => validateInit({ dataDir: '/tmp/x', network }))
    expect(err).toBeInstanceOf(InvalidNetworkError)
    expect(err.name).toBe('InvalidNetworkError')
    expect(err.message).toContain(`invalid network name "${network}"`)
  })

  it('checks the network before the addresses', () => {
    expect(thrown(() => validateInit({ dataDir: '/tmp/x', network: 'Bad', listen: ['bad'] })).name).toBe('InvalidNetworkError')
  })
})

describe('validateInit: listen and bootstrap addresses', () => {
  it('hands back the listen addresses as text and the bootstrap list as multiaddrs', () => {
    const v = validateInit({
      dataDir: '/tmp/x',
      network: 'lab',
      listen: [' /ip4/127.0.0.1/tcp/0 ', '/ip4/127.0.0.1/tcp/0/ws'],
      bootstrap: [`/ip4/192.0.2.1/tcp/7400/p2p/${ID}`, '/dns4/grid.example/tcp/7401/ws']
    })
    expect(v).toMatchObject({ network: 'lab', listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] })
    expect(v.bootstrap.map(String)).toEqual([`/ip4/192.0.2.1/tcp/7400/p2p/${ID}`, '/dns4/grid.example/tcp/7401/ws'])
    expect(typeof v.bootstrap[0]?.getComponents).toBe('function')
  })

  it('accepts an explicit empty listen list (a node that only dials out)', () => {
    expect(validateInit({ dataDir: '/tmp/x', listen: [] }).listen).toEqual([])
  })

  it('rejects a bad listen or bootstrap address with InvalidMultiaddrError', () => {
    expect(() => validateInit({ dataDir: '/tmp/x', listen: ['tcp:7400'] })).toThrow(/invalid listen address "tcp:7400"/)
    expect(() => validateInit({ dataDir: '/tmp/x', bootstrap: ['/dns4'] })).toThrow(expect.objectContaining({ name: 'InvalidMultiaddrError' }))
  })

  it('blames the bad value of a list, not the first one', () => {
    const listen = thrown(() => validateInit({ dataDir: '/tmp/x', listen: ['/ip4/0.0.0.0/tcp/7400', '0.0.0.0:7401'] }))
    expect(listen).toBeInstanceOf(InvalidMultiaddrError)
    expect(listen.message).toContain('invalid listen address "0.0.0.0:7401"')
    const bootstrap = thrown(() => validateInit({ dataDir: '/tmp/x', bootstrap: [`/ip4/192.0.2.1/tcp/7400/p2p/${ID}`, '/ip4/192.0.2.1/udp/x'] }))
    expect(bootstrap).toBeInstanceOf(InvalidMultiaddrError)
    expect(bootstrap.message).toContain('invalid bootstrap address "/ip4/192.0.2.1/udp/x"')
  })
})

describe('validateInit: lan', () => {
  it('takes lan as auto (the default), true or false, and refuses anything else naming the choices', () => {
    expect(validateInit({ dataDir: '/tmp/x' }).lan).toBe('auto')
    for (const lan of [true, false, 'auto'] as const) expect(validateInit({ dataDir: '/tmp/x', lan }).lan).toBe(lan)
    const err = thrown(() => validateInit({ dataDir: '/tmp/x', lan: 'yes' as any }))
    expect(err.name).toBe('InvalidLanSettingError')
    expect(err.message).toMatch(/invalid lan setting "yes": use 'auto'.*true.*false/)
  })
})

describe('validateInit: relay and TLS (Node.js)', () => {
  it('relays for browser tabs by default, with the default limits, and not when told', () => {
    expect(validateInit({ dataDir: '/tmp/x' }).relay).toEqual({})
    expect(validateInit({ dataDir: '/tmp/x', relay: true }).relay).toEqual({})
    expect(validateInit({ dataDir: '/tmp/x', relay: false }).relay).toBe(false)
    expect(validateInit({ dataDir: '/tmp/x', relay: { maxReservations: 4 } }).relay).toEqual({ maxReservations: 4 })
  })

  it('a certificate adds a wss listener on 7403 to the defaults, not to listeners given', () => {
    expect(validateInit({ dataDir: '/tmp/x', tls: PEM }).listen).toEqual(['/ip4/0.0.0.0/tcp/7400', '/ip4/0.0.0.0/tcp/7401/ws', '/ip4/0.0.0.0/tcp/7403/tls/ws'])
    expect(validateInit({ dataDir: '/tmp/x', tls: PEM, listen: ['/ip4/127.0.0.1/tcp/9/tls/ws'] }).listen).toEqual(['/ip4/127.0.0.1/tcp/9/tls/ws'])
  })

  it.each(['/ip4/127.0.0.1/tcp/9/tls/ws', '/ip4/127.0.0.1/tcp/9/wss'])('refuses %s without a certificate, saying which flags to give', (addr) => {
    expect(() => validateInit({ dataDir: '/tmp/x', listen: [addr] })).toThrow(expect.objectContaining({ name: 'TlsConfigError', message: expect.stringMatching(/--tls-cert and --tls-key/) }))
  })

  it('refuses a certificate or key that is not PEM text', () => {
    expect(() => validateInit({ dataDir: '/tmp/x', tls: { cert: 'not a cert', key: PEM.key } })).toThrow(/must be PEM text/)
    expect(() => validateInit({ dataDir: '/tmp/x', tls: { cert: PEM.cert, key: '' } })).toThrow(/must be PEM text/)
  })

  it('refuses a /webrtc listener with WebRTC turned off, naming the address', () => {
    expect(() => validateInit({ dataDir: '/tmp/x', webrtc: false, listen: ['/p2p-circuit', '/webrtc'] })).toThrow(expect.objectContaining({ name: 'InvalidMultiaddrError', message: expect.stringMatching(/"\/webrtc": WebRTC is off/) }))
    expect(validateInit({ dataDir: '/tmp/x', webrtc: false, listen: ['/p2p-circuit'] }).listen).toEqual(['/p2p-circuit'])
  })

  it('takes STUN/TURN servers for WebRTC, and refuses anything else with an example of what to give', () => {
    expect(() => validateInit({ dataDir: '/tmp/x', iceServers: [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:turn.example.org'], username: 'u', credential: 'c' }] })).not.toThrow()
    const bad: unknown[] = [
      'stun:stun.example.org',
      [{ urls: 'http://example.org' }],
      [{ urls: [] }],
      [{ urls: 'stun:a b' }],
      [{ urls: 'turn:t', username: 1 }],
      Array.from({ length: 9 }, () => ({ urls: 'stun:s' })),
      [null]
    ]
    for (const iceServers of bad) {
      expect(() => validateInit({ dataDir: '/tmp/x', iceServers: iceServers as any })).toThrow(expect.objectContaining({ name: 'InvalidIceServersError', message: expect.stringMatching(/stun:stun\.example\.org:3478/) }))
    }
  })
})

describe('validateInit: the data dir', () => {
  it('never touches the data dir', () => {
    const dataDir = join(tmpdir(), `grid-validate-${process.pid}-${Date.now()}`)
    validateInit({ dataDir })
    thrown(() => validateInit({ dataDir, network: 'Bad' }))
    expect(existsSync(dataDir)).toBe(false)
  })
})
