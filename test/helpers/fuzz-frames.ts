// Malformed and random frames for the catalog and compute protocols, drawn from a seeded PRNG so
// a failing run is reproduced by its seed. The protobuf is written by hand: the fuzz needs field
// types, lengths and orders a protobuf library would refuse to produce.

/** A small, fast, seedable PRNG (sfc32): the same seed gives the same frames. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (seed: number) {
    this.a = 0x9e3779b9; this.b = 0x243f6a88; this.c = 0xb7e15162; this.d = seed >>> 0
    for (let i = 0; i < 15; i++) this.next()
  }

  /** A uniform 32-bit unsigned integer. */
  next (): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** An integer in [min, max]. */
  int (min: number, max: number): number {
    return min + Math.floor((this.next() / 0x1_0000_0000) * (max - min + 1))
  }

  /** Small sizes much more often than large ones: fast to send, and still sometimes huge. */
  size (max: number): number {
    return Math.min(max, Math.floor(Math.exp((this.next() / 0x1_0000_0000) * Math.log(max + 1))))
  }

  chance (p: number): boolean {
    return this.next() / 0x1_0000_0000 < p
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!
  }

  bytes (n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const v = this.next()
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff
    }
    return out
  }
}

const utf8 = new TextEncoder()

export function varint (value: number | bigint): Uint8Array {
  let v = BigInt(value)
  const out: number[] = []
  do {
    let byte = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) byte |= 0x80
    out.push(byte)
  } while (v > 0n)
  return Uint8Array.from(out)
}

export function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.byteLength }
  return out
}

/** A length-prefixed frame, as `lpStream` writes one. */
export function lp (body: Uint8Array): Uint8Array {
  return concat([varint(body.byteLength), body])
}

/** Protobuf fields, any field number and wire type, well-formed or not. */
export const pb = {
  key: (field: number, wireType: number): Uint8Array => varint((BigInt(field) << 3n) | BigInt(wireType)),
  uint: (field: number, value: number | bigint): Uint8Array => concat([pb.key(field, 0), varint(value)]),
  bytes: (field: number, value: Uint8Array): Uint8Array => concat([pb.key(field, 2), varint(value.byteLength), value]),
  string: (field: number, value: string): Uint8Array => pb.bytes(field, utf8.encode(value))
}

export type Target = 'catalog' | 'compute'

/** What a fuzz stream sends, and how it ends its side. */
export interface StreamPlan {
  kind: string
  /** Each is passed to one `stream.send()`. */
  chunks: Uint8Array[]
  /** How many frames (length-prefixed units, or blobs of random bytes) the chunks hold. */
  frames: number
  /** `close`: half-close after sending; `abort`: reset; `keep`: leave it open, the holder must time out. */
  end: 'close' | 'abort' | 'keep'
  /** The holder should answer this one (its first frame is a valid request). */
  answerExpected: boolean
}

/** The limits each protocol enforces, from packages/core/src/constants.ts. */
export const LIMITS: Record<Target, { maxBytes: number }> = {
  catalog: { maxBytes: 16 * 1024 },
  compute: { maxBytes: 1024 * 1024 }
}

const TAGS = ['#fuzz', '#compute:js', '#x', '#nums', '#a-b.c:d/e']

/** A request the holder accepts and answers quickly. */
export function validRequest (target: Target, rng: Rng): Uint8Array {
  if (target === 'catalog') return concat([pb.string(1, rng.pick(TAGS)), ...(rng.chance(0.5) ? [pb.uint(2, 1)] : [])])
  return concat([
    pb.string(1, `fuzz-${rng.next()}`),
    pb.string(2, rng.pick(['export default () => 1', 'export default ({ args }) => args', 'export default ({ data }) => data.length'])),
    ...(rng.chance(0.3) ? [pb.string(3, 'fuzz')] : []),
    pb.string(4, rng.pick(['null', '[1,2]', '{"a":"b"}'])),
    pb.uint(5, rng.int(0, 2_000))
  ])
}

/** One protobuf field with a random number, a random (often wrong or invalid) wire type and content. */
function wrongField (rng: Rng): Uint8Array {
  const field = rng.chance(0.8) ? rng.int(1, 6) : rng.pick([0, 7, 100, 2 ** 29 - 1, rng.int(8, 2 ** 29 - 1)])
  switch (rng.int(0, 7)) {
    case 0: return pb.uint(field, rng.chance(0.5) ? rng.next() : 2n ** 64n - 1n) // varint where a string is expected
    case 1: return pb.bytes(field, rng.bytes(rng.size(64))) // bytes (invalid UTF-8) where a number or bool is expected
    case 2: return concat([pb.key(field, 1), rng.bytes(8)]) // fixed64
    case 3: return concat([pb.key(field, 5), rng.bytes(4)]) // fixed32
    case 4: return concat([pb.key(field, rng.pick([3, 4])), rng.bytes(rng.size(8))]) // a group start or end out of place
    case 5: return concat([pb.key(field, rng.pick([6, 7])), rng.bytes(rng.size(8))]) // no such wire type
    case 6: return concat([pb.key(field, 2), varint(rng.int(1, 2 ** 31)), rng.bytes(rng.size(16))]) // a length past the end
    default: return concat([pb.key(field, 0), new Uint8Array(11).fill(0x80)]) // a varint that never ends
  }
}

/** JSON arrays nested `depth` deep: cheap to send, and whatever walks it recursively overflows its stack. */
function nested (depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth)
}

