/**
 * The API's schemas (src/api/schemas.ts), without sockets: each wrong type is refused with a
 * message naming the field and what to send, and what the CLI sends is accepted. The JSON depth
 * scan the API runs first is core's jsonTooDeep (packages/core/test/json-depth.spec.ts).
 */
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { MAX_RUN_RETRIES, MAX_RUN_TIMEOUT, MAX_SEARCH_LIMIT } from '../src/api/constants.js'
import { AddDatasetBody, GatewaySearchBody, JoinBody, RunBody, SearchQuery } from '../src/api/schemas.js'

const PEER = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'

function problems (schema: v.GenericSchema, value: unknown): string {
  const result = v.safeParse(schema, value, { abortEarly: false })
  return result.success ? '' : result.issues.map(i => i.message).join('; ')
}

describe('API schemas', () => {
  it('take what the CLI sends', () => {
    expect(problems(AddDatasetBody, { path: '/data/cars.csv', tags: ['#cars'], name: 'cars', description: 'd', private: true, allow: [PEER] })).toBe('')
    expect(problems(AddDatasetBody, { rows: [{ a: 1 }], tags: ['#x'] })).toBe('')
    expect(problems(RunBody, { code: 'export default () => 1', args: { k: [1] }, allowLocal: false, match: 'any', tags: ['#cars'], peers: [PEER], dataset: 'cars', timeoutMs: 30_000, retries: 2 })).toBe('')
    expect(problems(JoinBody, { 'node-address': '/ip4/127.0.0.1/tcp/9', 'node-id': '' })).toBe('')
    expect(problems(GatewaySearchBody, { query: ['#mnist'] })).toBe('')
    expect(v.parse(SearchQuery, { tag: ['#cars'], match: 'all', limit: '5', timeout: '3000' })).toEqual({ tag: ['#cars'], match: 'all', limit: 5, timeout: 3000 })
  })

  it.each([
    ['"private":"true"', AddDatasetBody, { path: '/a.csv', tags: ['#x'], private: 'true' }, /"private" must be true or false/],
    ['"allow":["not-a-peer"]', AddDatasetBody, { path: '/a.csv', tags: ['#x'], allow: ['not-a-peer'] }, /"allow": "not-a-peer" is not a peer ID/],
    ['"allow":"x"', AddDatasetBody, { path: '/a.csv', tags: ['#x'], allow: PEER }, /"allow" must be an array of peer IDs/],
    ['"rows":"abc"', AddDatasetBody, { rows: 'abc', tags: ['#x'] }, /"rows" must be an array of objects/],
    ['"rows":[1]', AddDatasetBody, { rows: [1], tags: ['#x'] }, /"rows" must be an array of objects/],
    ['no tags', AddDatasetBody, { path: '/a.csv' }, /"tags" must be an array of at least one tag/],
    ['"tags":"#x"', AddDatasetBody, { path: '/a.csv', tags: '#x' }, /"tags" must be an array/],
    ['a relative path', AddDatasetBody, { path: 'a.csv', tags: ['#x'] }, /"path" must be an absolute file path/],
    ['an unknown field', AddDatasetBody, { path: '/a.csv', tags: ['#x'], publik: true }, /unknown field "publik": send only "tags", "path"/],
    ['"peers":["xx"]', RunBody, { code: 'x', peers: ['xx'] }, /"peers": "xx" is not a peer ID/],
    ['no code', RunBody, { tags: ['#x'] }, /"code" must be the job's ES module source/],
    ['"timeoutMs":1.5', RunBody, { code: 'x', timeoutMs: 1.5 }, /"timeoutMs" must be a whole number from 0 to/],
    ['"engine":"spidermonkey"', RunBody, { code: 'x', engine: 'spidermonkey' }, /"engine" must be "auto" or "quickjs" or "v8"/],
    ['"timeoutMs":1e300', RunBody, { code: 'x', timeoutMs: 1e300 }, new RegExp(`"timeoutMs" must be a whole number from 0 to ${MAX_RUN_TIMEOUT}`)],
    ['"timeoutMs":"30000"', RunBody, { code: 'x', timeoutMs: '30000' }, /"timeoutMs" must be a whole number/],
    ['"retries":-1', RunBody, { code: 'x', retries: -1 }, new RegExp(`"retries" must be a whole number from 0 to ${MAX_RUN_RETRIES}`)],
    ['"allowLocal":"yes"', RunBody, { code: 'x', allowLocal: 'yes' }, /"allowLocal" must be true or false/],
    ['"match":"some"', RunBody, { code: 'x', match: 'some' }, /"match" must be "any" or "all"/],
    ['"node-address":7400', JoinBody, { 'node-address': 7400 }, /"node-address" must be a multiaddr string/],
    ['"node-address":"nope"', JoinBody, { 'node-address': 'nope' }, /invalid node-address "nope"/],
    ['"node-id":"bob"', JoinBody, { 'node-address': '/ip4/127.0.0.1/tcp/9', 'node-id': 'bob' }, /"node-id": "bob" is not a peer ID/],
    ['"query":"#x"', GatewaySearchBody, { query: '#x' }, /"query" must be an array of at least one tag/],
    ['"query":[]', GatewaySearchBody, { query: [] }, /"query" must be an array of at least one tag/],
    ['no ?tag=', SearchQuery, { tag: [] }, /give at least one \?tag=/],
    ['?limit=abc', SearchQuery, { tag: ['#x'], limit: 'abc' }, new RegExp(`"limit" must be a whole number from 1 to ${MAX_SEARCH_LIMIT}`)],
    ['?limit=0', SearchQuery, { tag: ['#x'], limit: '0' }, /"limit" must be a whole number from 1/],
    ['?limit twice', SearchQuery, { tag: ['#x'], limit: ['1', '2'] }, /"limit" must be a whole number/],
    ['?timeout=99999999', SearchQuery, { tag: ['#x'], timeout: '99999999' }, /"timeout" must be a whole number from 1 to 60000/],
    ['?match=some', SearchQuery, { tag: ['#x'], match: 'some' }, /"match" must be "any" or "all"/],
    ['?tags=', SearchQuery, { tag: ['#x'], tags: '#y' }, /unknown query parameter "tags": use only tag, match, limit, timeout/]
  ])('%s is refused, naming the field', (_what, schema, value, message) => {
    expect(problems(schema, value)).toMatch(message)
  })

  it('names every wrong field at once', () => {
    const text = problems(RunBody, { code: 1, retries: 'x' })
    expect(text).toMatch(/"code"/)
    expect(text).toMatch(/"retries"/)
  })
})
