import { HttpError } from './errors.js'
import type { Route } from './route.js'
import type { NodeMetrics } from '../metrics/node-metrics.js'
import type { GridNode } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

export class MetricsOffError extends HttpError {
  static override name = 'MetricsOffError'
  constructor () {
    super(404, 'metrics are off on this node: it was started with --no-metrics')
    this.name = MetricsOffError.name
  }
}

/** Each node's metrics, as `start` attached them: a node without is one started with --no-metrics. */
const attached = new WeakMap<GridNode, NodeMetrics>()

export function attachMetrics (node: GridNode, metrics: NodeMetrics): void {
  attached.set(node, metrics)
}

export const metricsRoutes: Route[] = [
  { method: 'GET', pattern: /^\/metrics$/, handler: metrics }
]

/** `GET /metrics`: libp2p's and the grid's metrics in Prometheus text format, for a scraper. */
async function metrics (node: GridNode, _req: IncomingMessage, _params: string[], res: ServerResponse): Promise<undefined> {
  const found = attached.get(node)
  if (found == null) throw new MetricsOffError()
  const text = await found.render()
  res.writeHead(200, { 'content-type': found.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
  res.end(text)
  return undefined
}
