import { normaliseTags, SANDBOX_TIMEOUT } from '@grid-node/core'
import { API_OPTION, findApi } from '../../api/client.js'
import { DATA_DIR_OPTION } from '../../data-dir.js'
import { NodeNotRunningError, UsageError } from '../../errors.js'
import { flag, listValue, stringValue } from '../../options.js'
import { CLIENT_OPTIONS, withShortLivedNode } from '../../short-lived-node.js'
import { readJobFile } from './job-file.js'
import { runPrinter } from './output.js'
import type { Command, Context, Values } from '../../options.js'
import type { RunEvent, RunInit } from '@grid-node/core'

/** 128 + SIGINT, as a shell reports a command ended by Ctrl-C. */
const EXIT_CANCELLED = 130

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
    retries: { type: 'string', description: 'times a job is sent elsewhere when its holder dies', default: '2', placeholder: 'n' },
    local: { type: 'boolean', description: 'run a data-free job here when no peer can' },
    ...CLIENT_OPTIONS,
    json: { type: 'boolean', description: 'print one JSON object per result or error' }
  },
  execute: async ({ values, positionals, io, signal }: Context) => {
    const init = await runInit(values, positionals)
    const printer = runPrinter(io, flag(values, 'json'), { file: positionals[0] ?? 'job.js' })
    try {
      await send(values, init, signal, printer.event)
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

/** Through the running node's API, else a short-lived node joined through --bootstrap. */
async function send (values: Values, init: RunInit, signal: AbortSignal, print: (event: RunEvent) => void): Promise<void> {
  const api = await findApi(values)
  if (api != null) {
    try {
      for await (const event of api.lines<RunEvent>('/v1/run', { body: init, timeoutMs: 24 * 60 * 60 * 1000, signal })) print(event)
      return
    } catch (err) {
      if (!(err instanceof NodeNotRunningError) || values.api != null) throw err
    }
  }
  await withShortLivedNode(values, signal, async node => {
    for await (const event of node.run({ ...init, signal })) print(event)
  })
}

async function runInit (values: Values, positionals: string[]): Promise<RunInit> {
  if (positionals.length !== 1) throw new UsageError('give exactly one job file: grid-node run job.js --tag #cars')
  // a bad tag or a job that would not parse is found here, before any search or send
  const tags = normaliseTags(listValue(values, 'tag'))
  const code = await readJobFile(positionals[0] ?? '')
  let args: unknown = null
  const argsText = stringValue(values, 'args')
  if (argsText != null) {
    try {
      args = JSON.parse(argsText)
    } catch {
      throw new UsageError(`--args must be JSON, e.g. --args '{"k": 3}', not ${argsText}`)
    }
  }
  const count = (name: string): number | undefined => {
    const text = stringValue(values, name)
    if (text == null) return undefined
    const n = Number(text)
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, not "${text}"`)
    return n
  }
  const timeoutMs = count('timeout')
  const retries = count('retries')
  const peers = listValue(values, 'peer')
  return {
    code,
    args,
    allowLocal: flag(values, 'local'),
    match: flag(values, 'all') ? 'all' : 'any',
    ...(tags.length > 0 ? { tags } : {}),
    ...(peers.length > 0 ? { peers } : {}),
    ...(stringValue(values, 'dataset') != null ? { dataset: stringValue(values, 'dataset') } : {}),
    ...(timeoutMs != null ? { timeoutMs } : {}),
    ...(retries != null ? { retries } : {})
  }
}
