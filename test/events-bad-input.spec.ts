/**
 * `GET /v1/events` on a real `grid-node start` process, asked badly or a lot: unknown types and
 * bad seqs refused with a 400 that says what to send, 200 streams at once each served, replay
 * after `since` / `Last-Event-ID`, a page of another site refused, and the token required once
 * the API listens beyond loopback; `grid-node events` piped into a reader that exits. The node
 * keeps answering throughout. (A client that never
 * reads, the cap of 256 streams and released listeners: packages/cli/test/event-stream.spec.ts.)
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawHttp } from '../packages/cli/test/helpers/raw-http.js'
import { BIN, CliNode, eventually, removeDir, tempDir } from './helpers/cli.js'
import { SseClient } from './helpers/sse.js'
import type { ClientRequest } from 'node:http'

const JSON_TYPE = { 'content-type': 'application/json' }

describe('/v1/events on a real node, asked badly or a lot', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  let node: CliNode
  let api: string
  let port: number

  beforeAll(async () => {
    const dir = await tempDir()
    dirs.push(dir)
    node = CliNode.start(dir)
    nodes.push(node)
    api = (await node.started()).api
    port = Number(new URL(api).port)
    await node.event('ready')
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  const addDataset = async (name: string): Promise<void> => {
    const { status } = await node.api('/v1/datasets', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name, tags: ['#ev'], rows: [{ x: 1 }] }) })
    expect(status).toBe(200)
  }
  const removeDataset = async (name: string): Promise<void> => {
    expect((await node.api(`/v1/datasets/${name}`, { method: 'DELETE' })).status).toBe(200)
  }

  it.each([
    ['an unknown type', '/v1/events?types=peer:up,peer:gone', {}, /^unknown event type "peer:gone" in "types": use ready, not-ready, peer:up, peer:down, /],
    ['a negative since', '/v1/events?since=-3', {}, /^"since" must be a whole number from 0 to /],
    ['a since that is not a number', '/v1/events?since=latest', {}, /^"since" must be a whole number from 0 to /],
    ['an unknown parameter', '/v1/events?sinse=3', {}, /^unknown query parameter "sinse": use only since, types$/],
    ['a Last-Event-ID that is not a seq', '/v1/events', { 'last-event-id': '12abc' }, /^"Last-Event-ID" must be the seq of an event \(a whole number\), not "12abc"$/]
  ])('%s: a 400 with a JSON error saying what to send', async (_what, path, headers, message) => {
    const reply = await rawHttp(port, { path, headers: { host: `127.0.0.1:${port}`, ...headers } })
    expect(reply.status).toBe(400)
    expect(reply.body.error).toMatch(message)
  })

  it('a web page of another site is refused before any stream opens', async () => {
    const reply = await rawHttp(port, { path: '/v1/events', headers: { host: `127.0.0.1:${port}`, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' } })
    expect(reply.status).toBe(403)
  })

  it('replays after ?since and after Last-Event-ID (which wins), then live events, in order with no gap', async () => {
    for (let i = 0; i < 3; i++) {
      await addDataset(`r${i}`)
      await removeDataset(`r${i}`)
    }
    const kept = await SseClient.open(`${api}/v1/events?since=0`)
    await kept.waitFor(es => es.filter(e => e.type === 'dataset:removed' && e.name === 'r2').length === 1, 'the kept events')
    await kept.close()
    const newest = kept.events.at(-1)!.seq
    const fromSince = await SseClient.open(`${api}/v1/events?since=${newest - 4}`)
    const fromHeader = await SseClient.open(`${api}/v1/events?since=1`, { 'last-event-id': String(newest - 2) })
    await addDataset('after')
    try {
      for (const [client, from] of [[fromSince, newest - 4], [fromHeader, newest - 2]] as const) {
        await client.waitFor(es => es.some(e => e.type === 'dataset:added' && e.name === 'after'), 'the live event after the replay')
        expect(client.events.map(e => e.seq)).toEqual(Array.from({ length: client.events.length }, (_, i) => from + 1 + i))
        expect(client.events.slice(0, newest - from)).toEqual(kept.events.slice(from).map(e => ({ ...e, receivedAt: expect.any(Number) })))
      }
    } finally {
      await Promise.all([fromSince.close(), fromHeader.close()])
      await removeDataset('after')
    }
  })

  it('200 streams at once: each gets the next event, and the node keeps answering', async () => {
    const received: string[] = Array.from({ length: 200 }, () => '')
    const requests: ClientRequest[] = []
    let answered = 0
    for (let i = 0; i < 200; i++) {
      const req = request({ host: '127.0.0.1', port, path: '/v1/events?types=dataset:added', agent: false }, res => {
        if (res.statusCode === 200) answered++
        res.setEncoding('utf8')
        res.on('data', (d: string) => { received[i] += d })
      })
      req.on('error', () => {})
      req.end()
      requests.push(req)
    }
    try {
      await eventually(async () => answered === 200 ? true : undefined, '200 streams open', 30_000)
      const started = Date.now()
      await addDataset('for-everyone')
      await eventually(async () => received.every(r => r.includes('"name":"for-everyone"')) ? true : undefined, 'the event on all 200 streams', 30_000)
      console.info(`200 event streams: the event reached the last one ${Date.now() - started} ms after the add was sent`)
      expect((await node.api<{ status: string }>('/health-check')).body.status).toBe('ok')
    } finally {
      for (const req of requests) req.destroy()
    }
    // their places are free again
    const again = await SseClient.open(`${api}/v1/events`)
    expect(again.status).toBe(200)
    await again.close()
    await removeDataset('for-everyone')
  }, 120_000)

  it('`grid-node events | head -1`: once the reader is gone, the next event ends it quietly, exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'events', '--since', '0', '--data-dir', node.dataDir], { env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const exited = new Promise<number | null>(resolve => child.once('exit', resolve))
    // head reads one line and exits
    await new Promise(resolve => child.stdout.once('data', resolve))
    child.stdout.destroy()
    await addDataset('after-head')
    expect(await exited).toBe(0)
    expect(stderr).toBe('')
    await removeDataset('after-head')
  })

  it('beyond loopback, a stream needs the token from the data dir', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const open = CliNode.start(dir, ['--api', '0.0.0.0:0'])
    nodes.push(open)
    const openPort = Number(new URL((await open.started()).api).port)
    await open.event('ready')
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim()
    const refused = await rawHttp(openPort, { path: '/v1/events', headers: { host: `127.0.0.1:${openPort}` } })
    expect(refused.status).toBe(401)
    const client = await SseClient.open(`http://127.0.0.1:${openPort}/v1/events?since=0`, { authorization: `Bearer ${token}` })
    await client.waitFor(es => es.some(e => e.type === 'ready'), 'the kept ready event')
    await client.close()
  })
})
