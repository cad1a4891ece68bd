/**
 * `GET /metrics` on real `grid-node start` processes (issue 13, item 1): Prometheus text that an
 * ecosystem parser reads, libp2p's metrics and the grid's in it, counters that move when a
 * search and a job happen on both sides, the API's token rule beyond loopback, and the opt-out.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, tempDir } from './helpers/cli.js'
import { parseMetrics, valueOf } from './helpers/prometheus.js'
import type { Scrape } from './helpers/prometheus.js'

const TAG = '#metrics-cars'

describe('GET /metrics on a running node', () => {
  let root: string
  let holder: CliNode
  /** Its API listens beyond loopback: every request needs the token. */
  let requester: CliNode
  let token: string
  let requesterApi: string

  const scrape = async (node: CliNode, auth?: string): Promise<{ status: number, type: string | null, text: string }> => {
    const port = new URL((await node.started()).api).port
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, auth != null ? { headers: { authorization: `Bearer ${auth}` } } : {})
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
  }
  const metricsOf = async (node: CliNode, auth?: string): Promise<Scrape> => {
    const { status, text } = await scrape(node, auth)
    expect(status).toBe(200)
    return parseMetrics(text)
  }
  const asRequester = async (path: string, body: unknown): Promise<Response> => fetch(`${requesterApi}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })

  beforeAll(async () => {
    root = await tempDir('grid-metrics-')
    const rows = join(root, 'cars.csv')
    await writeFile(rows, 'make,mpg\nvw,40\nfiat,45\nford,30\n')
    holder = CliNode.start(join(root, 'holder'))
    const { bootstrapAddrs } = await holder.started()
    await holder.event('ready')
    const added = await holder.api('/v1/datasets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: rows, tags: [TAG], name: 'cars' }) })
    expect(added.status).toBe(200)
    requester = CliNode.start(join(root, 'requester'), ['--api', '0.0.0.0:0', '--bootstrap', bootstrapAddrs.at(-1)!])
    requesterApi = `http://127.0.0.1:${new URL((await requester.started()).api).port}`
    await requester.event('ready')
    token = (await readFile(join(root, 'requester', 'api-token'), 'utf8')).trim()
    // ready is joined, not yet every peer in the routing table: the grid sees the holder once before anything is measured
    await eventually(async () => ((await (await asRequester('/search', { query: [TAG] })).json()) as { 'node-addresses': unknown[] })['node-addresses'].length === 1 ? true : undefined, 'the requester to find the holder')
  })

  afterAll(async () => {
    await Promise.all([holder?.stop(), requester?.stop()])
    await removeDir(root)
  })

  it('serves Prometheus text: libp2p\'s metrics and the grid\'s, each family typed and documented', async () => {
    const { status, type, text } = await scrape(holder)
    expect(status).toBe(200)
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/)
    const parsed = parseMetrics(text)
    const families = parsed.families
    for (const name of ['libp2p_connection_manager_connections', 'libp2p_kad_dht_routing_table_size', 'libp2p_data_transfer_bytes_total', 'nodejs_eventloop_lag_seconds']) {
      expect(families.has(name), name).toBe(true)
    }
    for (const [name, kind] of [['grid_searches_total', 'COUNTER'], ['grid_jobs_total', 'COUNTER'], ['grid_search_duration_seconds', 'HISTOGRAM'], ['grid_job_duration_seconds', 'HISTOGRAM'], ['grid_pool_workers', 'GAUGE'], ['grid_job_queue_length', 'GAUGE'], ['grid_reachability', 'GAUGE']] as const) {
      expect(families.get(name)?.type, name).toBe(kind)
      expect(families.get(name)?.help, name).not.toBe('')
    }
    expect(valueOf(parsed, 'grid_datasets', { visibility: 'public' })).toBe(1)
    expect(valueOf(parsed, 'grid_dataset_rows', { dataset: 'cars' })).toBe(3)
    expect(valueOf(parsed, 'grid_ready')).toBe(1)
    expect(valueOf(parsed, 'grid_peers_connected')).toBeGreaterThanOrEqual(1)
    expect(valueOf(parsed, 'grid_peer_up_total')).toBeGreaterThanOrEqual(1)
    expect(valueOf(parsed, 'grid_peers', { state: 'up' })).toBeGreaterThanOrEqual(1)
    expect(valueOf(parsed, 'grid_pool_workers')).toBeGreaterThanOrEqual(1)
    expect(valueOf(parsed, 'grid_reachability', { state: 'direct' })).toBe(1)
    expect(valueOf(parsed, 'grid_node_info', { peer_id: (await holder.started()).peerId })).toBe(1)
  })

  it('counters move when a search and a job happen, on the requester and on the holder', async () => {
    const before = { requester: await metricsOf(requester, token), holder: await metricsOf(holder) }

    const search = await asRequester('/search', { query: [TAG] })
    expect(search.status).toBe(200)
    expect((await search.json() as { 'node-addresses': unknown[] })['node-addresses']).toHaveLength(1)
    const run = await asRequester('/v1/run', { tags: [TAG], code: 'export default ({ data }) => data.map(r => r.make).join(",")' })
    expect(run.status).toBe(200)
    expect(await run.text()).toContain('"vw,fiat,ford"')

    const after = { requester: await metricsOf(requester, token), holder: await metricsOf(holder) }
    const moved = (side: 'requester' | 'holder', name: string, labels: Record<string, string> = {}): number =>
      (valueOf(after[side], name, labels) ?? 0) - (valueOf(before[side], name, labels) ?? 0)

    // the one search asked for, and the run's lookup of its targets
    expect(moved('requester', 'grid_searches_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1)
    expect(moved('requester', 'grid_search_duration_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(moved('requester', 'grid_search_holders_sum')).toBeGreaterThanOrEqual(1)
    expect(moved('requester', 'grid_jobs_total', { side: 'requested', outcome: 'result' })).toBe(1)
    expect(moved('requester', 'grid_job_duration_seconds_count', { side: 'requested' })).toBe(1)
    expect(moved('holder', 'grid_jobs_total', { side: 'served', outcome: 'result' })).toBe(1)
    expect(moved('holder', 'grid_job_duration_seconds_count', { side: 'served' })).toBe(1)
    expect(moved('holder', 'grid_job_run_seconds_count', { side: 'served' })).toBe(1)
    expect(moved('requester', 'grid_job_run_seconds_count', { side: 'requested' })).toBe(1)
    // the result frame '"vw,fiat,ford"' and its framing, counted as it passed, on both sides
    const served = moved('holder', 'grid_job_result_bytes_total', { side: 'served' })
    expect(served).toBeGreaterThan('"vw,fiat,ford"'.length)
    expect(served).toBeLessThan(64)
    expect(moved('requester', 'grid_job_result_bytes_total', { side: 'requested' })).toBe(served)
    // libp2p's own traffic per protocol saw the job's stream
    expect(valueOf(after.holder, 'libp2p_data_transfer_bytes_total', { protocol: '/grid/main/compute/1.0.0 sent' })).toBeGreaterThan(0)
  })

  it('beyond loopback, /metrics needs the API\'s token like every route', async () => {
    const without = await scrape(requester)
    expect(without.status).toBe(401)
    expect(JSON.parse(without.text).error).toMatch(/Authorization: Bearer <token>/)
    expect((await scrape(requester, 'wrong')).status).toBe(401)
    expect((await scrape(requester, token)).status).toBe(200)
  })

  it('--no-metrics turns it off: /metrics is a 404 that says why', async () => {
    const off = CliNode.start(join(root, 'off'), ['--no-metrics'])
    try {
      const { status, text } = await scrape(off)
      expect(status).toBe(404)
      expect(JSON.parse(text).error).toMatch(/metrics are off on this node: it was started with --no-metrics/)
    } finally {
      await off.stop()
    }
  })
})
