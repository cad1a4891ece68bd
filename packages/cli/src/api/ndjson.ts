/**
 * NDJSON, both ways: the routes stream run events and search holders one JSON value per line
 * as they happen, and the CLI's client reads them as they arrive.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

export const NDJSON_TYPE = 'application/x-ndjson'

/** Whether the client asked for NDJSON (`Accept: application/x-ndjson`) rather than one JSON answer. */
export function acceptsNdjson (req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes(NDJSON_TYPE)
}

/**
 * Answers 200 with one line per item as each comes. The first item is awaited before the status
 * is sent, so what fails at once (a bad tag) is still answered with a 4xx; a failure later can
 * only cut the stream.
 */
export async function writeNdjson (res: ServerResponse, items: AsyncIterable<unknown>): Promise<void> {
  const iterator = items[Symbol.asyncIterator]()
  let next = await iterator.next()
  res.writeHead(200, { 'content-type': `${NDJSON_TYPE}; charset=utf-8` })
  while (next.done !== true) {
    res.write(`${JSON.stringify(next.value)}\n`)
    next = await iterator.next()
  }
  res.end()
}

/** One parsed value per line of an NDJSON body, as the lines arrive; blank lines are skipped. */
export async function * readNdjson<T> (body: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<T> {
  let buffered = ''
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) if (line.trim() !== '') yield JSON.parse(line) as T
  }
}
