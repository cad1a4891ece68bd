import { federate, JOB_RETRIES, normaliseTags, SANDBOX_TIMEOUT } from '@grid-node/core'
import { DATA_DIR_OPTION } from '../../data-dir.js'
import { UsageError } from '../../errors.js'
import { flag, listValue, stringValue, wholeNumberValue } from '../../options.js'
import { API_OPTION, onRunningNodeOr } from '../../running-node.js'
import { CLIENT_OPTIONS, withShortLivedNode } from '../../short-lived-node.js'
import { readJobFile } from '../run/job-file.js'
import { federatePrinter } from './output.js'
import type { RunRequest } from '../../api/schemas.js'
import type { RunAnswer } from '../../api/shapes.js'
import type { Command, Context, Values } from '../../options.js'
import type { FederateInit, RunInit } from '@grid-node/core'

/** 128 + SIGINT, as a shell reports a command ended by Ctrl-C. */
const EXIT_CANCELLED = 130

/** One round's request lasts as long as its jobs (queued, retried, each up to an hour): it gives up after a day. */
const ROUND_REQUEST_TIMEOUT = 24 * 60 * 60 * 1000

/** A model is a vector of numbers; a million of them is far past what one round's jobs return in 16 MiB. */
const MAX_MODEL_LENGTH = 1_000_000

export const federateCommand: Command = {
  name: 'federate',
  args: '<job.js>',
  summary: 'Federated averaging: each round sends the model (args.model, args.round) to every live holder of --tag, each returns { update, n } from its own rows, and the model becomes the n-weighted mean. Prints each round, then the model as JSON.',
  options: {
    'data-dir': DATA_DIR_OPTION,
    api: API_OPTION,
    tag: { type: 'string', multiple: true, description: 'the holders: every live holder of datasets with this tag (at least one)', placeholder: 'tag' },
    all: { type: 'boolean', description: 'with several --tag: only datasets carrying every tag' },
    rounds: { type: 'string', description: 'rounds of averaging', default: '1', placeholder: 'n' },
    init: { type: 'string', description: 'the starting model: a JSON array of numbers, e.g. [0,0,0] (required)', placeholder: 'json' },
    args: { type: 'string', description: 'a JSON object passed to every job beside model and round', placeholder: 'json' },
    timeout: { type: 'string', description: 'ms each job may run (the holder caps it)', default: String(SANDBOX_TIMEOUT), placeholder: 'ms' },
    retries: { type: 'string', description: 'times a job is sent elsewhere when its holder dies', default: String(JOB_RETRIES), placeholder: 'n' },
    ...CLIENT_OPTIONS,
    json: { type: 'boolean', description: 'print one JSON object per line: each round, each holder\'s error, then the model' }
  },
  execute: async ({ values, positionals, io, signal }: Context) => {
    const init = await federateInit(values, positionals)
    const printer = federatePrinter(io, flag(values, 'json'), { rounds: init.rounds ?? 1, file: positionals[0] ?? 'job.js' })
    const watched = { ...init, signal, onRound: printer.round }
    let result
    try {
      result = await onRunningNodeOr(values,
        async api => federate(async function * (runInit) {
          for await (const event of api.lines<RunAnswer>('/v1/run', { body: runRequestOf(runInit), timeoutMs: ROUND_REQUEST_TIMEOUT, signal })) yield printer.event(event)
        }, watched),
        async () => withShortLivedNode(values, signal, async node => federate(async function * (runInit) {
          for await (const event of node.run(runInit)) yield printer.event(event)
        }, watched)))
    } catch (err) {
      if (!signal.aborted) throw err
    }
    if (signal.aborted || result == null) {
      io.err('grid-node: federate cancelled; its jobs were cancelled where they ran')
      return EXIT_CANCELLED
    }
    printer.model(result.model)
    return 0
  }
}

/** A round's run as the local API takes it: only what the CLI set (the scheduler's own fields stay out). */
function runRequestOf (init: RunInit): RunRequest {
  return {
    code: init.code,
    args: init.args,
    ...(init.tags != null ? { tags: init.tags } : {}),
    ...(init.match != null ? { match: init.match } : {}),
    ...(init.timeoutMs != null ? { timeoutMs: init.timeoutMs } : {}),
    ...(init.retries != null ? { retries: init.retries } : {})
  }
}

/** Everything checked before any search: the job file, the tags, the numbers and both JSON flags. */
async function federateInit (values: Values, positionals: string[]): Promise<FederateInit> {
  if (positionals.length !== 1) throw new UsageError('give exactly one job file: grid-node federate job.js --tag #cars --init [0,0]')
  if (listValue(values, 'tag').length === 0) throw new UsageError('give at least one --tag: the rounds go to every live holder of it, e.g. --tag "#cars"')
  const tags = normaliseTags(listValue(values, 'tag'))
  const start = modelOf(stringValue(values, 'init'))
  const args = argsOf(stringValue(values, 'args'))
  const code = await readJobFile(positionals[0] ?? '')
  const rounds = wholeNumberValue(values, 'rounds')
  const timeoutMs = wholeNumberValue(values, 'timeout', 0)
  const retries = wholeNumberValue(values, 'retries', 0)
  return {
    code,
    tags,
    init: start,
    match: flag(values, 'all') ? 'all' : 'any',
    ...(args != null ? { args } : {}),
    ...(rounds != null ? { rounds } : {}),
    ...(timeoutMs != null ? { timeoutMs } : {}),
    ...(retries != null ? { retries } : {})
  }
}

function modelOf (text: string | undefined): number[] {
  if (text == null) throw new UsageError('give the starting model: --init followed by a JSON array of numbers, e.g. --init "[0,0,0]"')
  const value = parsed('--init', text, '[0,0,0]')
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_MODEL_LENGTH || !value.every(x => typeof x === 'number' && Number.isFinite(x))) {
    throw new UsageError(`--init must be a JSON array of 1 to ${MAX_MODEL_LENGTH} numbers, e.g. "[0,0,0]", not ${text.slice(0, 80)}`)
  }
  return value
}

function argsOf (text: string | undefined): Record<string, unknown> | undefined {
  if (text == null) return undefined
  const value = parsed('--args', text, '{"k": 3}')
  if (value == null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`--args must be a JSON object (the job also gets model and round in it), e.g. '{"k": 3}', not ${text.slice(0, 80)}`)
  return value as Record<string, unknown>
}

function parsed (name: string, text: string, example: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`${name} must be JSON, e.g. ${name} '${example}', not ${text.slice(0, 80)}`)
  }
}
