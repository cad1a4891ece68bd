/**
 * PublicRanges (src/network/public-ranges.ts): the internet's classification by default (private,
 * loopback, CGNAT, link-local and test-net addresses are not public); a declared range turns
 * exactly its own addresses public; anything that is not a CIDR block throws
 * InvalidPublicRangeError saying what to give, and so does validateInit for a non-array.
 */
import { describe, expect, it } from 'vitest'
import { InvalidPublicRangeError } from '../src/errors.js'
import { PublicRanges } from '../src/network/public-ranges.js'
import { validateInit } from '../src/validate-init.js'

function thrown (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}

describe('PublicRanges: the internet by default', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['10.99.0.10', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.20', 'private'],
    ['100.64.0.9', 'private'],
    ['100.127.255.254', 'private'],
    ['169.254.10.1', 'private'],
    ['192.0.2.2', 'private'],
    ['198.51.100.7', 'private'],
    ['203.0.113.7', 'private'],
    ['fd00::1', 'private'],
    ['fe80::1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['8.8.4.4', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2606:4700::1111', 'public']
  ])('%s is %s', (ip, scope) => {
    expect(PublicRanges.internet.scopeOf(ip)).toBe(scope)
    expect(new PublicRanges([]).scopeOf(ip)).toBe(scope)
  })

  it('declares no range', () => {
    expect(PublicRanges.internet.ranges).toEqual([])
  })
})

describe('PublicRanges: declared ranges', () => {
  it('10.0.0.0/8 turns every 10.x address public and leaves the other private ranges private', () => {
    const ranges = new PublicRanges(['10.0.0.0/8'])
    expect(ranges.ranges).toEqual(['10.0.0.0/8'])
    expect(ranges.scopeOf('10.0.0.1')).toBe('public')
    expect(ranges.scopeOf('10.255.255.254')).toBe('public')
    expect(ranges.scopeOf('192.168.1.20')).toBe('private')
    expect(ranges.scopeOf('172.16.0.1')).toBe('private')
    expect(ranges.scopeOf('100.64.0.9')).toBe('private')
    expect(ranges.scopeOf('127.0.0.1')).toBe('loopback')
    expect(ranges.scopeOf('8.8.4.4')).toBe('public')
    expect(ranges.scopeOf('fd00::1')).toBe('private')
  })

  it('10.99.0.0/16 turns only 10.99.x public: the rest of 10.x stays private', () => {
    const ranges = new PublicRanges(['10.99.0.0/16'])
    expect(ranges.scopeOf('10.99.0.10')).toBe('public')
    expect(ranges.scopeOf('10.99.255.1')).toBe('public')
    expect(ranges.scopeOf('10.98.0.10')).toBe('private')
    expect(ranges.scopeOf('10.100.0.10')).toBe('private')
    expect(ranges.scopeOf('10.1.2.3')).toBe('private')
  })

  it('normalises a range given with host bits and surrounding whitespace', () => {
    const ranges = new PublicRanges([' 10.99.1.2/16 '])
    expect(ranges.ranges).toEqual(['10.99.0.0/16'])
    expect(ranges.scopeOf('10.99.3.4')).toBe('public')
  })

  it('an IPv6 fd00::/8 turns unique-local addresses public, not link-local ones nor IPv4', () => {
    const ranges = new PublicRanges(['fd00::/8'])
    expect(ranges.ranges).toHaveLength(1)
    expect(ranges.scopeOf('fd00::1')).toBe('public')
    expect(ranges.scopeOf('fd12:3456::9')).toBe('public')
    expect(ranges.scopeOf('fc00::1')).toBe('private')
    expect(ranges.scopeOf('fe80::1')).toBe('private')
    expect(ranges.scopeOf('::1')).toBe('loopback')
    expect(ranges.scopeOf('10.1.2.3')).toBe('private')
    expect(ranges.scopeOf('8.8.4.4')).toBe('public')
  })

  it('several ranges at once, IPv4 beside IPv6', () => {
    const ranges = new PublicRanges(['10.99.0.0/16', '172.16.0.0/12', 'fd00::/8'])
    expect(['10.99.0.1', '172.20.0.1', 'fd00::5', '10.1.0.1', '192.168.0.1'].map(ip => ranges.scopeOf(ip))).toEqual(['public', 'public', 'public', 'private', 'private'])
  })

  it('loopback stays loopback even inside a declared range', () => {
    expect(new PublicRanges(['127.0.0.0/8']).scopeOf('127.0.0.1')).toBe('loopback')
  })
})

describe('PublicRanges: bad input', () => {
  it.each<[string, unknown]>([
    ['not CIDR', 'not-a-range'],
    ['a number', 8],
    ['a prefix over 32 for IPv4', '10.0.0.0/33'],
    ['a prefix over 128 for IPv6', 'fd00::/129'],
    ['an address without a prefix', '10.0.0.0'],
    ['a hostname', 'grid.example.org/8'],
    ['a bare hostname', 'grid.example.org'],
    ['an empty string', ''],
    ['an octet over 255', '300.0.0.0/8'],
    ['null', null]
  ])('rejects %s with InvalidPublicRangeError saying what to give', (_what, value) => {
    const err = thrown(() => new PublicRanges([value as string]))
    expect(err).toBeInstanceOf(InvalidPublicRangeError)
    expect(err.name).toBe('InvalidPublicRangeError')
    expect(err.message).toContain(`invalid public range ${JSON.stringify(value)}`)
    expect(err.message).toMatch(/give CIDR blocks such as 10\.0\.0\.0\/8 or fd00::\/8/)
  })

  it('blames the bad entry among good ones', () => {
    const err = thrown(() => new PublicRanges(['10.0.0.0/8', '10.0.0.0', 'fd00::/8']))
    expect(err).toBeInstanceOf(InvalidPublicRangeError)
    expect(err.message).toContain('"10.0.0.0"')
  })
})

describe('validateInit: publicRanges', () => {
  it('turns the list into PublicRanges', () => {
    const v = validateInit({ dataDir: '/tmp/x', publicRanges: ['10.99.0.0/16'] })
    expect(v.ranges.ranges).toEqual(['10.99.0.0/16'])
    expect(v.ranges.scopeOf('10.99.0.10')).toBe('public')
  })

  it('defaults to the internet\'s ranges', () => {
    const v = validateInit({ dataDir: '/tmp/x' })
    expect(v.ranges.ranges).toEqual([])
    expect(v.ranges.scopeOf('10.99.0.10')).toBe('private')
  })

  it.each<[string, unknown]>([
    ['a string', '10.0.0.0/8'],
    ['a number', 8],
    ['an object', { range: '10.0.0.0/8' }]
  ])('rejects %s instead of a list with InvalidPublicRangeError', (_what, publicRanges) => {
    const err = thrown(() => validateInit({ dataDir: '/tmp/x', publicRanges: publicRanges as string[] }))
    expect(err).toBeInstanceOf(InvalidPublicRangeError)
    expect(err.message).toMatch(/give CIDR blocks such as 10\.0\.0\.0\/8/)
  })

  it('rejects a bad entry in the list', () => {
    expect(() => validateInit({ dataDir: '/tmp/x', publicRanges: ['10.0.0.0/33'] })).toThrow(InvalidPublicRangeError)
  })
})
