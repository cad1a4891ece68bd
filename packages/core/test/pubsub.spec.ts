import { TopicValidatorResult } from '@libp2p/gossipsub'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { PUBSUB_PENALTY, PUBSUB_RECEIVE_BURST, PUBSUB_SCORE_THRESHOLDS } from '../src/constants.js'
import { PubSubGuard } from '../src/pubsub/guard.js'
import { PubSubService } from '../src/pubsub/pubsub-service.js'
import { Penalties, SenderRate } from '../src/pubsub/rate-guard.js'
import { Subscription } from '../src/pubsub/subscription.js'
import { topicName, validateTopic, wireTopic } from '../src/pubsub/topic.js'
import type { PubSubMessage } from '../src/pubsub/pubsub-service.js'
import type { Message } from '@libp2p/gossipsub'

const FLOODER = peerIdFromString('12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz')
const FORWARDER = peerIdFromString('12D3KooWGgo1uHfvsMywQGbXgd1PJ8tJ4o5MzJuuEAaGfruf89Eq')

function signed (from = FLOODER, bytes = 5): Message {
  return { type: 'signed', from, topic: '/grid/main/topic/chat', data: new Uint8Array(bytes), sequenceNumber: 1n, signature: new Uint8Array(64), key: undefined as any }
}

function message (n: number, bytes = 10): PubSubMessage {
  return { topic: 'chat', from: FLOODER, data: new Uint8Array(bytes), text: String(n), seqno: BigInt(n), id: String(n), receivedAt: 0 }
}

describe('topic names', () => {
  it('takes 1-64 of A-Z a-z 0-9 . _ - : starting with a letter or digit, and scopes them to the network', () => {
    for (const ok of ['chat', 'Chat', 'room-42', 'jobs.results', 'a:b_c', 'x'.repeat(64), '9lives']) expect(validateTopic(ok)).toBe(ok)
    expect(wireTopic('main', 'chat')).toBe('/grid/main/topic/chat')
    expect(topicName('main', '/grid/main/topic/chat')).toBe('chat')
    expect(topicName('main', '/grid/other/topic/chat')).toBeUndefined()
    expect(topicName('main', '/grid/main/topic/a/b')).toBeUndefined()
  })

  it('refuses anything else with a TopicInvalidError that says what to use', () => {
    for (const bad of ['', ' chat', 'chat ', 'a/b', 'x'.repeat(65), '-chat', 'ch at', 'chät', '.', '/grid/main/topic/chat']) {
      expect(() => validateTopic(bad), bad).toThrow(expect.objectContaining({ name: 'TopicInvalidError', message: expect.stringContaining('1-64 characters of A-Z, a-z, 0-9') }))
    }
  })
})

describe('SenderRate', () => {
  it('allows a burst, then the rate, per sender, and forgets the least recently seen past its bound', () => {
    let now = 0
    const rate = new SenderRate({ burst: 3, perSecond: 2, maxSenders: 2, now: () => now })
    expect([1, 2, 3, 4].map(() => rate.take('a'))).toEqual([true, true, true, false])
    expect(rate.take('b')).toBe(true)
    now = 500
    expect([rate.take('a'), rate.take('a')]).toEqual([true, false])
    rate.take('c')
    expect(rate.size).toBe(2)
  })
})

describe('Penalties', () => {
  it('adds points, caps them and forgives 10% a second', () => {
    let now = 0
    const p = new Penalties({ max: 100, decayPerSecond: 0.9, maxPeers: 10, now: () => now })
    p.add('x', 50)
    p.add('x', 80)
    expect(p.points('x')).toBe(100)
    now = 1000
    expect(p.points('x')).toBeCloseTo(90)
    now = 200_000
    expect(p.points('x')).toBe(0)
  })
})

