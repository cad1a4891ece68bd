import { normaliseTags, SEARCH_TIMEOUT } from '@grid-node/core'
import { searchAnswer, searchPath } from '../../api/shapes.js'
import { DATA_DIR_OPTION } from '../../data-dir.js'
import { UsageError } from '../../errors.js'
import { json } from '../../format.js'
import { flag, wholeNumberValue } from '../../options.js'
import { API_OPTION, onRunningNodeOr } from '../../running-node.js'
import { CLIENT_OPTIONS, withShortLivedNode } from '../../short-lived-node.js'
import { resultPrinter } from './output.js'
import type { SearchAnswer } from '../../api/shapes.js'
import type { Command, Context } from '../../options.js'

/** A running node answers within the search's own timeout; this much more is for the HTTP round trip. */
const API_SLACK = 5_000

export const search: Command = {
  name: 'search',
  args: '<tag> [tag…]',
  summary: 'Find the live holders of datasets with these tags, through the running node or, with none, a short-lived DHT client from --bootstrap.',
  options: {
    'data-dir': DATA_DIR_OPTION,
    api: API_OPTION,
    all: { type: 'boolean', description: 'a dataset must carry every tag (default: any one)' },
    limit: { type: 'string', description: 'stop after this many holders', placeholder: 'n' },
    timeout: { type: 'string', description: 'give up after this many ms', default: String(SEARCH_TIMEOUT), placeholder: 'ms' },
    ...CLIENT_OPTIONS,
    json: { type: 'boolean', description: 'print a JSON array of holders' }
  },
  execute: async ({ values, positionals, io, signal }: Context) => {
    if (positionals.length === 0) throw new UsageError('give at least one tag: grid-node search "#cars"')
    const tags = normaliseTags(positionals)
    const limit = wholeNumberValue(values, 'limit')
    const timeoutMs = wholeNumberValue(values, 'timeout') ?? SEARCH_TIMEOUT
    const match = flag(values, 'all') ? 'all' : 'any'
    const asJson = flag(values, 'json')
    const printer = resultPrinter(io, asJson)
    const results: SearchAnswer[] = []
    const emit = (r: SearchAnswer): void => { results.push(r); printer.row(r) }

    await onRunningNodeOr(values,
      async api => {
        const path = searchPath({ tag: tags, match, timeout: timeoutMs, ...(limit != null ? { limit } : {}) })
        for await (const r of api.lines<SearchAnswer>(path, { timeoutMs: timeoutMs + API_SLACK })) emit(r)
      },
      // no running node: search as a short-lived DHT client
      async () => withShortLivedNode(values, signal, async node => {
        for await (const r of node.search(tags, { match, timeoutMs, ...(limit != null ? { limit } : {}), signal })) emit(searchAnswer(r))
      }))

    if (asJson) io.out(json(results))
    if (results.length === 0) {
      io.err(`no live holder found for ${tags.join(' ')}${match === 'all' ? ' (all tags on one dataset)' : ''}`)
      return 1
    }
    return 0
  }
}
