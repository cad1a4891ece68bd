// Run inside a namespace: opens one TCP connection, sends a line, waits for the other end's
// line, and prints the result as one JSON line. With --retry it tries again, from the same local
// port, after every failure until the deadline: the dialling half of a TCP simultaneous open.
//
//   node tcp-connect.ts --host 10.99.1.2 --port 40002 [--local-port 40001] [--say hi]
//                       [--start-at <epoch ms>] [--deadline-ms 2000] [--retry]
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import type { ConnectOutcome, ConnectReport } from '../probes.ts'

type Attempt = Pick<ConnectReport, 'outcome' | 'received' | 'error'>

/** Lets the peer read our line and our FIN; a peer that never closes does not keep us running. */
const LINGER_MS = 1_000
/** Between tries from the same port; a dropped SYN is also retransmitted by the kernel meanwhile. */
const RETRY_PAUSE_MS = 300

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'local-port': { type: 'string' },
    say: { type: 'string', default: 'hello' },
    'start-at': { type: 'string' },
    'deadline-ms': { type: 'string', default: '2000' },
    retry: { type: 'boolean', default: false }
  }
})
if (values.host == null || values.port == null) throw new Error('--host and --port are required')
const target = { host: values.host, port: Number(values.port), localPort: values['local-port'] == null ? undefined : Number(values['local-port']) }

const startAt = values['start-at'] == null ? Date.now() : Number(values['start-at'])
await sleep(Math.max(0, startAt - Date.now()))
const deadline = AbortSignal.timeout(Math.max(0, startAt + Number(values['deadline-ms']) - Date.now()))

const report: ConnectReport = { outcome: 'timeout', attempts: 0, ms: 0 }
while (!deadline.aborted) {
  report.attempts++
  const attempt = await exchangeLine(target, `${values.say}\n`, deadline)
  Object.assign(report, attempt)
  if (attempt.outcome === 'connected' || !values.retry) break
  await sleep(RETRY_PAUSE_MS, undefined, { signal: deadline }).catch(() => {})
}
report.ms = Date.now() - startAt
process.stdout.write(`${JSON.stringify(report)}\n`)
setTimeout(() => process.exit(0), LINGER_MS).unref()

async function exchangeLine (target: { host: string, port: number, localPort?: number }, line: string, deadline: AbortSignal): Promise<Attempt> {
  const socket = connect(target)
  const result = await new Promise<Attempt>(resolve => {
    let received = ''
    socket.once('connect', () => socket.write(line))
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString()
      if (received.includes('\n')) resolve({ outcome: 'connected', received: received.split('\n')[0] })
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ outcome: outcomeOf(err.code), error: err.code }))
    deadline.addEventListener('abort', () => resolve({ outcome: 'timeout' }), { once: true })
  })
  if (result.outcome === 'connected') socket.end()
  else socket.destroy()
  return result
}

function outcomeOf (code: string | undefined): ConnectOutcome {
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'refused'
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable'
  return 'error'
}
