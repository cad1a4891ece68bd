// Run inside a namespace: listens on a TCP port and, for every connection, prints who connected
// (as this host sees it: through a NAT, the router's address and mapped port) as a JSON line,
// then sends a line of its own. Runs until killed.
//
//   node tcp-listen.ts --port 7000 [--say hi]
import { createServer } from 'node:net'
import { parseArgs } from 'node:util'
import type { Accepted } from '../probes.ts'

const { values } = parseArgs({ options: { port: { type: 'string' }, say: { type: 'string', default: 'hello' } } })
if (values.port == null) throw new Error('--port is required')

const server = createServer(socket => {
  const accepted: Accepted = { event: 'accepted', remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 }
  process.stdout.write(`${JSON.stringify(accepted)}\n`)
  socket.on('error', () => {})
  socket.on('data', () => {})
  socket.on('end', () => socket.end())
  socket.write(`${values.say}\n`)
})
server.listen(Number(values.port), '0.0.0.0', () => process.stdout.write(`${JSON.stringify({ event: 'listening' })}\n`))
