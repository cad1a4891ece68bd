import { pubsubTopic, TOPIC_NAME_PATTERN } from '../constants.js'
import { TopicInvalidError } from '../errors.js'

/** A topic name as users write it (`chat`), checked exactly: no trimming, case kept. */
export function validateTopic (name: string): string {
  if (typeof name !== 'string' || !TOPIC_NAME_PATTERN.test(name)) throw new TopicInvalidError(String(name))
  return name
}

/** `chat` in network `main` → `/grid/main/topic/chat` on the wire. */
export function wireTopic (network: string, name: string): string {
  return pubsubTopic(network, validateTopic(name))
}

/** The name inside a wire topic of this network, or undefined for another network's or a stranger's topic. */
export function topicName (network: string, wire: string): string | undefined {
  const prefix = pubsubTopic(network, '')
  if (!wire.startsWith(prefix)) return undefined
  const name = wire.slice(prefix.length)
  return TOPIC_NAME_PATTERN.test(name) ? name : undefined
}
