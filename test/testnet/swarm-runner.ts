// One process of a swarm: a few grid nodes made with the library inside one testnet host's
// namespace, each on its own TCP port, driven over stdin/stdout with JSON lines.
// Usage (inside a namespace): node swarm-runner.ts '<RunnerConfig as JSON>'
// It prints {"event":"started","peerIds":[…]}, then {"event":"ready","ready":[true,…]}, then one
// answer {"id":n,"ok":true,…} or {"id":n,"ok":false,"error":"…"} per request {"id":n,"op":"…",…}
// (requests run concurrently, each under its own deadline). It stops its nodes when stdin closes.
import { createInterface } from 'node:readline'
import { createGridNode } from '@grid-node/core'
import { swarmOps } from './swarm-ops.ts'
import type { GridNode } from '@grid-node/core'

export interface RunnerConfig {
  /** the host's own address, for the bootstrap address of its first node */
  hostIp: string
  /** one node per port, listening on /ip4/0.0.0.0/tcp/<port> */
  ports: number[]
  /** one per node; a restart passes the same ones */
  dataDirs: string[]
  /** empty: the first node starts alone, and this runner's other nodes bootstrap from it */
  bootstrap: string[]
  publicRanges: string[]
}

/** A node that has not joined by then is reported as not ready; the runner keeps going. */
const READY_TIMEOUT_MS = 90_000

const config = JSON.parse(process.argv[2] ?? '{}') as RunnerConfig
const send = (message: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify(message)}\n`) }
const nodes: GridNode[] = []

async function startNodes (): Promise<void> {
  for (const [i, port] of config.ports.entries()) {
    const first = nodes[0]
    const bootstrap = config.bootstrap.length > 0 || first == null ? config.bootstrap : [`/ip4/${config.hostIp}/tcp/${config.ports[0]!}/p2p/${first.peerId.toString()}`]
    nodes.push(await createGridNode({
      dataDir: config.dataDirs[i]!,
      listen: [`/ip4/0.0.0.0/tcp/${port}`],
      bootstrap,
      publicRanges: config.publicRanges,
      // one sandbox worker per node: a swarm of them shares two cores
      compute: { poolSize: 1 }
    }))
  }
  send({ event: 'started', peerIds: nodes.map(n => n.peerId.toString()) })
  const ready = await Promise.all(nodes.map(async n => n.whenReady({ signal: AbortSignal.timeout(READY_TIMEOUT_MS) }).then(() => true, () => false)))
  send({ event: 'ready', ready })
}

async function answer (line: string): Promise<void> {
  let id: unknown
  try {
    const request = JSON.parse(line) as { id: number, op: string } & Record<string, unknown>
    id = request.id
    const op = swarmOps[request.op]
    if (op == null) throw new Error(`unknown op "${request.op}"`)
    send({ id, ok: true, ...await op(nodes, request) })
  } catch (err: any) {
    send({ id, ok: false, error: String(err?.message ?? err) })
  }
}

async function stopAll (): Promise<void> {
  await Promise.race([
    Promise.allSettled(nodes.map(async n => n.stop())),
    new Promise(resolve => setTimeout(resolve, 10_000))
  ])
  process.exit(0)
}

try {
  await startNodes()
} catch (err: any) {
  send({ event: 'failed', error: String(err?.message ?? err) })
  process.exit(1)
}
createInterface({ input: process.stdin })
  .on('line', line => { void answer(line) })
  .on('close', () => { void stopAll() })
