import { approvalsLs, approvalsRm, approve } from './commands/approvals/index.js'
import { datasetsAdd, datasetsLs, datasetsRm } from './commands/datasets/index.js'
import { events } from './commands/events/index.js'
import { federateCommand } from './commands/federate/index.js'
import { id } from './commands/id/index.js'
import { peers } from './commands/peers/index.js'
import { pub } from './commands/pub/index.js'
import { runJob } from './commands/run/index.js'
import { search } from './commands/search/index.js'
import { start } from './commands/start/index.js'
import { status } from './commands/status/index.js'
import { sub } from './commands/sub/index.js'
import { version, versionLine } from './commands/version/index.js'
import { exitCodeOf, UsageError } from './errors.js'
import { processIo } from './io.js'
import { helpText, parseCommandArgs } from './options.js'
import { alternatives, closest } from './suggest.js'
import type { Io } from './io.js'
import type { Command } from './options.js'

export const commands: Command[] = [start, id, peers, status, events, search, datasetsAdd, datasetsLs, datasetsRm, runJob, federateCommand, approve, approvalsLs, approvalsRm, pub, sub, version]

const EXIT_USAGE = 2
/** What `grid-node` takes before (instead of) a command. */
const TOP_LEVEL_FLAGS = ['--help', '-h', '--version', '-v']

export function usage (): string {
  const width = Math.max(...commands.map(c => c.name.length))
  return [
    'Usage: grid-node <command> [options]',
    '',
    'A peer of a fully distributed grid: datasets found through a Kademlia DHT, no gateway.',
    '',
    'Commands:',
    ...commands.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `grid-node <command> --help` for its options. Every option also reads GRID_NODE_<OPTION>.',
    '`grid-node --version` (or -v) prints the version.'
  ].join('\n')
}

/**
 * The error for a command that does not exist, with the nearest ones: `strat` → `start`,
 * `datasets list` → `datasets ls`, bare `datasets` → its three subcommands.
 */
export function unknownCommand (first: string, second: string | undefined): UsageError {
  const names = commands.map(c => c.name)
  const family = names.filter(n => n.startsWith(`${first} `))
  let typed = first
  let suggestions: string[]
  if (first.startsWith('-')) {
    suggestions = closest(first, TOP_LEVEL_FLAGS.filter(f => f.startsWith('--')))
  } else if (family.length > 0) {
    // `datasets` alone or with an unknown second word
    typed = second == null || second.startsWith('-') ? first : `${first} ${second}`
    suggestions = typed === first ? family : closest(typed, family)
    if (suggestions.length === 0) suggestions = family
  } else {
    const twoWords = second != null && !second.startsWith('-') ? closest(`${first} ${second}`, names.filter(n => n.includes(' '))) : []
    if (twoWords.length > 0) typed = `${first} ${second ?? ''}`
    suggestions = twoWords.length > 0 ? twoWords : closest(first, names)
  }
  const hint = suggestions.length > 0 ? ` (did you mean ${alternatives(suggestions)}?)` : ''
  return new UsageError(`unknown command '${typed}'${hint}; commands are ${names.join(', ')} (see \`grid-node --help\`)`)
}

/**
 * Runs one command and returns its exit code: 0 done, 1 failed, 2 called wrongly. Errors
 * are one line for people; the stack follows only with DEBUG=grid:*.
 */
export async function main (argv: string[], io: Io = processIo, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const [first, ...afterFirst] = argv
  // two-word commands: `datasets add`
  const twoWords = commands.some(c => c.name === `${first ?? ''} ${afterFirst[0] ?? ''}`)
  const name = twoWords ? `${first ?? ''} ${afterFirst[0] ?? ''}` : first
  const rest = twoWords ? afterFirst.slice(1) : afterFirst
  if (name == null || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage())
    return name == null ? EXIT_USAGE : 0
  }
  if ((name === '--version' || name === '-v') && rest.length === 0) {
    io.out(versionLine())
    return 0
  }
  try {
    const command = commands.find(c => c.name === name)
    if (command == null) throw unknownCommand(name, afterFirst[0])
    const { values, positionals } = parseCommandArgs(command, rest, io.env)
    if (values.help === true) {
      io.out(helpText(command))
      return 0
    }
    // `start /ip4/…/p2p/…` without --bootstrap would quietly found a new grid
    if (command.args == null && positionals.length > 0) {
      throw new UsageError(`'${name}' takes no arguments, but got '${positionals.join(' ')}'${positionals[0]?.startsWith('/') === true ? ' (a multiaddr goes after --bootstrap)' : ''}; see \`grid-node ${name} --help\``)
    }
    return await command.execute({ values, positionals, io, signal })
  } catch (err: any) {
    io.err(`grid-node: error: ${String(err?.message ?? err)}`)
    if (/grid:/.test(io.env.DEBUG ?? '') && err?.stack != null) io.err(String(err.stack))
    return exitCodeOf(err)
  }
}

/**
 * The process entry: one AbortController drives shutdown on SIGINT/SIGTERM; a second
 * Ctrl-C forces the exit.
 */
export async function runProcess (argv: string[]): Promise<void> {
  const controller = new AbortController()
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const code = await main(argv, processIo, controller.signal)
  process.exit(code)
}
