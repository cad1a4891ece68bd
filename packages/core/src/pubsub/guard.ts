/**
 * The topic validator every subscribed topic runs, and the score it feeds: messages over the
 * size limit, or over one sender's rate, are not delivered or forwarded; the peer that sent them
 * itself earns penalty points, which gossipsub subtracts from its score (see PUBSUB_PENALTY).
 */
import * as c from '../constants.js'
import { Penalties, SenderRate } from './rate-guard.js'
import type { Message, TopicValidatorResult } from '@libp2p/gossipsub'
import type { Logger, PeerId } from '@libp2p/interface'

/**
 * Gossipsub's verdicts by value, not imported: a value import would put gossipsub's code in a
 * page's first chunk (see lazy-gossipsub.ts).
 */
const VERDICT = { accept: 'accept', reject: 'reject', ignore: 'ignore' } as Record<'accept' | 'reject' | 'ignore', TopicValidatorResult>

export interface PubSubGuardInit {
  maxMessageBytes?: number
  /** Messages a sender may send at once, as received (above what a node lets itself publish). */
  burst?: number
  perSecond?: number
  now?: () => number
  log?: Logger
}

export class PubSubGuard {
  readonly maxMessageBytes: number
  private readonly rate: SenderRate
  private readonly penalties: Penalties
  private readonly log?: Logger

  constructor (init: PubSubGuardInit = {}) {
    this.maxMessageBytes = init.maxMessageBytes ?? c.PUBSUB_MAX_MESSAGE_BYTES
    const now = init.now != null ? { now: init.now } : {}
    this.rate = new SenderRate({ burst: init.burst ?? c.PUBSUB_RECEIVE_BURST, perSecond: init.perSecond ?? c.PUBSUB_PUBLISH_RATE.perSecond, maxSenders: c.PUBSUB_MAX_TRACKED_SENDERS, ...now })
    this.penalties = new Penalties({ max: c.PUBSUB_PENALTY.max, decayPerSecond: c.PUBSUB_PENALTY.decayPerSecond, maxPeers: c.PUBSUB_MAX_TRACKED_SENDERS, ...now })
    if (init.log != null) this.log = init.log
  }

  /** Gossipsub's application-specific score of a peer: minus its penalty points. */
  readonly score = (peer: string): number => 0 - this.penalties.points(peer)

  /**
   * Oversized: rejected, and its sender penalised (no honest node forwards one). Over the
   * author's rate: rejected and penalised when the author sent it itself, only ignored when
   * another peer forwarded it (that peer's own bucket for the author may have had room).
   */
  readonly validate = (source: PeerId, message: Message): TopicValidatorResult => {
    const sourceId = source.toString()
    if (message.data.byteLength > this.maxMessageBytes) {
      this.penalties.add(sourceId, c.PUBSUB_PENALTY.overSize)
      this.log?.('rejected a %d-byte message on %s from %p', message.data.byteLength, message.topic, source)
      return VERDICT.reject
    }
    if (message.type !== 'signed') return VERDICT.reject
    if (this.rate.take(message.from.toString())) return VERDICT.accept
    if (message.from.equals(source)) {
      this.penalties.add(sourceId, c.PUBSUB_PENALTY.overRate)
      return VERDICT.reject
    }
    return VERDICT.ignore
  }
}
