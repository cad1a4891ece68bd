/**
 * UTF-8 text that arrives in chunks, decoded as it comes and strictly (bytes that are not UTF-8
 * make the whole text invalid). Each chunk goes through the platform's fast whole-buffer decoder
 * (a streaming TextDecoder takes a slower path); a character cut between two chunks waits for
 * the rest of its bytes.
 */
export class Utf8Chunks {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })
  private readonly texts: string[] = []
  /** The first bytes of a character the last chunk cut off. */
  private carry: Uint8Array = new Uint8Array(0)
  private invalid = false

  add (chunk: Uint8Array): void {
    if (this.invalid || chunk.byteLength === 0) return
    try {
      if (this.carry.byteLength > 0) {
        const missing = sequenceLength(this.carry[0] as number) - this.carry.byteLength
        const taken = chunk.subarray(0, missing)
        const joined = new Uint8Array(this.carry.byteLength + taken.byteLength)
        joined.set(this.carry)
        joined.set(taken, this.carry.byteLength)
        chunk = chunk.subarray(taken.byteLength)
        if (taken.byteLength < missing) { this.carry = joined; return }
        this.carry = new Uint8Array(0)
        this.texts.push(this.decoder.decode(joined))
      }
      const cut = completeUpTo(chunk)
      this.texts.push(this.decoder.decode(chunk.subarray(0, cut)))
      this.carry = chunk.slice(cut)
    } catch {
      this.invalid = true
      this.texts.length = 0
    }
  }

  /** The whole text, or undefined when the bytes were not UTF-8 (a character cut off at the end included). */
  end (): string | undefined {
    if (this.invalid || this.carry.byteLength > 0) return undefined
    const text = this.texts.join('')
    this.texts.length = 0
    return text
  }
}

/** How many bytes the character a lead byte starts has (1 for a byte that cannot lead one: the decoder refuses it). */
function sequenceLength (lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf7) return 4
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1
  if (lead >= 0xc0) return 2
  return 1
}

/** Where the chunk's last complete character ends: before a lead byte whose character runs past the chunk. */
function completeUpTo (chunk: Uint8Array): number {
  for (let at = chunk.byteLength - 1; at >= 0 && at >= chunk.byteLength - 3; at--) {
    const byte = chunk[at] as number
    // a continuation byte: look further back for its lead
    if ((byte & 0xc0) === 0x80) continue
    return at + sequenceLength(byte) > chunk.byteLength ? at : chunk.byteLength
  }
  return chunk.byteLength
}
