import { GRID_EVENT_TYPES } from '@grid-node/core'
import { EVENT_KEEP_ALIVE } from '../../api/constants.js'
import { ApiError, EventStreamEndedError, NodeNotRunningError, UsageError } from '../../errors.js'
import { eventPrinter } from '../../event-text.js'
import { flag, listValue, wholeNumberValue } from '../../options.js'
import { nodeOptions, requireApi } from '../../running-node.js'
import { alternatives, closest } from '../../suggest.js'
import type { Command, Context, Values } from '../../options.js'
import type { GridEvent } from '@grid-node/core'

/** The node says `: keep-alive` every 15 s: three missed in a row and the stream is taken for dead. */
const SILENCE_LIMIT = 3 * EVENT_KEEP_ALIVE

export const events: Command = {
  name: 'events',
  summary: 'Follow the running node\'s events as they happen, like tail -f: peers up and down, datasets, jobs served and requested, searches, reachability, pub/sub messages. Ctrl-C stops.',
  options: {
    ...nodeOptions('print one JSON object per event (NDJSON), every field and every job step'),
    types: { type: 'string', multiple: true, description: `only these event types, comma-separated: ${GRID_EVENT_TYPES.join(', ')}`, placeholder: 'type,…' },
    since: { type: 'string', description: 'first print the events the node still keeps after this seq (0: all it keeps, up to 512)', placeholder: 'seq' }
  },
  execute: follow
}

async function follow ({ values, io, signal }: Context): Promise<number> {
  const types = eventTypes(values)
  const since = wholeNumberValue(values, 'since', 0)
  const api = await requireApi(values)
  const query = new URLSearchParams({ ...(since != null ? { since: String(since) } : {}), ...(types.length > 0 ? { types: types.join(',') } : {}) }).toString()
  const asJson = flag(values, 'json')
  const line = eventPrinter()
  // a stream that says nothing, not even its keep-alive, is dead however open its socket looks
  const silent = new AbortController()
  let watchdog = setTimeout(() => { silent.abort() }, SILENCE_LIMIT)
  try {
    const stop = AbortSignal.any([signal, silent.signal, ...(io.closed != null ? [io.closed] : [])])
    for await (const item of api.sse(`/v1/events${query !== '' ? `?${query}` : ''}`, { signal: stop })) {
      clearTimeout(watchdog)
      watchdog = setTimeout(() => { silent.abort() }, SILENCE_LIMIT)
      if (item.kind !== 'event') continue
      const event = JSON.parse(item.data) as GridEvent
      if (asJson) {
        io.out(JSON.stringify(event))
      } else {
        const text = line(event)
        if (text != null) io.out(text)
      }
    }
  } catch (err: any) {
    // Ctrl-C, SIGTERM, or the reader of stdout gone (a pipe into head): done
    if (signal.aborted || io.closed?.aborted === true) return 0
    if (silent.signal.aborted) throw new EventStreamEndedError(api.url, `nothing came for ${SILENCE_LIMIT / 1000} s, not even its keep-alive`)
    if (err instanceof ApiError || err instanceof NodeNotRunningError) throw err
    throw new EventStreamEndedError(api.url, String(err?.cause?.message ?? err?.message ?? err))
  } finally {
    clearTimeout(watchdog)
  }
  if (signal.aborted || io.closed?.aborted === true) return 0
  throw new EventStreamEndedError(api.url, 'the node closed it (it stopped, or dropped this client for not reading)')
}

/** `--types peer:up,peer:down` (or repeated): each checked here, a typo answered with the nearest type. */
function eventTypes (values: Values): string[] {
  const types = listValue(values, 'types').flatMap(t => t.split(',')).map(t => t.trim()).filter(t => t !== '')
  for (const type of types) {
    if ((GRID_EVENT_TYPES as readonly string[]).includes(type)) continue
    const near = closest(type, GRID_EVENT_TYPES)
    throw new UsageError(`unknown event type '${type}'${near.length > 0 ? ` (did you mean ${alternatives(near)}?)` : ''}; types are ${GRID_EVENT_TYPES.join(', ')}`)
  }
  return [...new Set(types)]
}
