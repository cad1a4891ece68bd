/**
 * Pub/sub between the grid's peers, on gossipsub: topics named by users (`chat`) and scoped to
 * the network on the wire, messages signed by their sender (StrictSign), bounded in size and in
 * rate per sender, each subscriber reading through a bounded buffer.
 */
import * as c from '../constants.js'
import { MessageTooLargeError, NotStartedError, PublishRateError, SubscriptionLimitError } from '../errors.js'
import { SenderRate } from './rate-guard.js'
import { Subscription } from './subscription.js'
import { topicName, validateTopic, wireTopic } from './topic.js'
import type { GridServices } from '../network/libp2p-options.js'
import type { PubSubGuard } from './guard.js'
import type { GossipsubMessage } from '@libp2p/gossipsub'
import type { AbortOptions, ComponentLogger, Libp2p, Logger, PeerId } from '@libp2p/interface'

/** One message of a subscribed topic. */
export interface PubSubMessage {
  /** The topic's name, as subscribed (`chat`). */
  topic: string
  /** Who published it: its signature was checked against this peer ID. */
  from: PeerId
  data: Uint8Array
  /** `data` as text, when it is valid UTF-8. */
  text?: string
  /** The sender's sequence number for it. */
  seqno: bigint
  /** Gossipsub's ID of the message (sender and sequence number): the same on every peer. */
  id: string
  /** When this node received it (ms since the epoch). */
  receivedAt: number
  /** Messages of this subscription dropped just before this one because its reader was slow. */
  dropped?: number
}

export interface SubscribeOptions {
  /** Ends the subscription (the iteration finishes). */
  signal?: AbortSignal
}

/** `node.pubsub`: topics between peers, scoped to the node's network. */
export interface GridNodePubSub {
  /**
   * Messages of a topic from now on, this node's own included, until the signal aborts or the
   * loop ends. Each subscription buffers 128 messages / 2 MiB for a slow reader, then drops the
   * oldest (the next message's `dropped` says how many). Throws TopicInvalidError for a bad name.
   */
  subscribe(topic: string, options?: SubscribeOptions): AsyncIterableIterator<PubSubMessage>
  /**
   * Signs and sends a message (a string is sent as UTF-8) to the topic's peers; resolves to how
   * many peers it went to directly (they pass it on). Throws TopicInvalidError,
   * MessageTooLargeError (over 64 KiB) or PublishRateError (over 20 at once, then 10 a second).
   */
  publish(topic: string, data: Uint8Array | string, options?: AbortOptions): Promise<number>
  /** The topics this node is subscribed to. */
  topics(): string[]
  /** The peers this node knows to be subscribed to a topic. */
  peers(topic: string): PeerId[]
  /** A peer's gossipsub score here: below 0 it is penalised, at -80 ignored (see the README's limits). */
  score(peer: PeerId): number
  /** Every message of every subscribed topic, as it arrives; returns the unsubscribe. */
  onMessage(listener: (message: PubSubMessage) => void): () => void
}

export interface PubSubComponents {
  libp2p: Libp2p<GridServices>
  guard: PubSubGuard
  logger: ComponentLogger
}

