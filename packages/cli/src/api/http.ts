import * as v from 'valibot'
import { MAX_BODY_BYTES, MAX_JSON_DEPTH } from './constants.js'
import { BodyInvalidError, BodyTooLargeError, ContentTypeError, QueryInvalidError } from './errors.js'
import { jsonTooDeep } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** At most this many problems are listed in one 400; fixing them shows the next. */
const MAX_LISTED_ISSUES = 3

export function sendJson (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/**
 * A signal aborted when the response closes: the client went away (cancelling what its request
 * started), or the answer is complete.
 */
export function abortOnClose (res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  res.once('close', () => { controller.abort() })
  return controller.signal
}

/**
 * Reads a request body as the schema says: 415 unless it is `application/json`, 413 past
 * `maxBytes` (MAX_BODY_BYTES unless a route says otherwise; before buffering more), 400 for
 * text that is not JSON, nests past MAX_JSON_DEPTH, or does not match the schema, naming the field.
 */
export async function readJsonBody<S extends v.GenericSchema> (req: IncomingMessage, schema: S, maxBytes = MAX_BODY_BYTES): Promise<v.InferOutput<S>> {
  const type = req.headers['content-type']
  if (!isJson(type)) throw new ContentTypeError(type)
  const text = await readText(req, maxBytes)
  const deep = jsonTooDeep(text, MAX_JSON_DEPTH)
  if (deep != null) throw new BodyInvalidError(`${deep.field != null ? `"${deep.field}"` : 'the request body'} nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new BodyInvalidError('the request body is not valid JSON')
  }
  if (body == null || typeof body !== 'object' || Array.isArray(body)) throw new BodyInvalidError('the request body must be a JSON object')
  return parseWith(schema, body, message => new BodyInvalidError(message))
}

/** The URL's query as the schema says; `multiple` names the parameters that may repeat (always arrays). */
export function readQuery<S extends v.GenericSchema> (req: IncomingMessage, schema: S, multiple: string[] = []): v.InferOutput<S> {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams
  const query: Record<string, string | string[]> = {}
  for (const name of multiple) query[name] = params.getAll(name)
  for (const name of new Set(params.keys())) {
    if (multiple.includes(name)) continue
    const values = params.getAll(name)
    query[name] = values.length === 1 ? values[0] ?? '' : values
  }
  return parseWith(schema, query, message => new QueryInvalidError(message))
}

function parseWith<S extends v.GenericSchema> (schema: S, value: unknown, error: (message: string) => Error): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: false })
  if (result.success) return result.output
  const messages = [...new Set(result.issues.map(i => i.message))]
  throw error(messages.slice(0, MAX_LISTED_ISSUES).join('; '))
}

/** `application/json`, with or without parameters such as `; charset=utf-8`. */
function isJson (type: string | undefined): boolean {
  return type?.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

async function readText (req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxBytes) throw new BodyTooLargeError(maxBytes)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw new BodyTooLargeError(maxBytes)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
