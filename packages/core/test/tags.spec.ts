import { describe, expect, it } from 'vitest'
import { normaliseTag, normaliseTags, tagKey } from '../src/tags.js'

describe('tags', () => {
  it.each([
    ['#mnist', '#mnist'],
    ['  #MNIST ', '#mnist'],
    ['boston-housing', '#boston-housing'],
    ['#compute:js', '#compute:js'],
    ['#a.b_c/d', '#a.b_c/d']
  ])('normalises %j to %s', (input, tag) => {
    expect(normaliseTag(input)).toBe(tag)
  })

  it.each(['', '#', '##cars', '#-cars', '#no spaces', '#ünïcode', `#${'x'.repeat(65)}`, '#semi;colon'])('rejects %j with TagInvalidError', (input) => {
    expect(() => normaliseTag(input)).toThrow(expect.objectContaining({ name: 'TagInvalidError', message: expect.stringContaining(`invalid tag "${input}"`) }))
  })

  it('drops duplicates after normalising, keeping order', () => {
    expect(normaliseTags(['#B', 'a', '#b'])).toEqual(['#b', '#a'])
  })

  it('keys a tag per network as CIDv1(raw, sha256("grid-tag:v1:<network>:<tag>"))', async () => {
    const key = await tagKey('main', '#MNIST')
    expect(key.version).toBe(1)
    expect(key.code).toBe(0x55)
    expect(key.multihash.code).toBe(0x12)
    const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('grid-tag:v1:main:#mnist')))
    expect(key.multihash.digest).toEqual(expected)
    expect((await tagKey('main', 'mnist')).equals(key)).toBe(true)
    expect((await tagKey('lab', '#mnist')).equals(key)).toBe(false)
  })
})
