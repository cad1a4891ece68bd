/**
 * The CLI's stdout when nothing reads it: a bounded backlog, the rest dropped and counted, the
 * count said once the reader catches up (packages/cli/src/io.ts). A real child process writes
 * through the CLI's own output; this process holds the pipe unread for a while.
 */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { STDOUT_BACKLOG_BYTES } from '../packages/cli/src/io.js'

const IO = pathToFileURL(resolve(import.meta.dirname, '../packages/cli/dist/io.js')).href
const LINES = 20_000

describe('stdout nobody reads', () => {
  it('holds at most the backlog, drops and counts the rest, and says so when the reader comes back', async () => {
    const script = `
      import { processIo } from ${JSON.stringify(IO)}
      let max = 0
      for (let i = 0; i < ${LINES}; i++) { processIo.out('line ' + i + ' ' + 'x'.repeat(200)); max = Math.max(max, process.stdout.writableLength) }
      process.stderr.write('max ' + max + '\\n')
    `
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.pause()
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    await expect.poll(() => stderr, { timeout: 20_000 }).toMatch(/^max \d+/)
    // the writer finished its loop while nothing read: now read everything
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stdout.resume()
    const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
    expect(code).toBe(0)
    const max = Number(/^max (\d+)/.exec(stderr)?.[1])
    expect(max).toBeLessThanOrEqual(STDOUT_BACKLOG_BYTES)
    const lines = Buffer.concat(chunks).toString().trim().split('\n')
    const note = lines.find(l => l.startsWith('('))
    const dropped = Number(/^\((\d+) output lines dropped: stdout was not being read\)$/.exec(note ?? '')?.[1])
    expect(dropped).toBeGreaterThan(0)
    expect(lines.filter(l => l.startsWith('line ')).length + dropped).toBe(LINES)
  })
})
