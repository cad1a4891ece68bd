/**
 * validateInit beyond validate.spec.ts: the names it accepts at the edges, which value of a list
 * it blames, what it hands back, and that it never touches the data dir.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { InvalidMultiaddrError, InvalidNetworkError } from '../src/errors.js'
import { validateInit } from '../src/validate-init.js'

const ID = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'

function thrown (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}

describe('validateInit', () => {
  it.each(['main', 'a', '0net', 'lab.grid_2-test', 'x'.repeat(32)])('accepts the network name %j', (network) => {
    expect(validateInit({ dataDir: '/tmp/x', network }).network).toBe(network)
  })

  it.each(['', ' main', 'main ', 'Main', 'a/b', 'a b', '.hidden', '_x', '-lead', 'x'.repeat(33), 'grid/kad'])('rejects the network name %j with InvalidNetworkError naming it', (network) => {
    const err = thrown(() => validateInit({ dataDir: '/tmp/x', network }))
    expect(err).toBeInstanceOf(InvalidNetworkError)
    expect(err.name).toBe('InvalidNetworkError')
    expect(err.message).toContain(`invalid network name "${network}"`)
  })

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

  it('blames the bad value of a list, not the first one', () => {
    const listen = thrown(() => validateInit({ dataDir: '/tmp/x', listen: ['/ip4/0.0.0.0/tcp/7400', '0.0.0.0:7401'] }))
    expect(listen).toBeInstanceOf(InvalidMultiaddrError)
    expect(listen.message).toContain('invalid listen address "0.0.0.0:7401"')
    const bootstrap = thrown(() => validateInit({ dataDir: '/tmp/x', bootstrap: [`/ip4/192.0.2.1/tcp/7400/p2p/${ID}`, '/ip4/192.0.2.1/udp/x'] }))
    expect(bootstrap).toBeInstanceOf(InvalidMultiaddrError)
    expect(bootstrap.message).toContain('invalid bootstrap address "/ip4/192.0.2.1/udp/x"')
  })

  it('checks the network before the addresses', () => {
    expect(thrown(() => validateInit({ dataDir: '/tmp/x', network: 'Bad', listen: ['bad'] })).name).toBe('InvalidNetworkError')
  })

  it('takes lan as auto (the default), true or false, and refuses anything else naming the choices', () => {
    expect(validateInit({ dataDir: '/tmp/x' }).lan).toBe('auto')
    for (const lan of [true, false, 'auto'] as const) expect(validateInit({ dataDir: '/tmp/x', lan }).lan).toBe(lan)
    const err = thrown(() => validateInit({ dataDir: '/tmp/x', lan: 'yes' as any }))
    expect(err.name).toBe('InvalidLanSettingError')
    expect(err.message).toMatch(/invalid lan setting "yes": use 'auto'.*true.*false/)
  })

  it('never touches the data dir', () => {
    const dataDir = join(tmpdir(), `grid-validate-${process.pid}-${Date.now()}`)
    validateInit({ dataDir })
    thrown(() => validateInit({ dataDir, network: 'Bad' }))
    expect(existsSync(dataDir)).toBe(false)
  })
})