export interface PubSubInit {
  network: string
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class PubSubService implements GridNodePubSub {
  private readonly components: PubSubComponents
  private readonly network: string
  private readonly log: Logger
  private readonly subscriptions = new Map<string, Set<Subscription>>()
  private readonly listeners = new Set<(message: PubSubMessage) => void>()
  private readonly publishRate = new SenderRate({ ...c.PUBSUB_PUBLISH_RATE, maxSenders: 1 })
  private started = false

  constructor (components: PubSubComponents, init: PubSubInit) {
    this.components = components
    this.network = init.network
    this.log = components.logger.forComponent('grid:pubsub')
  }

  private get gossip (): GridServices['pubsub'] { return this.components.libp2p.services.pubsub }

  start (): void {
    if (this.started) return
    this.started = true
    this.gossip.addEventListener('gossipsub:message', this.onGossip)
  }

  stop (): void {
    if (!this.started) return
    this.started = false
    this.gossip.removeEventListener('gossipsub:message', this.onGossip)
    for (const subs of [...this.subscriptions.values()]) for (const sub of [...subs]) sub.end()
    this.listeners.clear()
  }

  subscribe (topic: string, options: SubscribeOptions = {}): AsyncIterableIterator<PubSubMessage> {
    this.assertStarted()
    validateTopic(topic)
    let subs = this.subscriptions.get(topic)
    if (subs == null && this.subscriptions.size >= c.PUBSUB_MAX_TOPICS) throw new SubscriptionLimitError(`this node is subscribed to ${c.PUBSUB_MAX_TOPICS} topics already, the most it takes; end a subscription first`)
    const count = [...this.subscriptions.values()].reduce((n, s) => n + s.size, 0)
    if (count >= c.PUBSUB_MAX_SUBSCRIPTIONS) throw new SubscriptionLimitError(`this node has ${c.PUBSUB_MAX_SUBSCRIPTIONS} subscriptions already, the most it takes; end one first`)
    if (subs == null) {
      subs = new Set()
      this.subscriptions.set(topic, subs)
      const wire = wireTopic(this.network, topic)
      this.gossip.topicValidators.set(wire, this.components.guard.validate)
      this.gossip.subscribe(wire)
      this.log('subscribed to %s', wire)
    }
    const sub: Subscription = new Subscription(topic, c.PUBSUB_SUBSCRIPTION_BUFFER, () => { this.ended(sub) }, options.signal)
    subs.add(sub)
    if (options.signal?.aborted === true) sub.end()
    return sub
  }

  async publish (topic: string, data: Uint8Array | string, _options: AbortOptions = {}): Promise<number> {
    this.assertStarted()
    const wire = wireTopic(this.network, topic)
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
    if (!(bytes instanceof Uint8Array)) throw new TypeError('publish takes a Uint8Array or a string')
    if (bytes.byteLength > this.components.guard.maxMessageBytes) throw new MessageTooLargeError(bytes.byteLength, this.components.guard.maxMessageBytes)
    if (!this.publishRate.take('self')) throw new PublishRateError(c.PUBSUB_PUBLISH_RATE.burst, c.PUBSUB_PUBLISH_RATE.perSecond)
    const { recipients } = await this.gossip.publish(wire, bytes)
    const self = this.components.libp2p.peerId
    return recipients.filter(peer => !peer.equals(self)).length
  }

  topics (): string[] {
    return [...this.subscriptions.keys()]
  }

  peers (topic: string): PeerId[] {
    if (!this.started) return []
    return this.gossip.getSubscribers(wireTopic(this.network, topic))
  }

  score (peer: PeerId): number {
    const scored = this.gossip as unknown as { getScore?: (peer: string) => number }
    return scored.getScore?.(peer.toString()) ?? 0
  }

  onMessage (listener: (message: PubSubMessage) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private readonly onGossip = (event: CustomEvent<GossipsubMessage>): void => {
    const { msg, msgId } = event.detail
    if (msg.type !== 'signed') return
    const topic = topicName(this.network, msg.topic)
    const subs = topic != null ? this.subscriptions.get(topic) : undefined
    if (topic == null || subs == null) return
    const message: PubSubMessage = { topic, from: msg.from, data: msg.data, seqno: msg.sequenceNumber, id: msgId, receivedAt: Date.now() }
    const text = textOf(msg.data)
    if (text != null) message.text = text
    for (const sub of subs) sub.push(message)
    for (const listener of this.listeners) {
      try {
        listener(message)
      } catch (err) {
        this.log.error('a pub/sub message listener threw - %e', err)
      }
    }
  }

  /** The last subscription of a topic gone: leave the topic. */
  private ended (sub: Subscription): void {
    const subs = this.subscriptions.get(sub.topic)
    if (subs == null || !subs.delete(sub) || subs.size > 0) return
    this.subscriptions.delete(sub.topic)
    if (!this.started) return
    const wire = wireTopic(this.network, sub.topic)
    try {
      this.gossip.unsubscribe(wire)
    } catch (err) {
      this.log('could not leave %s - %e', wire, err)
    }
    this.gossip.topicValidators.delete(wire)
  }

  private assertStarted (): void {
    if (!this.started) throw new NotStartedError()
  }
}

function textOf (data: Uint8Array): string | undefined {
  try {
    return utf8.decode(data)
  } catch {
    return undefined
  }
}
