import { normaliseTags, SEARCH_TIMEOUT } from '@grid-node/core'
import { API_OPTION, findApi } from '../../api/client.js'
import { searchResultJson } from '../../api/search-routes.js'
import type { SearchResultJson } from '../../api/search-routes.js'
import { DATA_DIR_OPTION } from '../../data-dir.js'
import { NodeNotRunningError, UsageError } from '../../errors.js'
import { json } from '../../format.js'
import { flag, stringValue } from '../../options.js'
import { CLIENT_OPTIONS, withShortLivedNode } from '../../short-lived-node.js'
import { resultPrinter } from './output.js'
import type { Command, Context, Values } from '../../options.js'

type Result = SearchResultJson

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
    const limit = wholeNumber(values, 'limit')
    const timeoutMs = wholeNumber(values, 'timeout') ?? SEARCH_TIMEOUT
    const match = flag(values, 'all') ? 'all' : 'any'
    const asJson = flag(values, 'json')
    const printer = resultPrinter(io, asJson)
    const results: Result[] = []
    const emit = (r: Result): void => { results.push(r); printer.row(r) }

    const api = await findApi(values)
    let done = false
    if (api != null) {
      const query = new URLSearchParams([...tags.map(t => ['tag', t] as [string, string]), ['match', match], ['timeout', String(timeoutMs)]])
      if (limit != null) query.set('limit', String(limit))
      try {
        for await (const r of api.lines<Result>(`/v1/search?${query.toString()}`, { timeoutMs: timeoutMs + 5_000 })) emit(r)
        done = true
      } catch (err) {
        if (!(err instanceof NodeNotRunningError) || values.api != null) throw err
      }
    }
    if (!done) await searchWithClient(values, tags, { match, timeoutMs, ...(limit != null ? { limit } : {}), signal }, emit)

    if (asJson) io.out(json(results))
    if (results.length === 0) {
      io.err(`no live holder found for ${tags.join(' ')}${match === 'all' ? ' (all tags on one dataset)' : ''}`)
      return 1
    }
    return 0
  }
}

/** No running node: search as a short-lived DHT client. */
async function searchWithClient (values: Values, tags: string[], options: { match: 'any' | 'all', timeoutMs: number, limit?: number, signal: AbortSignal }, emit: (r: Result) => void): Promise<void> {
  await withShortLivedNode(values, options.signal, async node => {
    for await (const r of node.search(tags, options)) emit(searchResultJson(r))
  })
}

function wholeNumber (values: Values, name: string): number | undefined {
  const text = stringValue(values, name)
  if (text == null) return undefined
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number above 0, not "${text}"`)
  return n
}
