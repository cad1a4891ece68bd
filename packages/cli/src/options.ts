import { parseArgs } from 'node:util'
import { peerIdFromString } from '@libp2p/peer-id'
import { UsageError } from './errors.js'
import { alternatives, closest } from './suggest.js'
import type { Io } from './io.js'

export interface OptionSpec {
  type: 'string' | 'boolean'
  multiple?: boolean
  description: string
  /** Shown in --help; the command applies it. */
  default?: string
  placeholder?: string
}

export type Options = Record<string, OptionSpec>
export type Values = Record<string, string | boolean | string[] | undefined>

export interface Context {
  values: Values
  positionals: string[]
  io: Io
  /** Aborted when the process is asked to stop. */
  signal: AbortSignal
}

export interface Command {
  name: string
  summary: string
  /** Positional arguments, for the usage line, e.g. '<file>'. */
  args?: string
  options: Options
  /** Does what the command is for; resolves to its exit code. */
  execute(ctx: Context): Promise<number>
}

export const HELP: OptionSpec = { type: 'boolean', description: 'show this help' }

/** `--data-dir` → `GRID_NODE_DATA_DIR`: every flag has an environment twin. */
export function envName (option: string): string {
  return `GRID_NODE_${option.toUpperCase().replace(/-/g, '_')}`
}

/**
 * Parses a command's argv strictly: an unknown flag or a missing value is a usage error that
 * says how to get help. Flags not given fall back to their GRID_NODE_* variables.
 */
export function parseCommandArgs (command: Command, argv: string[], env: Io['env']): { values: Values, positionals: string[] } {
  const options = { ...command.options, help: HELP }
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { type: spec.type, multiple: spec.multiple ?? false }])),
      allowPositionals: true,
      strict: true
    })
  } catch (err: any) {
    throw new UsageError(`${describeParseError(err, Object.keys(options))}; see \`grid-node ${command.name} --help\``)
  }
  const values = { ...parsed.values } as Values
  for (const [name, spec] of Object.entries(command.options)) {
    const fromEnv = env[envName(name)]
    if (values[name] !== undefined || fromEnv == null || fromEnv === '') continue
    if (spec.type === 'boolean') values[name] = /^(1|true|yes)$/i.test(fromEnv)
    else values[name] = spec.multiple === true ? fromEnv.split(',').map(s => s.trim()).filter(Boolean) : fromEnv
  }
  return { values, positionals: parsed.positionals }
}

function describeParseError (err: any, optionNames: string[]): string {
  const name = /'(-[^' ]+)/.exec(String(err.message))?.[1] ?? /'([^']+)'/.exec(String(err.message))?.[1]
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      // `--bootstrp` → `--bootstrap`; a single-letter flag (`-x`) is too short to guess from
      const near = name?.startsWith('--') === true ? closest(name.slice(2), optionNames).map(o => `--${o}`) : []
      return `unknown option '${name ?? '?'}'${near.length > 0 ? ` (did you mean ${alternatives(near)}?)` : ''}`
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': return `option '${name ?? '?'}' ${/does not take an argument/.test(err.message) ? 'takes no value' : 'needs a value'}`
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return `unexpected argument '${name ?? '?'}'`
    default: return String(err.message)
  }
}

export function helpText (command: Command): string {
  const lines = [`Usage: grid-node ${command.name}${command.args != null ? ` ${command.args}` : ''} [options]`, '', command.summary, '', 'Options:']
  const rows = Object.entries({ ...command.options, help: HELP }).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ` <${spec.placeholder ?? 'value'}>` : ''}`
    const notes = [
      spec.multiple === true ? 'repeatable' : undefined,
      spec.default != null ? `default: ${spec.default}` : undefined,
      name !== 'help' ? `env: ${envName(name)}` : undefined
    ].filter(Boolean).join('; ')
    return [flag, `${spec.description}${notes !== '' ? ` (${notes})` : ''}`] as const
  })
  const width = Math.max(...rows.map(([flag]) => flag.length))
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`)
  return lines.join('\n')
}

export function stringValue (values: Values, name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

export function listValue (values: Values, name: string): string[] {
  const v = values[name]
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
}

export function flag (values: Values, name: string): boolean {
  return values[name] === true
}

/**
 * A flag that takes a whole number, or undefined when it is not given: digits only (no sign,
 * fraction or exponent), at least `min`. A usage error names the flag and what it got.
 */
export function wholeNumberValue (values: Values, name: string, min: 0 | 1 = 1): number | undefined {
  const text = stringValue(values, name)
  if (text == null) return undefined
  const n = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} must be a whole number${min > 0 ? ' above 0' : ''}, not "${text}"`)
  }
  return n
}

/** A repeatable flag of peer IDs, each checked: a usage error names the one that is not. */
export function peerIdList (values: Values, name: string): string[] {
  return listValue(values, name).map(text => {
    try {
      return peerIdFromString(text).toString()
    } catch {
      throw new UsageError(`--${name} "${text}" is not a peer ID (see \`grid-node id\` on that node)`)
    }
  })
}
