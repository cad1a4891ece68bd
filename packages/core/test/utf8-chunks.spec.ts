import { describe, expect, it } from 'vitest'
import { Utf8Chunks } from '../src/compute/utf8-chunks.js'

const decode = (chunks: Uint8Array[]): string | undefined => {
  const text = new Utf8Chunks()
  for (const chunk of chunks) text.add(chunk)
  return text.end()
}

/** The bytes cut at the given offsets. */
const cut = (bytes: Uint8Array, at: number[]): Uint8Array[] => [0, ...at, bytes.byteLength].slice(1).map((end, i) => bytes.subarray([0, ...at][i], end))

describe('UTF-8 text in chunks', () => {
  it('gives the text back wherever the chunks cut its characters (1 to 4 bytes each)', () => {
    const text = 'aé漢😀'.repeat(50)
    const bytes = new TextEncoder().encode(text)
    // every cut of one character's bytes, and chunks of one byte each
    for (let at = 1; at < 11; at++) expect(decode(cut(bytes, [at, at + 1, at + 3]))).toBe(text)
    expect(decode(Array.from(bytes, b => Uint8Array.of(b)))).toBe(text)
    for (let run = 0; run < 50; run++) {
      const offsets = Array.from({ length: 8 }, () => Math.floor(Math.random() * bytes.byteLength)).sort((a, b) => a - b)
      expect(decode(cut(bytes, offsets))).toBe(text)
    }
    expect(decode([])).toBe('')
  })

  it('refuses bytes that are not UTF-8: a stray continuation byte, a bad lead byte, a character cut off at the end, an overlong form', () => {
    const good = new TextEncoder().encode('ok é')
    expect(decode([good, Uint8Array.of(0x80)])).toBeUndefined()
    expect(decode([Uint8Array.of(0x61, 0xff, 0x61)])).toBeUndefined()
    expect(decode([good, Uint8Array.of(0xe6, 0xbc)])).toBeUndefined()
    expect(decode([Uint8Array.of(0xf0, 0x9f), Uint8Array.of(0x61, 0x61)])).toBeUndefined()
    expect(decode([Uint8Array.of(0xc0), Uint8Array.of(0xaf)])).toBeUndefined()
  })
})
