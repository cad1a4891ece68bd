import { json } from '../../format.js'
import { flag } from '../../options.js'
import { version as packageVersion } from '../../version.js'
import type { Command, Context } from '../../options.js'

/** `grid-node version`, as Kubo and Bacalhau have it; `--version` and `-v` print the same line. */
export const version: Command = {
  name: 'version',
  summary: 'Print this grid-node\'s version (also `grid-node --version` or `-v`); a running node\'s is in `status`.',
  options: {
    json: { type: 'boolean', description: 'print {"version", "node", "platform"}' }
  },
  execute: async ({ values, io }: Context) => {
    io.out(flag(values, 'json')
      ? json({ version: packageVersion(), node: process.versions.node, platform: `${process.platform}-${process.arch}` })
      : versionLine())
    return 0
  }
}

export function versionLine (): string {
  return `grid-node ${packageVersion()}`
}
