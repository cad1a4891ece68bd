import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

export const README = resolve(import.meta.dirname, '../../README.md')

/**
 * The shell commands of the ```sh blocks in one `## ` section of the README, one entry per
 * block, each a list of commands (continued lines joined, as the shell reads them).
 */
export function shBlocks (section: string, text = readFileSync(README, 'utf8')): string[][] {
  const start = text.indexOf(`\n## ${section}\n`)
  if (start === -1) throw new Error(`README.md has no "## ${section}" section`)
  const end = text.indexOf('\n## ', start + 1)
  const body = text.slice(start, end === -1 ? undefined : end)
  return [...body.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block = '']) =>
    block.replace(/\\\n\s*/g, '').split('\n').map(line => line.trim()).filter(line => line !== '' && !line.startsWith('#')))
}
