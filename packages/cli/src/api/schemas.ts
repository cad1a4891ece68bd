/**
 * Every body and query the API takes, declared once: the routes parse with these and nothing
 * else, so a wrong type is a 400 naming the field, never a 500 from deeper down.
 */
import { GRID_EVENT_TYPES, MAX_APPROVAL_LABEL, MAX_REPLICAS } from '@grid-node/core'
import * as v from 'valibot'
import * as c from './constants.js'
import { boolean, jsonObject, multiaddrText, oneOf, peerId, peerList, queryParams, tagList, text, wholeNumber, wholeNumberParam } from './schema-fields.js'

/** `POST /join`, the old gateway's shape: dial this node. */
export const JoinBody = jsonObject({
  'node-address': multiaddrText('node-address', c.MAX_MULTIADDR_LENGTH),
  'node-id': v.optional(peerId('node-id', true))
})

/** `POST /search`, the old gateway's shape. */
export const GatewaySearchBody = jsonObject({
  query: tagList('query', c.MAX_TAGS, 1)
})

const ROWS_MESSAGE = '"rows" must be an array of objects, one per row: [{"column": value, …}]'

/** `POST /v1/datasets`: a file on the node's machine, or the rows themselves. */
export const AddDatasetBody = jsonObject({
  tags: tagList('tags', c.MAX_TAGS, 1),
  path: v.optional(v.pipe(
    text('path', 'an absolute file path on the node\'s machine', c.MAX_PATH_LENGTH),
    v.startsWith('/', '"path" must be an absolute file path on the node\'s machine, starting with /')
  )),
  rows: v.optional(v.array(v.record(v.string(), v.unknown(), ROWS_MESSAGE), ROWS_MESSAGE)),
  name: v.optional(text('name', 'a dataset name such as cars-2024', c.MAX_PATH_LENGTH)),
  description: v.optional(text('description', 'a string', c.MAX_BODY_BYTES)),
  private: v.optional(boolean('private')),
  allow: v.optional(peerList('allow', c.MAX_ALLOW_PEERS)),
  approveOnly: v.optional(boolean('approveOnly'))
})

/** `POST /v1/run`: the job and where it runs. */
export const RunBody = jsonObject({
  code: v.pipe(
    text('code', 'the job\'s ES module source, a string', c.MAX_BODY_BYTES),
    v.nonEmpty('"code" must be the job\'s ES module source, a non-empty string')
  ),
  tags: v.optional(tagList('tags', c.MAX_TAGS)),
  match: v.optional(oneOf('match', ['any', 'all'] as const)),
  peers: v.optional(peerList('peers', c.MAX_RUN_PEERS)),
  dataset: v.optional(text('dataset', 'a dataset name', c.MAX_PATH_LENGTH)),
  args: v.optional(v.unknown()),
  timeoutMs: v.optional(wholeNumber('timeoutMs', 0, c.MAX_RUN_TIMEOUT)),
  retries: v.optional(wholeNumber('retries', 0, c.MAX_RUN_RETRIES)),
  allowLocal: v.optional(boolean('allowLocal')),
  replicas: v.optional(wholeNumber('replicas', 1, MAX_REPLICAS)),
  engine: v.optional(oneOf('engine', ['auto', 'quickjs', 'v8'] as const))
})

/** `POST /v1/approvals`: a code CID to run on this node's approve-only datasets (the node checks its form). */
export const ApproveBody = jsonObject({
  cid: text('cid', 'a code CID such as bafkrei… (`grid-node approve job.js` computes it)', c.MAX_CID_LENGTH),
  label: v.optional(text('label', 'a string naming the code, e.g. its file name', MAX_APPROVAL_LABEL))
})

/** `GET /v1/search?tag=…&match=…&limit=…&timeout=…` */
export const SearchQuery = queryParams({
  tag: v.pipe(
    v.array(v.string()),
    v.minLength(1, 'give at least one ?tag=, e.g. /v1/search?tag=%23cars'),
    v.maxLength(c.MAX_TAGS, `give at most ${c.MAX_TAGS} ?tag= parameters`)
  ),
  match: v.optional(oneOf('match', ['any', 'all'] as const)),
  limit: v.optional(wholeNumberParam('limit', 1, c.MAX_SEARCH_LIMIT)),
  timeout: v.optional(wholeNumberParam('timeout', 1, c.MAX_SEARCH_TIMEOUT))
})

/** `GET /v1/peers?all=1`: also the peers not seen for RECENT_PEER_WINDOW. */
export const PeersQuery = queryParams({
  all: v.optional(v.pipe(v.picklist(['1', '0', 'true', 'false'], '"all" must be 1 or 0 (or true or false)'), v.transform(s => s === '1' || s === 'true')))
})

/**
 * `GET /v1/events?since=<seq>&types=peer:up,peer:down`: replay from after `since`, only these
 * types (comma-separated, or the parameter repeated).
 */
export const EventsQuery = queryParams({
  since: v.optional(wholeNumberParam('since', 0, Number.MAX_SAFE_INTEGER)),
  types: v.pipe(
    v.array(v.string()),
    v.transform(values => values.flatMap(t => t.split(',')).map(t => t.trim()).filter(t => t !== '')),
    v.check(types => types.every(t => (GRID_EVENT_TYPES as readonly string[]).includes(t)), issue => {
      const unknown = (issue.input as string[]).find(t => !(GRID_EVENT_TYPES as readonly string[]).includes(t)) ?? ''
      return `unknown event type "${unknown.slice(0, 80)}" in "types": use ${GRID_EVENT_TYPES.join(', ')}`
    })
  )
})

export type RunRequest = v.InferOutput<typeof RunBody>
export type ApproveRequest = v.InferOutput<typeof ApproveBody>
export type AddDatasetRequest = v.InferOutput<typeof AddDatasetBody>
export type SearchRequest = v.InferOutput<typeof SearchQuery>