describe('PubSubGuard', () => {
  it('rejects a flood from its own author and scores it down past the graylist; a forwarder is only ignored', () => {
    let now = 0
    const guard = new PubSubGuard({ now: () => now })
    const results = Array.from({ length: PUBSUB_RECEIVE_BURST + 100 }, () => guard.validate(FLOODER, signed()))
    expect(results.slice(0, PUBSUB_RECEIVE_BURST).every(r => r === TopicValidatorResult.Accept)).toBe(true)
    expect(results.slice(PUBSUB_RECEIVE_BURST).every(r => r === TopicValidatorResult.Reject)).toBe(true)
    expect(guard.score(FLOODER.toString())).toBeLessThan(PUBSUB_SCORE_THRESHOLDS.graylistThreshold)
    // the same author's excess forwarded by another peer: ignored, and the forwarder keeps its score
    expect(guard.validate(FORWARDER, signed())).toBe(TopicValidatorResult.Ignore)
    expect(guard.score(FORWARDER.toString())).toBe(0)
    // forgiven a minute or so after the flood stops
    now = 60_000
    expect(guard.score(FLOODER.toString())).toBeGreaterThan(PUBSUB_SCORE_THRESHOLDS.gossipThreshold)
  })

  it('rejects a message over the size limit and penalises whoever sent it', () => {
    const guard = new PubSubGuard({ maxMessageBytes: 100 })
    expect(guard.validate(FORWARDER, signed(FLOODER, 101))).toBe(TopicValidatorResult.Reject)
    expect(guard.score(FORWARDER.toString())).toBeCloseTo(-PUBSUB_PENALTY.overSize, 2)
    expect(guard.validate(FORWARDER, signed(FLOODER, 100))).toBe(TopicValidatorResult.Accept)
  })
})

describe('Subscription', () => {
  it('hands messages over in order, to a reader waiting or later', async () => {
    const sub = new Subscription('chat', { messages: 10, bytes: 1000 }, () => {})
    const waiting = sub.next()
    sub.push(message(1))
    sub.push(message(2))
    expect((await waiting).value?.text).toBe('1')
    expect((await sub.next()).value?.text).toBe('2')
  })

  it('drops the oldest past its bounds and the next message read says how many', async () => {
    const sub = new Subscription('chat', { messages: 3, bytes: 1000 }, () => {})
    for (let i = 1; i <= 10; i++) sub.push(message(i))
    const first = (await sub.next()).value
    expect(first?.text).toBe('8')
    expect(first?.dropped).toBe(7)
    expect((await sub.next()).value?.dropped).toBeUndefined()
    const bytes = new Subscription('chat', { messages: 100, bytes: 250 }, () => {})
    for (let i = 1; i <= 5; i++) bytes.push(message(i, 100))
    expect((await bytes.next()).value).toMatchObject({ text: '4', dropped: 3 })
  })

  it('ends on abort and on return(), telling its owner once', async () => {
    let ended = 0
    const controller = new AbortController()
    const sub = new Subscription('chat', { messages: 3, bytes: 1000 }, () => { ended++ }, controller.signal)
    const waiting = sub.next()
    controller.abort()
    expect((await waiting).done).toBe(true)
    await sub.return()
    expect(ended).toBe(1)
    sub.push(message(1))
    expect((await sub.next()).done).toBe(true)
  })
})

