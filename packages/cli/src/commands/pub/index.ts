import { MessageTooLargeError, PUBSUB_MAX_MESSAGE_BYTES, validateTopic } from '@grid-node/core'
import { json } from '../../format.js'
import { UsageError } from '../../errors.js'
import { flag } from '../../options.js'
import { nodeOptions, requireApi } from '../../running-node.js'
import type { PublishAnswer } from '../../api/shapes.js'
import type { Command, Context } from '../../options.js'

export const pub: Command = {
  name: 'pub',
  args: '<topic> <message|->',
  summary: 'Publish a message to a topic through the running node: signed, sent to the topic\'s peers (`-` reads it from stdin; at most 64 KiB).',
  options: nodeOptions('print {"topic","peers"}'),
  execute: async ({ values, positionals, io }: Context) => {
    const [topic, message, ...extra] = positionals
    if (topic == null || message == null) throw new UsageError('give a topic and a message: grid-node pub chat "hello" (or - to read the message from stdin)')
    if (extra.length > 0) throw new UsageError(`pub takes one message, but got ${extra.length + 1} words; quote it: grid-node pub ${topic} "${positionals.slice(1).join(' ')}"`)
    validateTopic(topic)
    const body = message === '-' ? bodyOf(await readStdin(PUBSUB_MAX_MESSAGE_BYTES)) : { text: message }
    const size = body.text != null ? Buffer.byteLength(body.text) : Buffer.from(body.base64 ?? '', 'base64').length
    if (size > PUBSUB_MAX_MESSAGE_BYTES) throw new MessageTooLargeError(size, PUBSUB_MAX_MESSAGE_BYTES)
    const api = await requireApi(values)
    const answer = await api.post<PublishAnswer>(`/v1/pubsub/${encodeURIComponent(topic)}`, body)
    if (flag(values, 'json')) io.out(json(answer))
    else if (answer.peers > 0) io.out(`sent to ${answer.peers} ${answer.peers === 1 ? 'peer' : 'peers'} on '${topic}'`)
    if (answer.peers === 0) {
      io.err(`no peer is subscribed to '${topic}' yet: the message reached no other node`)
      return 1
    }
    return 0
  }
}

/** Text when it is UTF-8 (one trailing newline dropped, as `echo` adds it), else base64. */
function bodyOf (bytes: Uint8Array): { text: string, base64?: undefined } | { base64: string, text?: undefined } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return { text: text.replace(/\r?\n$/, '') }
  } catch {
    return { base64: Buffer.from(bytes).toString('base64') }
  }
}

/** stdin, up to `max` bytes: one byte more stops reading and is a MessageTooLargeError. */
async function readStdin (max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length
    if (size > max) {
      process.stdin.destroy()
      throw new MessageTooLargeError(undefined, max)
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}
