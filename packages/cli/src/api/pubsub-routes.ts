/**
 * Pub/sub on the local API: publish a message to a topic, follow a topic's messages as NDJSON
 * (until the client goes away), and see this node's topics and its peers' scores.
 */
import { once } from 'node:events'
import { PUBSUB_MAX_MESSAGE_BYTES, SubscriptionLimitError, validateTopic } from '@grid-node/core'
import * as v from 'valibot'
import { EVENT_KEEP_ALIVE } from './constants.js'
import { BodyInvalidError, PathInvalidError } from './errors.js'
import { abortOnClose, readJsonBody } from './http.js'
import { NDJSON_TYPE } from './ndjson.js'
import { jsonObject } from './schema-fields.js'
import { pubsubMessageAnswer } from './shapes.js'
import type { Route } from './route.js'
import type { PubSubLine, PubSubStatusAnswer, PublishAnswer } from './shapes.js'
import type { GridNode } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * A publish body carries one message of up to 64 KiB: as base64 (4/3 of it) or as JSON text,
 * whose escapes take up to 6 bytes a byte (`\u0001`). Beyond that it cannot be a valid message.
 */
const MAX_PUBLISH_BODY_BYTES = 6 * PUBSUB_MAX_MESSAGE_BYTES + 1024
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
/** Topic streams open at once: each holds one of the API's 64 ordinary connections, so at most half of them. */
const MAX_PUBSUB_STREAMS = 32
/** Said on an idle topic stream every EVENT_KEEP_ALIVE (15 s), while the client keeps up: a client that hears nothing for much longer knows the node is gone. */
const KEEP_ALIVE = `${JSON.stringify({ type: 'keep-alive' } satisfies PubSubLine)}\n`
/** Topic streams open per node, against MAX_PUBSUB_STREAMS. */
const streams = new WeakMap<GridNode, number>()

/** `{"text": "hello"}` or `{"base64": "aGVsbG8="}`: exactly one. */
const PublishBody = v.pipe(
  jsonObject({
    text: v.optional(v.string('"text" must be a string: the message, sent as UTF-8')),
    base64: v.optional(v.pipe(v.string('"base64" must be a string of base64'), v.regex(BASE64, '"base64" must be base64 (A-Z a-z 0-9 + /, = padding)')))
  }),
  v.check(body => (body.text != null) !== (body.base64 != null), 'send the message as exactly one of "text" (a string) or "base64" (bytes)')
)

export const pubsubRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/pubsub$/, handler: pubsubStatus },
  { method: 'POST', pattern: /^\/v1\/pubsub\/([^/]+)$/, handler: publish },
  { method: 'GET', pattern: /^\/v1\/pubsub\/([^/]+)$/, handler: follow }
]

/** `POST /v1/pubsub/<topic> {"text": "hello"}` → `{"topic","peers"}`: signed and sent to the topic's peers. */
async function publish (node: GridNode, req: IncomingMessage, [encoded]: string[]): Promise<PublishAnswer> {
  const topic = topicOf(encoded ?? '')
  const body = await readJsonBody(req, PublishBody, MAX_PUBLISH_BODY_BYTES)
  if (body.base64 != null && body.base64.length % 4 !== 0) throw new BodyInvalidError('"base64" must be padded base64 (a multiple of 4 characters)')
  const data = body.text ?? new Uint8Array(Buffer.from(body.base64 ?? '', 'base64'))
  const peers = await node.pubsub.publish(topic, data)
  return { topic, peers }
}

/**
 * `GET /v1/pubsub/<topic>`: NDJSON, `{"type":"subscribed"}` at once, then one line per message
 * (and `{"type":"keep-alive"}` after 15 s of none) for as long as the client reads. A client that does not keep up loses the oldest messages of
 * its subscription's buffer (the next line says how many), never the node's memory.
 */
async function follow (node: GridNode, _req: IncomingMessage, [encoded]: string[], res: ServerResponse): Promise<undefined> {
  const topic = topicOf(encoded ?? '')
  if ((streams.get(node) ?? 0) >= MAX_PUBSUB_STREAMS) throw new SubscriptionLimitError(`${MAX_PUBSUB_STREAMS} topic streams are open on this API already, the most it serves at once; close one first`)
  const messages = node.pubsub.subscribe(topic, { signal: abortOnClose(res) })
  streams.set(node, (streams.get(node) ?? 0) + 1)
  let keepAlive: ReturnType<typeof setInterval> | undefined
  try {
    res.writeHead(200, { 'content-type': `${NDJSON_TYPE}; charset=utf-8`, 'cache-control': 'no-store' })
    const first: PubSubLine = { type: 'subscribed', topic, peers: node.pubsub.peers(topic).length }
    res.write(`${JSON.stringify(first)}\n`)
    keepAlive = setInterval(() => { if (res.writableLength === 0) res.write(KEEP_ALIVE) }, EVENT_KEEP_ALIVE)
    for await (const message of messages) {
      if (!res.write(`${JSON.stringify(pubsubMessageAnswer(message))}\n`)) {
        await Promise.race([once(res, 'drain'), once(res, 'close')])
      }
      if (res.destroyed) break
    }
    res.end()
  } finally {
    clearInterval(keepAlive)
    streams.set(node, (streams.get(node) ?? 1) - 1)
  }
  return undefined
}

/** `GET /v1/pubsub`: topics this node is subscribed to, with their peers, and every connected peer's score. */
async function pubsubStatus (node: GridNode): Promise<PubSubStatusAnswer> {
  return {
    topics: node.pubsub.topics().map(topic => ({ topic, peers: node.pubsub.peers(topic).map(String) })),
    scores: node.libp2p.getPeers().map(peer => ({ peerId: peer.toString(), score: round(node.pubsub.score(peer)) }))
  }
}

function topicOf (encoded: string): string {
  let name: string
  try {
    name = decodeURIComponent(encoded)
  } catch {
    throw new PathInvalidError(`"${encoded.slice(0, 80)}" is not a URL-encoded topic name`)
  }
  return validateTopic(name)
}

function round (score: number): number {
  return Math.round(score * 100) / 100
}