describe('PubSubService', () => {
  const SELF = peerIdFromString('12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z')

  /** A gossipsub that records what the service asks of it, and can deliver a message. */
  function fakeGossip (): { gossip: any, deliver: (topic: string, text: string, from?: typeof SELF) => void, calls: string[] } {
    const calls: string[] = []
    let listener: ((event: CustomEvent) => void) | undefined
    let seq = 0n
    const gossip = {
      topicValidators: new Map(),
      addEventListener: (_: string, fn: any) => { listener = fn },
      removeEventListener: () => { listener = undefined },
      subscribe: (t: string) => { calls.push(`subscribe ${t}`) },
      unsubscribe: (t: string) => { calls.push(`unsubscribe ${t}`) },
      getSubscribers: () => [FLOODER],
      publish: async (t: string) => { calls.push(`publish ${t}`); return { recipients: [FLOODER, SELF] } }
    }
    const deliver = (topic: string, text: string, from = FLOODER): void => {
      seq++
      listener?.(new CustomEvent('gossipsub:message', { detail: { msgId: `id${seq}`, propagationSource: from, msg: { type: 'signed', from, topic, data: new TextEncoder().encode(text), sequenceNumber: seq } } }))
    }
    return { gossip, deliver, calls }
  }

  async function service (): Promise<{ pubsub: PubSubService, fake: ReturnType<typeof fakeGossip> }> {
    const fake = fakeGossip()
    const pubsub = new PubSubService({ libp2p: { peerId: SELF, services: { pubsub: fake.gossip } } as any, guard: new PubSubGuard(), logger: defaultLogger() }, { network: 'main' })
    pubsub.start()
    return { pubsub, fake }
  }

  it('joins a topic with its validator on the first subscription and leaves it with the last', async () => {
    const { pubsub, fake } = await service()
    const a = pubsub.subscribe('chat')
    const controller = new AbortController()
    pubsub.subscribe('chat', { signal: controller.signal })
    expect(fake.calls).toEqual(['subscribe /grid/main/topic/chat'])
    expect(fake.gossip.topicValidators.has('/grid/main/topic/chat')).toBe(true)
    expect(pubsub.topics()).toEqual(['chat'])
    await a.return?.()
    controller.abort()
    expect(fake.calls).toEqual(['subscribe /grid/main/topic/chat', 'unsubscribe /grid/main/topic/chat'])
    expect(fake.gossip.topicValidators.size).toBe(0)
    expect(pubsub.topics()).toEqual([])
  })

  it('hands each message of its network\'s topic to every subscription and listener, with text when it is UTF-8', async () => {
    const { pubsub, fake } = await service()
    const a = pubsub.subscribe('chat')
    const b = pubsub.subscribe('chat')
    const heard: string[] = []
    pubsub.onMessage(() => { throw new Error('a listener that throws stops nothing') })
    const off = pubsub.onMessage(m => { heard.push(m.text ?? '') })
    fake.deliver('/grid/other/topic/chat', 'another grid')
    fake.deliver('/grid/main/topic/news', 'not subscribed')
    fake.deliver('/grid/main/topic/chat', 'hello')
    const got = (await a.next()).value
    expect(got).toMatchObject({ topic: 'chat', text: 'hello', id: 'id3', seqno: 3n })
    expect(got?.from.equals(FLOODER)).toBe(true)
    expect((await b.next()).value?.text).toBe('hello')
    off()
    fake.deliver('/grid/main/topic/chat', 'again')
    expect(heard).toEqual(['hello'])
  })

  it('publishes to the wire topic and counts the peers it went to, not itself; refuses bad input first', async () => {
    const { pubsub, fake } = await service()
    expect(await pubsub.publish('chat', 'hi')).toBe(1)
    expect(fake.calls).toEqual(['publish /grid/main/topic/chat'])
    await expect(pubsub.publish('no such/topic', 'x')).rejects.toMatchObject({ name: 'TopicInvalidError' })
    await expect(pubsub.publish('chat', new Uint8Array(64 * 1024 + 1))).rejects.toMatchObject({ name: 'MessageTooLargeError' })
    for (let i = 0; i < 19; i++) await pubsub.publish('chat', 'burst')
    await expect(pubsub.publish('chat', 'one too many')).rejects.toMatchObject({ name: 'PublishRateError' })
    expect(fake.calls.length).toBe(20)
  })

  it('ends every subscription when stopped, and refuses to work after', async () => {
    const { pubsub } = await service()
    const sub = pubsub.subscribe('chat')
    const waiting = sub.next()
    pubsub.stop()
    expect((await waiting).done).toBe(true)
    expect(() => pubsub.subscribe('chat')).toThrow(expect.objectContaining({ name: 'NotStartedError' }))
  })
})
