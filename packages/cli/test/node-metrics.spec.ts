/**
 * Two nodes in one process, each with its own metrics (src/metrics/): libp2p's figures and the
 * grid's land in the registry of the node they belong to, never in the other's nor in
 * prom-client's global one.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'
import { register } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNodeMetrics } from '../src/metrics/node-metrics.js'
import { version } from '../src/version.js'
import type { NodeMetrics } from '../src/metrics/node-metrics.js'
import type { GridNode } from '@grid-node/core'

/** `name{labels} value` lines of a scrape, as name+labels → value. */
function samples (text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    out.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return out
}

describe('node metrics, two nodes in one process', () => {
  let dir: string
  const metrics: NodeMetrics[] = []
  const nodes: GridNode[] = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grid-node-metrics-'))
    for (const name of ['holder', 'requester']) {
      const m = createNodeMetrics()
      const bootstrap = nodes.length > 0 ? [nodes[0]!.shareableAddrs()[0]!.toString()] : []
      const node = await createGridNode({ dataDir: join(dir, name), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true, bootstrap, metrics: m.libp2p, compute: { poolSize: 1 } })
      m.follow(node)
      metrics.push(m)
      nodes.push(node)
    }
    await nodes[1]!.whenReady()
  })

  afterAll(async () => {
    for (const m of metrics) m.close()
    await Promise.all(nodes.map(async n => n.stop()))
    await rm(dir, { recursive: true, force: true })
  })

  it('a job counts as served in the holder\'s registry and as requested in the requester\'s, result bytes on both', async () => {
    const [holder, requester] = nodes as [GridNode, GridNode]
    const events = []
    for await (const e of requester.runJob(holder.peerId, { code: 'export default () => "x".repeat(1000)' })) events.push(e)
    expect(events.at(-1)).toMatchObject({ type: 'result' })
    const [h, r] = await Promise.all(metrics.map(async m => samples(await m.render())))
    expect(h!.get('grid_jobs_total{side="served",outcome="result"}')).toBe(1)
    expect(h!.get('grid_jobs_total{side="requested",outcome="result"}')).toBe(0)
    expect(r!.get('grid_jobs_total{side="requested",outcome="result"}')).toBe(1)
    expect(r!.get('grid_jobs_total{side="served",outcome="result"}')).toBe(0)
    // a 1000-character string, its quotes and the frame's fields
    const bytes = h!.get('grid_job_result_bytes_total{side="served"}')!
    expect(bytes).toBeGreaterThan(1002)
    expect(bytes).toBeLessThan(1020)
    expect(r!.get('grid_job_result_bytes_total{side="requested"}')).toBe(bytes)
    expect(holder.jobResultBytes()).toEqual({ served: bytes, requested: 0 })
  })

  it('libp2p\'s metrics of each node stay in its own registry, the global one stays empty', async () => {
    const [h, r] = await Promise.all(metrics.map(async m => samples(await m.render())))
    // the holder was created first: its libp2p counters still move after the requester's metrics started
    expect(h!.get('libp2p_data_transfer_bytes_total{protocol="/grid/main/compute/1.0.0 sent"}')).toBeGreaterThan(1000)
    expect(r!.get('libp2p_data_transfer_bytes_total{protocol="/grid/main/compute/1.0.0 received"}')).toBeGreaterThan(1000)
    expect(h!.get('libp2p_connection_manager_connections{libp2p_connection_manager_connections="inbound"}')).toBe(1)
    expect(r!.get('libp2p_connection_manager_connections{libp2p_connection_manager_connections="outbound"}')).toBe(1)
    expect(h!.get(`grid_node_info{peer_id="${nodes[0]!.peerId.toString()}",network="main",version="${version()}"}`)).toBe(1)
    expect((await register.getMetricsAsJSON()).length).toBe(0)
  })
})
