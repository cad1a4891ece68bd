import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { PUBSUB_EVENT_MAX_BYTES } from '../constants.js'
import type { GridEventBody } from './grid-events.js'
import type { PubSubMessage } from '../pubsub/pubsub-service.js'

/**
 * A message of a subscribed topic as an event: its text when it is UTF-8, else its bytes in
 * base64; past PUBSUB_EVENT_MAX_BYTES only its size (`bytes`), so that the kept events stay small.
 */
export function pubsubEvent (message: PubSubMessage): GridEventBody {
  const bytes = message.data.byteLength
  const body: GridEventBody = { type: 'pubsub:message', topic: message.topic, from: message.from.toString(), bytes }
  if (bytes > PUBSUB_EVENT_MAX_BYTES) return body
  if (message.text != null) return { ...body, text: message.text }
  return { ...body, base64: uint8ArrayToString(message.data, 'base64pad') }
}
