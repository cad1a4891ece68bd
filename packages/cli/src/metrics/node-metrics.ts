/**
 * One node's Prometheus metrics, in a registry of its own (never prom-client's global one, so
 * two nodes in one process keep their figures apart): libp2p's, through
 * `@libp2p/prometheus-metrics` (connections, streams, bytes per protocol, the DHT, the relay,
 * plus Node.js process figures), and the grid's (grid-metrics.ts).
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { followGrid } from './grid-metrics.js'
import type { GridNode, GridNodeInit } from '@grid-node/core'

export interface NodeMetricsInit {
  /** Where `nodejs_fs_usage_bytes` measures the file system: the data dir. @default the working directory */
  statfsLocation?: string
}

export interface NodeMetrics {
  /** The factory to give `createGridNode` as `metrics`: libp2p registers its metrics here. */
  readonly libp2p: NonNullable<GridNodeInit['metrics']>
  /** Starts the grid's metrics for the node created with `libp2p`; once. */
  follow(node: GridNode): void
  /** Everything, in Prometheus text format. */
  render(): Promise<string>
  readonly contentType: string
  /** Stops following the node's events. */
  close(): void
}

export function createNodeMetrics (init: NodeMetricsInit = {}): NodeMetrics {
  const registry = new Registry()
  let unfollow: (() => void) | undefined
  return {
    libp2p: prometheusMetrics({
      registry,
      ...(init.statfsLocation != null ? { statfsLocation: init.statfsLocation } : {})
    }),
    follow (node) {
      unfollow ??= followGrid(node, registry)
    },
    render: async () => registry.metrics(),
    contentType: registry.contentType,
    close () {
      unfollow?.()
    }
  }
}
