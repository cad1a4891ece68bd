import { describe, expect, it } from 'vitest'
import { validateInit } from '../src/validate-init.js'

describe('validateInit', () => {
  it('applies the defaults', () => {
    const v = validateInit({ dataDir: '/tmp/x' })
    expect(v.network).toBe('main')
    expect(v.listen).toEqual(['/ip4/0.0.0.0/tcp/7400', '/ip4/0.0.0.0/tcp/7401/ws'])
    expect(v.bootstrap).toEqual([])
  })

  it.each(['', 'Main', 'a/b', 'x'.repeat(33), '-lead'])('rejects the network name %j', (network) => {
    expect(() => validateInit({ dataDir: '/tmp/x', network })).toThrow(expect.objectContaining({ name: 'InvalidNetworkError' }))
  })

  it('rejects a bad listen or bootstrap address with InvalidMultiaddrError', () => {
    expect(() => validateInit({ dataDir: '/tmp/x', listen: ['tcp:7400'] })).toThrow(/invalid listen address "tcp:7400"/)
    expect(() => validateInit({ dataDir: '/tmp/x', bootstrap: ['/dns4'] })).toThrow(expect.objectContaining({ name: 'InvalidMultiaddrError' }))
  })
})
