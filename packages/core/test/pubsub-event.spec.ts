import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { PUBSUB_EVENT_MAX_BYTES } from '../src/constants.js'
import { pubsubEvent } from '../src/events/pubsub-event.js'
import type { PubSubMessage } from '../src/pubsub/pubsub-service.js'

const FROM = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'

function message (data: Uint8Array, text?: string): PubSubMessage {
  return { topic: 'chat', from: peerIdFromString(FROM), data, ...(text != null ? { text } : {}), seqno: 1n, id: 'm1', receivedAt: 0 }
}

describe('a pub/sub message as an event', () => {
  it('carries its text when it is UTF-8', () => {
    expect(pubsubEvent(message(new TextEncoder().encode('héllo'), 'héllo'))).toEqual({ type: 'pubsub:message', topic: 'chat', from: FROM, bytes: 6, text: 'héllo' })
  })

  it('carries other bytes in base64', () => {
    expect(pubsubEvent(message(Uint8Array.of(0xff, 0x00, 0xfe)))).toEqual({ type: 'pubsub:message', topic: 'chat', from: FROM, bytes: 3, base64: '/wD+' })
  })

  it(`past ${PUBSUB_EVENT_MAX_BYTES} bytes, only its size: the kept events stay small`, () => {
    const big = 'x'.repeat(PUBSUB_EVENT_MAX_BYTES + 1)
    expect(pubsubEvent(message(new TextEncoder().encode(big), big))).toEqual({ type: 'pubsub:message', topic: 'chat', from: FROM, bytes: PUBSUB_EVENT_MAX_BYTES + 1 })
  })
})
