import { datasetsAdd, datasetsLs, datasetsRm } from './commands/datasets/index.js'
import { id } from './commands/id/index.js'
import { peers } from './commands/peers/index.js'
import { run as runCommand } from './commands/run/index.js'
import { search } from './commands/search/index.js'
import { start } from './commands/start/index.js'
import { status } from './commands/status/index.js'
import { USAGE_ERROR_NAMES, UsageError } from './errors.js'
import { processIo } from './io.js'
import { helpText, parseCommandArgs } from './options.js'
import type { Io } from './io.js'
import type { Command } from './options.js'

export const commands: Command[] = [start, id, peers, status, search, datasetsAdd, datasetsLs, datasetsRm, runCommand]

const EXIT_USAGE = 2
const EXIT_FAILURE = 1

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
    'Run `grid-node <command> --help` for its options. Every option also reads GRID_NODE_<OPTION>.'
  ].join('\n')
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
  try {
    const command = commands.find(c => c.name === name)
    if (command == null) throw new UsageError(`unknown command '${name}'; commands are ${commands.map(c => c.name).join(', ')} (see \`grid-node --help\`)`)
    const { values, positionals } = parseCommandArgs(command, rest, io.env)
    if (values.help === true) {
      io.out(helpText(command))
      return 0
    }
    // `start /ip4/…/p2p/…` without --bootstrap would quietly found a new grid
    if (command.args == null && positionals.length > 0) {
      throw new UsageError(`'${name}' takes no arguments, but got '${positionals.join(' ')}'${positionals[0]?.startsWith('/') === true ? ' (a multiaddr goes after --bootstrap)' : ''}; see \`grid-node ${name} --help\``)
    }
    return await command.run({ values, positionals, io, signal })
  } catch (err: any) {
    io.err(`grid-node: error: ${String(err?.message ?? err)}`)
    if (/grid:/.test(io.env.DEBUG ?? '') && err?.stack != null) io.err(String(err.stack))
    return USAGE_ERROR_NAMES.has(err?.name) ? EXIT_USAGE : EXIT_FAILURE
  }
}

/**
 * The process entry: one AbortController drives shutdown on SIGINT/SIGTERM; a second
 * Ctrl-C forces the exit.
 */
export async function run (argv: string[]): Promise<void> {
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
