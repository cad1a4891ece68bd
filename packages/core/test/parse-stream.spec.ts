import { describe, expect, it } from 'vitest'
import { streamRows } from '../src/catalog/row-stream.js'
import { parseRows } from '../src/catalog/parse-rows.js'
import type { Format, Row } from '../src/catalog/parse.js'

const encoder = new TextEncoder()

/** The text's bytes in pieces of `size`, so every boundary case (mid-string, mid-character) is crossed. */
async function * pieces (text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = encoder.encode(text)
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size)
}

async function rows (text: string, format: Format, size = 3, maxRow = 1024): Promise<Row[]> {
  const out: Row[] = []
  for await (const row of streamRows(pieces(text, size), format, 'f', maxRow)) out.push(row)
  return out
}

describe('streaming dataset rows', () => {
  const samples: Array<[Format, string]> = [
    ['csv', '\uFEFFname,n,ok,when\n"a, b",1.5,true,\nc,-2,false,"7"\n"ü\ne",3,,x\n'],
    ['json', '\uFEFF [ {"a":1, "s":"}]\\"{[,"},\n {"a":{"deep":[1,{"x":"é"}]}} ,{"b":null}\n]\n'],
    ['jsonl', '\uFEFF{"a":1}\r\n\n{"a":"ü}"}\n{"b":[1,2]}']
  ]
  it.each(samples)('%s gives the rows parseRows gives, whatever the chunk size', async (format, text) => {
    const whole = parseRows(text.replace(/^\uFEFF/, ''), format, 'f')
    for (const size of [1, 2, 3, 7, 64, 4096]) expect(await rows(text, format, size)).toEqual(whole)
  })

  it.each([
    ['[{"a":1} {"a":2}]', 'json', /^f:1: not valid JSON \(expected ',' or ']' after element 0\)$/],
    ['[{"a":1},]', 'json', /^f:1: not valid JSON \(a comma before ']'\)$/],
    ['[{"a":1},\n2]', 'json', /^f:2: element 1 is not an object/],
    ['{"a":1}', 'json', /^f:1: a JSON dataset must be an array of objects$/],
    ['[{"a":1}', 'json', /^f:1: not valid JSON \(the array does not end\)$/],
    ['[{"a":1}] x', 'json', /^f:1: not valid JSON \(text after the end of the array\)$/],
    ['[{"a":1},\n\n{"a":\n}]', 'json', /^f:4: not valid JSON/],
    ['{"a":1}\n{"a":\n', 'jsonl', /^f:2: not valid JSON/],
    ['a,b\n1,2\n3,4,5\n', 'csv', /^f:3: .*columns length is 2, got 3/]
  ] as const)('names file, line and reason for %j', async (text, format, message) => {
    await expect(rows(text, format)).rejects.toMatchObject({ name: 'DatasetParseError', message: expect.stringMatching(message) })
  })

  it('bounds one row: an endless line or element fails at the row limit instead of filling memory', async () => {
    const long = 'x'.repeat(2000)
    await expect(rows(`{"a":"${long}"}\n`, 'jsonl', 100, 1000)).rejects.toMatchObject({ message: expect.stringMatching(/^f:1: the line is longer than 1000 bytes/) })
    await expect(rows(`[{"a":1},{"a":"${long}"}]`, 'json', 100, 1000)).rejects.toMatchObject({ message: expect.stringMatching(/^f:1: element 1 is longer than 1000 bytes/) })
    await expect(rows(`a\n"${long}"\n`, 'csv', 100, 1000)).rejects.toMatchObject({ name: 'DatasetParseError' })
  })
})
