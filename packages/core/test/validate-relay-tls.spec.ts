import { describe, expect, it } from 'vitest'
import { validateInit } from '../src/validate-init.js'

const PEM = { cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n' }

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
})
