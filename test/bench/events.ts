// `pnpm bench`, part events: how long a node's event takes to reach a client of `GET /v1/events`
// (Server-Sent Events), from the moment the node emits it (its `at`) to the moment the client has
// parsed it, with 1 client and with 200 at once, beside a plain request/response round trip to the
// same API. One real `grid-node start` process; the events are datasets added and removed through
// the API, one at a time. A request that fails, or an event a client misses, is counted, not fatal.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { median, percentile } from './stats.ts'
import type { ClientRequest } from 'node:http'

const BIN = resolve(import.meta.dirname, '../../packages/cli/bin/grid-node.js')
const RUNS = 3
const EVENTS = 200
const CLIENT_COUNTS = [1, 200]
/** An event not on every stream this long after its request answered is counted missing. */
const DELIVERY_TIMEOUT = 5_000

/**
 * A stream of `GET /v1/events<query>` that calls `onEvent` with each event and the time it was
 * parsed (ms since the epoch, sub-millisecond); destroy the request to close it.
 */
async function openStream (port: number, query: string, onEvent: (event: { seq: number, at: number }, now: number) => void): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/v1/events${query}`, agent: false }, res => {
      if (res.statusCode !== 200) { reject(new Error(`GET /v1/events: ${res.statusCode ?? '?'}`)); return }
      let buffered = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        const now = performance.timeOrigin + performance.now()
        buffered += chunk
        const frames = buffered.split('\n\n')
        buffered = frames.pop() ?? ''
        for (const frame of frames) {
          const data = frame.split('\n').find(line => line.startsWith('data: '))
          if (data != null) onEvent(JSON.parse(data.slice(6)), now)
        }
      })
      resolve(req)
    })
    req.on('error', reject)
    req.end()
  })
}

async function call (port: number, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, ...(body != null ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) })
  const answer = await res.json()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`)
  return answer
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

interface Sample { latencies: number[], missing: number, failed: number }

/** EVENTS events, one at a time, each awaited on every stream: the latency of each delivery. */
async function measure (port: number, clients: number): Promise<Sample> {
  const streams = await Promise.all(Array.from({ length: clients }, async () => {
    const arrivals = new Map<number, { at: number, now: number }>()
    const req = await openStream(port, '?types=dataset:added,dataset:removed', (e, now) => { arrivals.set(e.seq, { at: e.at, now }) })
    return { req, arrivals }
  }))
  const sample: Sample = { latencies: [], missing: 0, failed: 0 }
  let last = 0
  try {
    for (let i = 0; i < EVENTS; i++) {
      const name = `bench-${i >> 1}`
      try {
        const answer = i % 2 === 0 ? await call(port, 'POST', '/v1/datasets', { name, tags: ['#bench'], rows: [{ x: i }] }) : await call(port, 'DELETE', `/v1/datasets/${name}`)
        if (answer.name !== name) throw new Error('not the dataset asked for')
      } catch {
        sample.failed++
        continue
      }
      // this event is the newest the first stream has; wait until every stream has it
      const deadline = Date.now() + DELIVERY_TIMEOUT
      let seq: number | undefined
      while (Date.now() < deadline && (seq == null || !streams.every(s => s.arrivals.has(seq!)))) {
        seq ??= [...streams[0]!.arrivals.keys()].find(k => k > last)
        await sleep(1)
      }
      if (seq != null) last = seq
      for (const s of streams) {
        const arrival = seq != null ? s.arrivals.get(seq) : undefined
        if (arrival == null) sample.missing++
        // `at` has whole milliseconds (Date.now(), rounded down): a latency reads up to 1 ms high
        else sample.latencies.push(Math.max(0, arrival.now - arrival.at))
      }
    }
  } finally {
    for (const s of streams) s.req.destroy()
  }
  return sample
}

/** The same API's plain round trip, for scale: GET /health-check, one at a time. */
async function roundTrips (port: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < EVENTS; i++) {
    const started = performance.now()
    try {
      await call(port, 'GET', '/health-check')
      times.push(performance.now() - started)
    } catch {}
  }
  return times
}

const dir = await mkdtemp(join(tmpdir(), 'grid-bench-events-'))
const child = spawn(process.execPath, [BIN, 'start', '--json', '--lan', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DEBUG: '' } })
try {
  let api = ''
  for await (const line of createInterface({ input: child.stdout! })) {
    const e = JSON.parse(line)
    if (e.event === 'started') api = e.api
    if (e.event === 'ready') break
  }
  const port = Number(new URL(api).port)
  const ms = (v: number): string => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`
  const runs = new Map<string, { p50: number[], p99: number[], missing: number, failed: number }>()
  const keep = (key: string, values: number[], missing = 0, failed = 0): void => {
    const r = runs.get(key) ?? { p50: [], p99: [], missing: 0, failed: 0 }
    if (values.length > 0) { r.p50.push(percentile(values, 50)); r.p99.push(percentile(values, 99)) }
    r.missing += missing
    r.failed += failed
    runs.set(key, r)
  }
  for (let run = 0; run < RUNS; run++) {
    console.log(`events: run ${run + 1} of ${RUNS}…`)
    keep('round trip', await roundTrips(port))
    for (const clients of CLIENT_COUNTS) {
      const sample = await measure(port, clients)
      keep(`${clients}`, sample.latencies, sample.missing, sample.failed)
    }
  }
  console.log(`\nevents, medians of ${RUNS} runs of ${EVENTS} events (datasets added and removed through the API, one at a time), side by side in one run:\n`)
  console.log('| metric | p50 | p99 |')
  console.log('| --- | --- | --- |')
  for (const clients of CLIENT_COUNTS) {
    const r = runs.get(`${clients}`)!
    const note = r.missing + r.failed > 0 ? ` (${r.missing} deliveries missing, ${r.failed} requests failed)` : ''
    console.log(`| event → SSE client, ${clients} client${clients === 1 ? '' : 's'} connected${note} | ${ms(median(r.p50))} | ${ms(median(r.p99))} |`)
  }
  const rt = runs.get('round trip')!
  console.log(`| for scale: GET /health-check round trip | ${ms(median(rt.p50))} | ${ms(median(rt.p99))} |`)
  console.log('\n(the event\'s `at` has whole milliseconds: each latency reads up to 1 ms high)')
} finally {
  child.kill('SIGINT')
  await new Promise(resolve => child.once('exit', resolve))
  await rm(dir, { recursive: true, force: true })
}
