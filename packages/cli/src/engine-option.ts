import { UsageError } from './errors.js'
import { stringValue } from './options.js'
import type { OptionSpec, Values } from './options.js'
import type { EngineChoice } from '@grid-node/core'

const CHOICES: readonly EngineChoice[] = ['auto', 'quickjs', 'v8']

/** `--engine` of `start` (what jobs that name none run on here) and of `run` (what each job asks of its holder). */
export function engineOption (description: string): OptionSpec {
  return { type: 'string', description, default: 'auto', placeholder: CHOICES.join('|') }
}

/** --engine, checked; undefined when not given. */
export function engineValue (values: Values): EngineChoice | undefined {
  const engine = stringValue(values, 'engine')
  if (engine == null) return undefined
  if (!(CHOICES as readonly string[]).includes(engine)) throw new UsageError(`--engine must be ${CHOICES.join(', ')} (auto: V8 on Node.js holders, QuickJS in browser tabs), not ${engine}`)
  return engine as EngineChoice
}
