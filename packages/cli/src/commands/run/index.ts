import { JOB_RETRIES, MAX_REPLICAS, normaliseTags, SANDBOX_TIMEOUT } from '@grid-node/core'
import { runInitOf } from '../../api/shapes.js'
import { DATA_DIR_OPTION } from '../../data-dir.js'
import { UsageError } from '../../errors.js'
import { engineOption, engineValue } from '../../engine-option.js'
import { flag, listValue, stringValue, wholeNumberValue } from '../../options.js'
import { API_OPTION, onRunningNodeOr } from '../../running-node.js'
import { CLIENT_OPTIONS, withShortLivedNode } from '../../short-lived-node.js'
import { readJobFile } from './job-file.js'
import { runPrinter } from './output.js'
import type { RunRequest } from '../../api/schemas.js'
import type { RunAnswer } from '../../api/shapes.js'
import type { Command, Context, Values } from '../../options.js'

/** 128 + SIGINT, as a shell reports a command ended by Ctrl-C. */
const EXIT_CANCELLED = 130

/** A run lasts as long as its jobs (queued, retried, each up to an hour): the request gives up after a day. */
const RUN_REQUEST_TIMEOUT = 24 * 60 * 60 * 1000

export const runJob: Command = {
  name: 'run',
  args: '<job.js>',
  summary: 'Send a job (an ES module whose default export gets { data, args, progress, log }) to where the data lives: every live holder of --tag, the given --peer(s), or one #compute:js worker.',
  options: {
    'data-dir': DATA_DIR_OPTION,
    api: API_OPTION,
    tag: { type: 'string', multiple: true, description: 'run on every live holder of datasets with this tag', placeholder: 'tag' },
    all: { type: 'boolean', description: 'with several --tag: only datasets carrying every tag' },
    peer: { type: 'string', multiple: true, description: 'run the job on this peer (data-free, or on its --dataset)', placeholder: 'peerId' },
    dataset: { type: 'string', description: 'with --peer: the dataset there to run on (e.g. a private one shared with you)', placeholder: 'name' },
    args: { type: 'string', description: 'JSON passed to the job as args', placeholder: 'json' },
    timeout: { type: 'string', description: 'ms each job may run (the holder caps it)', default: String(SANDBOX_TIMEOUT), placeholder: 'ms' },
    retries: { type: 'string', description: 'times a job is sent elsewhere when its holder dies', default: String(JOB_RETRIES), placeholder: 'n' },
    local: { type: 'boolean', description: 'run a data-free job here when no peer can' },
    engine: engineOption('the JavaScript engine each job runs on at its holder: v8 (isolates, Node.js holders), quickjs (everywhere, browser tabs too) or auto (the holder\'s choice)'),
    replicas: { type: 'string', description: `run each job on this many distinct peers (at most ${MAX_REPLICAS}) and take the majority's result, naming who disagreed`, default: '1', placeholder: 'k' },
    ...CLIENT_OPTIONS,
    json: { type: 'boolean', description: 'print one JSON object per result or error' }
  },
  execute: async ({ values, positionals, io, signal }: Context) => {
    const request = await runRequest(values, positionals)
    const printer = runPrinter(io, flag(values, 'json'), { file: positionals[0] ?? 'job.js' })
    try {
      await onRunningNodeOr(values,
        async api => {
          for await (const event of api.lines<RunAnswer>('/v1/run', { body: request, timeoutMs: RUN_REQUEST_TIMEOUT, signal })) printer.event(event)
        },
        async () => withShortLivedNode(values, signal, async node => {
          for await (const event of node.run({ ...runInitOf(request), signal })) printer.event(event)
        }))
    } catch (err) {
      if (!signal.aborted) throw err
    }
    if (signal.aborted) {
      // Ctrl-C or SIGTERM: closing the request (or stopping the short-lived node) cancels the jobs on their holders
      io.err('grid-node: run cancelled; its jobs were cancelled where they ran')
      return EXIT_CANCELLED
    }
    return printer.finish()
  }
}

/** The job and where it runs, checked here: a bad tag or a job that would not parse is found before any search or send. */
async function runRequest (values: Values, positionals: string[]): Promise<RunRequest> {
  if (positionals.length !== 1) throw new UsageError('give exactly one job file: grid-node run job.js --tag #cars')
  const tags = normaliseTags(listValue(values, 'tag'))
  const code = await readJobFile(positionals[0] ?? '')
  const args = jsonArgs(stringValue(values, 'args'))
  const timeoutMs = wholeNumberValue(values, 'timeout', 0)
  const retries = wholeNumberValue(values, 'retries', 0)
  const replicas = wholeNumberValue(values, 'replicas')
  if (replicas != null && replicas > MAX_REPLICAS) throw new UsageError(`--replicas must be at most ${MAX_REPLICAS}, not ${replicas}: 3 outvotes one wrong result`)
  const peers = listValue(values, 'peer')
  const dataset = stringValue(values, 'dataset')
  const engine = engineValue(values)
  return {
    code,
    args,
    allowLocal: flag(values, 'local'),
    match: flag(values, 'all') ? 'all' : 'any',
    ...(tags.length > 0 ? { tags } : {}),
    ...(peers.length > 0 ? { peers } : {}),
    ...(dataset != null ? { dataset } : {}),
    ...(timeoutMs != null ? { timeoutMs } : {}),
    ...(retries != null ? { retries } : {}),
    ...(replicas != null && replicas > 1 ? { replicas } : {}),
    ...(engine != null && engine !== 'auto' ? { engine } : {})
  }
}

/** --args, parsed; null when not given. */
function jsonArgs (text: string | undefined): unknown {
  if (text == null) return null
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`--args must be JSON, e.g. --args '{"k": 3}', not ${text}`)
  }
}
