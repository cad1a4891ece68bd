/**
 * NDJSON both ways, with no socket: what a route writes (the first item before the status, so
 * an early failure is still a 4xx) and what the client reads (lines split across chunks).
 */
import { describe, expect, it } from 'vitest'
import { acceptsNdjson, readNdjson, writeNdjson } from '../src/api/ndjson.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A stand-in for a ServerResponse that records what was written. */
function recorder (): ServerResponse & { status?: number, headers?: Record<string, string>, text: string, ended: boolean } {
  const res = {
    text: '',
    ended: false,
    writeHead (status: number, headers: Record<string, string>) { res.status = status; res.headers = headers; return res },
    write (chunk: string) { res.text += chunk; return true },
    end () { res.ended = true; return res }
  } as any
  return res
}

function stream (chunks: string[]): ReadableStream<Uint8Array<ArrayBuffer>> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start (controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
      controller.close()
    }
  })
}

async function collect<T> (items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

describe('writeNdjson', () => {
  it('answers 200 with one JSON line per item, then ends', async () => {
    const res = recorder()
    await writeNdjson(res, (async function * () { yield { a: 1 }; yield 'two'; yield [3] })())
    expect([res.status, res.headers?.['content-type'], res.text, res.ended]).toEqual([200, 'application/x-ndjson; charset=utf-8', '{"a":1}\n"two"\n[3]\n', true])
  })

  it('an empty stream is a 200 with no lines', async () => {
    const res = recorder()
    await writeNdjson(res, (async function * () {})())
    expect([res.status, res.text, res.ended]).toEqual([200, '', true])
  })

  it('a failure before the first item throws before any status is sent', async () => {
    const res = recorder()
    await expect(writeNdjson(res, (async function * () { throw new Error('bad tag') })())).rejects.toThrow('bad tag')
    expect(res.status).toBeUndefined()
  })
})

describe('readNdjson', () => {
  it('yields each line as parsed JSON, however the chunks split it; blank lines are skipped', async () => {
    expect(await collect(readNdjson(stream(['{"a":', '1}\n\n"tw', 'o"\n[3]\n'])))).toEqual([{ a: 1 }, 'two', [3]])
  })

  it('reads back what writeNdjson wrote', async () => {
    const res = recorder()
    const items = [{ type: 'result', value: { n: 1 } }, { type: 'error', message: 'line\nbreak' }]
    await writeNdjson(res, (async function * () { yield * items })())
    expect(await collect(readNdjson(stream([res.text])))).toEqual(items)
  })
})

describe('acceptsNdjson', () => {
  it.each([
    ['application/x-ndjson', true],
    ['application/json, application/x-ndjson', true],
    ['application/json', false],
    [undefined, false]
  ])('Accept: %s → %s', (accept, expected) => {
    expect(acceptsNdjson({ headers: accept != null ? { accept } : {} } as IncomingMessage)).toBe(expected)
  })
})
