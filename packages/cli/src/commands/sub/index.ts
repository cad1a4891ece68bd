import { validateTopic } from '@grid-node/core'
import { EVENT_KEEP_ALIVE } from '../../api/constants.js'
import { ApiError, NodeNotRunningError, SubscriptionEndedError, UsageError } from '../../errors.js'
import { flag } from '../../options.js'
import { nodeOptions, requireApi } from '../../running-node.js'
import type { PubSubLine, PubSubMessageAnswer } from '../../api/shapes.js'
import type { Io } from '../../io.js'
import type { Command, Context } from '../../options.js'

/** The node says `keep-alive` on an idle topic stream every 15 s: three missed, and it is gone. */
const SILENCE_LIMIT = 3 * EVENT_KEEP_ALIVE

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
    // a stream that says nothing, not even its keep-alive, is dead however open its socket looks
    const silent = new AbortController()
    let watchdog = setTimeout(() => { silent.abort() }, SILENCE_LIMIT)
    const stop = AbortSignal.any([signal, silent.signal, ...(io.closed != null ? [io.closed] : [])])
    const done = (): boolean => signal.aborted || io.closed?.aborted === true
    try {
      for await (const line of api.lines<PubSubLine>(`/v1/pubsub/${encodeURIComponent(topic)}`, { follow: true, signal: stop })) {
        clearTimeout(watchdog)
        watchdog = setTimeout(() => { silent.abort() }, SILENCE_LIMIT)
        if (line.type === 'keep-alive') continue
        if (asJson) io.out(JSON.stringify(line))
        else if (line.type === 'subscribed') io.err(`following '${topic}' (${line.peers} ${line.peers === 1 ? 'peer' : 'peers'} subscribed); Ctrl-C stops`)
        else printMessage(io, line)
      }
    } catch (err: any) {
      // Ctrl-C, SIGTERM, or the reader of stdout gone (a pipe into head): done
      if (done()) return 0
      if (silent.signal.aborted) throw new SubscriptionEndedError(api.url, topic, `nothing came for ${SILENCE_LIMIT / 1000} s, not even its keep-alive`)
      // refused at once (a bad topic, no node): that error; cut off later: the node went away
      if (err instanceof ApiError || err instanceof NodeNotRunningError) throw err
      throw new SubscriptionEndedError(api.url, topic, String(err?.cause?.message ?? err?.message ?? err))
    } finally {
      clearTimeout(watchdog)
    }
    if (done()) return 0
    throw new SubscriptionEndedError(api.url, topic, 'the node closed it (it stopped)')
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