/** A hostile value in a well-formed request: large counts, odd names, deep or broken JSON. */
function hostileValues (target: Target, rng: Rng): Uint8Array {
  if (target === 'catalog') {
    const tag = rng.pick(['', '#', 'no-hash', '#' + 'x'.repeat(rng.size(4000)), '#\u0000', '#ÜNICODE', '#a b', '#'.repeat(100)])
    return concat([pb.string(1, tag), pb.uint(2, rng.pick([0, 1, 2, 2 ** 32]))])
  }
  return concat([
    pb.string(1, rng.pick(['', 'x'.repeat(rng.size(10_000))])),
    pb.string(2, rng.pick(['', 'export default 1', 'syntax error (', 'export default () => { throw 1 }', 'export default () => undefined'])),
    pb.string(3, rng.pick(['', 'fuzz', 'nope', '../../../etc/passwd', 'x'.repeat(rng.size(5_000)), '\u0000'])),
    pb.string(4, rng.pick(['', 'not json', '{', '"x"', '1e999', nested(rng.size(200)), nested(rng.pick([10_000, 100_000])), '{"__proto__":{"a":1}}'])),
    pb.uint(5, rng.pick([0, 1, 2 ** 32 - 1, 2n ** 64n - 1n]))
  ])
}

/** Many values of one field: 65+ tags, or one string field a thousand times over. */
function hugeRepeated (target: Target, rng: Rng): Uint8Array {
  const budget = Math.min(LIMITS[target].maxBytes - 8, rng.pick([1_000, 8_000, 16_000, 60_000]))
  const one = target === 'catalog' ? pb.string(1, rng.pick(TAGS)) : pb.string(rng.int(1, 4), 'export default () => 1')
  return concat(Array.from({ length: Math.max(65, Math.floor(budget / one.byteLength)) }, () => one))
}

/** The kinds of frame, each a body and whether the holder should accept it. */
const BODIES: Record<string, (target: Target, rng: Rng) => Uint8Array> = {
  'random-protobuf': (_t, rng) => rng.bytes(rng.size(2_048)),
  'wrong-types': (_t, rng) => concat(Array.from({ length: rng.int(1, 6) }, () => wrongField(rng))),
  'valid-then-wrong': (t, rng) => concat([validRequest(t, rng), wrongField(rng)]),
  'hostile-values': hostileValues,
  'huge-repeated': hugeRepeated,
  'nested-groups': (t, rng) => new Uint8Array(Math.min(LIMITS[t].maxBytes, rng.pick([100, 4_000, 16_000, 200_000]))).fill(0x0b)
}

function anyMalformedFrame (target: Target, rng: Rng): Uint8Array {
  return lp(BODIES[rng.pick(Object.keys(BODIES))]!(target, rng))
}

/** One stream's worth of fuzz, of a random kind. */
export function planStream (target: Target, rng: Rng): StreamPlan {
  const { maxBytes } = LIMITS[target]
  const end = (): StreamPlan['end'] => rng.chance(0.85) ? 'close' : 'abort'
  const kind = rng.pick(['random-bytes', 'oversize-length', 'overlong-varint', 'truncated', 'half-close', 'valid-then-garbage', 'many-frames', 'empty', ...Object.keys(BODIES), ...Object.keys(BODIES)])
  switch (kind) {
    case 'random-bytes':
      return { kind, chunks: [rng.bytes(1 + rng.size(4_096))], frames: 1, end: end(), answerExpected: false }
    case 'oversize-length':
      return { kind, chunks: [varint(maxBytes + 1 + rng.size(2 ** 30)), rng.bytes(rng.size(256))], frames: 1, end: end(), answerExpected: false }
    case 'overlong-varint':
      return { kind, chunks: [new Uint8Array(rng.int(5, 16)).fill(0xff)], frames: 1, end: end(), answerExpected: false }
    case 'truncated': {
      const n = 1 + rng.size(maxBytes - 1)
      return { kind, chunks: [varint(n), rng.bytes(rng.int(0, Math.min(n - 1, 4_096)))], frames: 1, end: end(), answerExpected: false }
    }
    case 'half-close': {
      const frame = lp(validRequest(target, rng))
      return { kind, chunks: [frame.subarray(0, rng.int(0, frame.byteLength - 1))], frames: 1, end: 'close', answerExpected: false }
    }
    case 'valid-then-garbage':
      return { kind, chunks: [lp(validRequest(target, rng)), rng.bytes(1 + rng.size(4_096))], frames: 2, end: 'close', answerExpected: true }
    case 'many-frames': {
      const n = rng.int(2, 64)
      const first = rng.chance(0.3) ? lp(validRequest(target, rng)) : anyMalformedFrame(target, rng)
      const frames = [first, ...Array.from({ length: n - 1 }, () => rng.chance(0.2) ? lp(validRequest(target, rng)) : anyMalformedFrame(target, rng))]
      // sometimes all in one write, sometimes a write each: the holder sees both packings
      return { kind, chunks: rng.chance(0.5) ? [concat(frames)] : frames, frames: n, end: end(), answerExpected: false }
    }
    case 'empty':
      return { kind, chunks: [], frames: 1, end: end(), answerExpected: false }
    default:
      return { kind, chunks: [lp(BODIES[kind]!(target, rng))], frames: 1, end: end(), answerExpected: false }
  }
}

/** A stream that says part of a frame, or nothing, and then stays silent: the holder's deadline must end it. */
export function planStall (target: Target, rng: Rng): StreamPlan {
  const frame = lp(validRequest(target, rng))
  return { kind: 'stall', chunks: rng.chance(0.5) ? [] : [frame.subarray(0, rng.int(1, frame.byteLength - 1))], frames: 1, end: 'keep', answerExpected: false }
}

export function hex (bytes: Uint8Array, max = 256): string {
  const shown = Array.from(bytes.subarray(0, max), b => b.toString(16).padStart(2, '0')).join('')
  return bytes.byteLength > max ? `${shown}… (${bytes.byteLength} bytes)` : shown
}
