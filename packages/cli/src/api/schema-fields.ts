/**
 * Building blocks of the API's schemas: each field type says, in its own error message, which
 * field is wrong and what to send instead, so a 400 reads as advice.
 */
import { parseMultiaddr } from '@grid-node/core'
import { peerIdFromString } from '@libp2p/peer-id'
import * as v from 'valibot'
import type { Multiaddr } from '@multiformats/multiaddr'

type Entries = Record<string, v.GenericSchema>

/** A JSON object with exactly these fields; a missing one gets its own field's message. */
export function jsonObject<E extends Entries> (entries: E): v.StrictObjectSchema<E, v.ErrorMessage<v.StrictObjectIssue>> {
  return v.strictObject(entries, issue => {
    if (issue.expected === 'never') return `unknown field "${String(issue.input)}": send only ${fieldList(entries)}`
    const key = issue.path?.[0]?.key
    if (typeof key === 'string' && key in entries) return missing(entries, key)
    return 'the request body must be a JSON object'
  })
}

/** URL query parameters (each a string, or an array when `multiple`) with exactly these names. */
export function queryParams<E extends Entries> (entries: E): v.StrictObjectSchema<E, v.ErrorMessage<v.StrictObjectIssue>> {
  return v.strictObject(entries, issue => {
    if (issue.expected === 'never') return `unknown query parameter "${String(issue.input)}": use only ${Object.keys(entries).join(', ')}`
    const key = issue.path?.[0]?.key
    return typeof key === 'string' && key in entries ? missing(entries, key) : 'the query string is not valid'
  })
}

export function boolean (field: string): v.BooleanSchema<string> {
  return v.boolean(`"${field}" must be true or false (a JSON boolean, not a string)`)
}

export function text (field: string, what: string, maxLength: number): v.SchemaWithPipe<readonly [v.StringSchema<string>, v.MaxLengthAction<string, number, string>]> {
  return v.pipe(v.string(`"${field}" must be ${what}`), v.maxLength(maxLength, `"${field}" must be at most ${maxLength} characters`))
}

/** A JSON number that is a whole number within [min, max]. */
export function wholeNumber (field: string, min: number, max: number): v.GenericSchema<number> {
  const message = `"${field}" must be a whole number from ${min} to ${max}`
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message))
}

/** The same, as the text of a query parameter. */
export function wholeNumberParam (field: string, min: number, max: number): v.GenericSchema<string, number> {
  const message = `"${field}" must be a whole number from ${min} to ${max}`
  return v.pipe(v.string(message), v.regex(/^\d{1,16}$/, message), v.transform(Number), v.minValue(min, message), v.maxValue(max, message))
}

export function oneOf<const T extends readonly string[]> (field: string, options: T): v.PicklistSchema<T, string> {
  return v.picklist(options, `"${field}" must be ${options.map(o => `"${o}"`).join(' or ')}`)
}

/** Tag strings (their syntax is checked by the node, which also normalises them). */
export function tagList (field: string, max: number, min = 0): v.GenericSchema<string[]> {
  const message = `"${field}" must be an array of ${min > 0 ? 'at least one ' : ''}tag strings, e.g. ["#cars"]`
  return v.pipe(v.array(v.string(message), message), v.minLength(min, message), v.maxLength(max, `"${field}" takes at most ${max} tags`))
}

/** A peer ID string, parsed as libp2p parses it; `orEmpty` also takes "" for none. */
export function peerId (field: string, orEmpty = false): v.GenericSchema<string> {
  return v.pipe(
    v.string(`"${field}" must be a peer ID string, e.g. 12D3KooW…`),
    v.check(s => (orEmpty && s === '') || isPeerId(s), issue => `"${field}": "${String(issue.input).slice(0, 80)}" is not a peer ID (expected something like 12D3KooW…)`)
  )
}

/** A multiaddr string, parsed as the node parses it (and given to the route parsed). */
export function multiaddrText (field: string, maxLength: number): v.GenericSchema<string, Multiaddr> {
  const message = `"${field}" must be a multiaddr string, e.g. /ip4/192.0.2.1/tcp/7400/p2p/12D3KooW…`
  return v.pipe(
    v.string(message),
    v.nonEmpty(message),
    v.maxLength(maxLength, `"${field}" must be at most ${maxLength} characters`),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return parseMultiaddr(field, dataset.value)
      } catch (err: any) {
        addIssue({ message: String(err.message) })
        return NEVER
      }
    })
  )
}

export function peerList (field: string, max: number): v.GenericSchema<string[]> {
  return v.pipe(v.array(peerId(field), `"${field}" must be an array of peer IDs, e.g. ["12D3KooW…"]`), v.maxLength(max, `"${field}" takes at most ${max} peer IDs`))
}

function isPeerId (text: string): boolean {
  try {
    peerIdFromString(text)
    return true
  } catch {
    return false
  }
}

/** A missing field's message is what its own schema says about `undefined`. */
function missing (entries: Entries, key: string): string {
  const schema = entries[key]
  const message = schema == null ? undefined : v.safeParse(schema, undefined).issues?.[0]?.message
  return message ?? `"${key}" is required`
}

function fieldList (entries: Entries): string {
  return Object.keys(entries).map(k => `"${k}"`).join(', ')
}
