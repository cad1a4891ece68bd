// `pnpm bench`: every part in its own process, one after another. A part that fails (a crash, a
// machine too loaded to finish it) is reported and the others still run and report; the exit code
// says whether every part completed.
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const PARTS = ['join-and-memory', 'search', 'compute', 'metrics', 'events', 'pubsub', 'browser', 'hostile', 'dataset-add', 'testnet']
const only = process.argv.slice(2)
const outcomes: string[] = []
let failed = 0

for (const part of PARTS.filter(p => only.length === 0 || only.includes(p))) {
  console.log(`\n=== bench: ${part} ===`)
  const started = performance.now()
  // its own process group, so whatever it starts is stopped with it
  const child = spawn(process.execPath, [join(import.meta.dirname, `${part}.ts`)], { stdio: 'inherit', detached: true })
  const stop = (): void => { try { process.kill(-child.pid!, 'SIGTERM') } catch {} }
  process.once('SIGINT', stop)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  process.off('SIGINT', stop)
  stop()
  const seconds = ((performance.now() - started) / 1000).toFixed(0)
  if (code !== 0) failed++
  outcomes.push(`${part.padEnd(16)} ${code === 0 ? 'done' : `FAILED (exit ${String(code)})`} in ${seconds} s`)
}

console.log(`\n=== bench summary ===\n${outcomes.join('\n')}`)
process.exit(failed === 0 ? 0 : 1)
