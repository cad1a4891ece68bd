/**
 * `grid-node events` through `main(argv)` against a loopback stand-in for a node's API that
 * answers `GET /v1/events` as the test says: what it asks for, NDJSON and text output, a typo in
 * --types answered before any request, Ctrl-C (exit 0), a stream the node ends or never feeds
 * (exit 1, saying so), and a refusal passed on.
 */
import { createServer } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../src/main.js'
import { capture } from './helpers/capture-io.js'
import type { GridEvent } from '@grid-node/core'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

const PEER = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'
const AT = new Date(2026, 0, 2, 9, 5, 1).getTime()
const EVENTS: GridEvent[] = [
  { type: 'peer:up', peerId: PEER, seq: 7, at: AT },
  { type: 'job:served', jobId: 'j', peerId: PEER, phase: 'progress', progress: 0.5, seq: 8, at: AT },
  { type: 'peer:down', peerId: PEER, reason: 'after 3 missed pings in a row', seq: 9, at: AT }
]

const frame = (e: GridEvent): string => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`

describe('grid-node events', () => {
  let server: Server | undefined
  const asked: string[] = []
  afterEach(async () => {
    server?.closeAllConnections()
    await new Promise(resolve => server?.close(resolve) ?? resolve(undefined))
    server = undefined
    asked.length = 0
  })

  /** A stand-in API; `answer` writes the response to GET /v1/events. */
  const stub = async (answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> => {
    server = createServer((req, res) => { asked.push(req.url ?? ''); answer(req, res) })
    await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
    return `127.0.0.1:${(server.address() as AddressInfo).port}`
  }
  const stream = (res: ServerResponse, end: boolean): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(': keep-alive\n\n')
    for (const e of EVENTS) res.write(frame(e))
    if (end) res.end()
  }
  const run = async (argv: string[], signal?: AbortSignal): Promise<{ code: number, stdout: string, stderr: string }> => {
    const io = capture()
    const code = await main(argv, io, signal)
    return { code, stdout: io.stdout, stderr: io.stderr }
  }

  it('--json prints each event as one JSON line, asks with --since and --types, and exits 0 on Ctrl-C', async () => {
    const api = await stub((_req, res) => { stream(res, false) })
    const stop = new AbortController()
    const io = capture()
    const running = main(['events', '--json', '--since', '6', '--types', 'peer:up,peer:down', '--types', 'job:served', '--api', api], io, stop.signal)
    while (io.stdout.split('\n').length <= EVENTS.length) await new Promise(resolve => setTimeout(resolve, 10))
    stop.abort()
    expect(await running).toBe(0)
    expect(asked).toEqual(['/v1/events?since=6&types=peer%3Aup%2Cpeer%3Adown%2Cjob%3Aserved'])
    expect(io.stdout.trim().split('\n').map(l => JSON.parse(l))).toEqual(EVENTS)
    expect(io.stderr).toBe('')
  })

  it('text: one line per event worth a line (a job first seen mid-way: running), then exit 1 when the node ends the stream', async () => {
    const api = await stub((_req, res) => { stream(res, true) })
    const { code, stdout, stderr } = await run(['events', '--api', api])
    expect(stdout).toBe(`09:05:01  peer up ${PEER}\n09:05:01  job for 12D3KooW…F4CHCz  running\n09:05:01  peer down ${PEER}: after 3 missed pings in a row\n`)
    expect(code).toBe(1)
    expect(stderr).toBe(`grid-node: error: the event stream of the node at http://${api} ended: the node closed it (it stopped, or dropped this client for not reading); check it is still running (\`grid-node status\`) and run \`grid-node events\` again\n`)
  })

  it('a typo in --types: exit 2 with the nearest type, and nothing asked', async () => {
    const api = await stub((_req, res) => { stream(res, true) })
    const { code, stderr } = await run(['events', '--types', 'peer:up,dataset:add', '--api', api])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^grid-node: error: unknown event type 'dataset:add' \(did you mean 'dataset:added'\?\); types are ready, not-ready, /)
    expect(asked).toEqual([])
  })

  it('--since that is not a whole number: exit 2', async () => {
    expect((await run(['events', '--since', 'latest', '--api', '127.0.0.1:9'])).code).toBe(2)
  })

  it('the node refuses (too many streams): its message, exit 1', async () => {
    const api = await stub((_req, res) => { res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"this node already serves 256 event streams, its limit"}') })
    const { code, stderr } = await run(['events', '--api', api])
    expect(code).toBe(1)
    expect(stderr).toBe('grid-node: error: this node already serves 256 event streams, its limit\n')
  })

  it('nothing answers at --api: no running node, exit 1', async () => {
    const api = await stub((_req, res) => { res.destroy() })
    const { code, stderr } = await run(['events', '--api', api])
    expect(code).toBe(1)
    expect(stderr).toMatch(/^grid-node: error: no running node found at http:\/\/127\.0\.0\.1:\d+/)
  })
})
