import { validateTopic } from '@grid-node/core'
import { SubscriptionEndedError, UsageError } from '../../errors.js'
import { flag } from '../../options.js'
import { nodeOptions, requireApi } from '../../running-node.js'
import type { PubSubLine, PubSubMessageAnswer } from '../../api/shapes.js'
import type { Io } from '../../io.js'
import type { Command, Context } from '../../options.js'

export const sub: Command = {
  name: 'sub',
  args: '<topic>',
  summary: 'Follow a topic\'s messages through the running node, like tail -f, until Ctrl-C: time, sender and text of each.',
  options: nodeOptions('print one JSON object per line: {"type":"subscribed"} first, then each {"type":"message","from","text" or "base64",…}'),
  execute: async ({ values, positionals, io, signal }: Context) => {
    const [topic, ...extra] = positionals
    if (topic == null) throw new UsageError('give a topic: grid-node sub chat')
    if (extra.length > 0) throw new UsageError(`sub follows one topic, but got '${positionals.join(' ')}'; run one grid-node sub per topic`)
    validateTopic(topic)
    const asJson = flag(values, 'json')
    const api = await requireApi(values)
    let following = false
    try {
      for await (const line of api.lines<PubSubLine>(`/v1/pubsub/${encodeURIComponent(topic)}`, { follow: true, signal })) {
        following = true
        if (asJson) io.out(JSON.stringify(line))
        else if (line.type === 'subscribed') io.err(`following '${topic}' (${line.peers} ${line.peers === 1 ? 'peer' : 'peers'} subscribed); Ctrl-C stops`)
        else printMessage(io, line)
      }
    } catch (err) {
      if (signal.aborted) return 0
      // refused at once (a bad topic, no node): that error; cut off later: the node went away
      if (!following) throw err
    }
    if (signal.aborted) return 0
    throw new SubscriptionEndedError(api.url, topic)
  }
}

function printMessage (io: Io, m: PubSubMessageAnswer): void {
  if (m.dropped != null) io.err(`(${m.dropped} ${m.dropped === 1 ? 'message' : 'messages'} dropped: this reader fell behind)`)
  const time = new Date(m.receivedAt).toTimeString().slice(0, 8)
  io.out(`${time}  ${short(m.from)}  ${m.text ?? `(${m.bytes} bytes, not text)`}`)
}

/** A peer ID as the CLI's progress lines show it. */
function short (peerId: string): string {
  return `${peerId.slice(0, 8)}…${peerId.slice(-6)}`
}
