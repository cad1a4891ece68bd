import { describe, expect, it } from 'vitest'
import { formatOf } from '../src/catalog/parse.js'
import { parseRows } from '../src/catalog/parse-rows.js'
import { inferColumns } from '../src/catalog/schema.js'

describe('parsing datasets', () => {
  it('reads CSV with typed cells: numbers, booleans, empty as null, quoted stays text', () => {
    const rows = parseRows('name,n,ok,when\n"a, b",1.5,true,\nc,-2,false,"7"\n', 'csv', 'f.csv')
    expect(rows).toEqual([{ name: 'a, b', n: 1.5, ok: true, when: null }, { name: 'c', n: -2, ok: false, when: '7' }])
  })

  it('reads JSON arrays of objects and JSONL, skipping blank lines', () => {
    expect(parseRows('[{"a":1},{"a":2}]', 'json', 'f.json')).toEqual([{ a: 1 }, { a: 2 }])
    expect(parseRows('{"a":1}\n\n{"a":2}\r\n', 'jsonl', 'f.jsonl')).toEqual([{ a: 1 }, { a: 2 }])
  })

  it.each([
    ['a,b\n1\n', 'csv', /^f:2: /],
    ['[1]', 'json', /^f: element 0 is not an object/],
    ['{"a":1}\n"x"', 'jsonl', /^f:2: the line is not an object/],
    ['[{"a":1},\n{"a" 1}]', 'json', /^f:2: not valid JSON \(Expected ':' after property name\)$/]
  ] as const)('reports file, line and reason for %j', (text, format, message) => {
    expect(() => parseRows(text, format, 'f')).toThrow(expect.objectContaining({ name: 'DatasetParseError', message: expect.stringMatching(message) }))
  })

  it('knows formats by extension', () => {
    expect(['a.CSV', 'b.json', 'c.jsonl', 'd.ndjson', 'e.txt'].map(formatOf)).toEqual(['csv', 'json', 'jsonl', 'jsonl', undefined])
  })

  it('infers columns in order of appearance, typed by non-null values', () => {
    expect(inferColumns([{ a: 1, b: null }, { a: 2, c: 'x', b: null }, { a: 'three', c: { nested: true } }])).toEqual([
      { name: 'a', type: 'mixed' }, { name: 'b', type: 'null' }, { name: 'c', type: 'mixed' }
    ])
    expect(inferColumns([{ n: 1, s: 's', t: true, o: [1] }])).toEqual([
      { name: 'n', type: 'number' }, { name: 's', type: 'string' }, { name: 't', type: 'boolean' }, { name: 'o', type: 'object' }
    ])
  })
})
