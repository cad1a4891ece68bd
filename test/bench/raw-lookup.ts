// The baseline a grid search is measured against: kad-dht's findProviders for the tag, then a
// ping of every provider found. Counts the DHT's queries (SEND_QUERY) and each provider's depth
// in the lookup (its hops).
import { tagKey } from '@grid-node/core'
import type { GridNode } from '@grid-node/core'

export interface RawLookup { ms: number, providers: string[], hops: number[], messages: number, timedOut: boolean }

export async function rawLookup (node: GridNode, tag: string, options: { signal?: AbortSignal, pingTimeoutMs: number }): Promise<RawLookup> {
  const started = performance.now()
  const depth = new Map<string, number>()
  const hops: number[] = []
  const providers = new Set<string>()
  const pings: Array<Promise<unknown>> = []
  let messages = 0
  try {
    for await (const event of node.libp2p.services.dht.findProviders(await tagKey(node.network, tag), { signal: options.signal })) {
      if (event.name === 'SEND_QUERY') {
        messages++
        if (!depth.has(event.to.toString())) depth.set(event.to.toString(), 1)
      } else if (event.name === 'PEER_RESPONSE') {
        const d = depth.get(event.from.toString()) ?? 1
        for (const p of event.closer) if (!depth.has(p.id.toString())) depth.set(p.id.toString(), d + 1)
      } else if (event.name === 'PROVIDER') {
        for (const p of event.providers) {
          if (providers.has(p.id.toString())) continue
          providers.add(p.id.toString())
          hops.push(depth.get(event.from.toString()) ?? 1)
          pings.push(node.libp2p.services.ping.ping(p.id, { signal: AbortSignal.timeout(options.pingTimeoutMs) }).catch(() => {}))
        }
      }
    }
  } catch (err: any) {
    if (options.signal?.aborted !== true) throw err
  }
  await Promise.all(pings)
  return { ms: performance.now() - started, providers: [...providers], hops, messages, timedOut: options.signal?.aborted === true }
}
