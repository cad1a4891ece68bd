// Submits many small data-free functions to the grid. Every node whose compute is open
// provides #compute:js; the requester finds them on the DHT and spreads the jobs round-robin.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'

/** A small pure function of its args: the n-th Fibonacci number. */
export const FIBONACCI = 'export default ({ args }) => { let a = 0, b = 1; for (let i = 0; i < args.n; i++) [a, b] = [b, a + b]; return a }'

export async function runLambdas ({ workers = 3, jobs = 12 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'grid-lambdas-'))
  const nodes = []
  try {
    const make = async (name, bootstrap) => {
      const node = await createGridNode({ dataDir: join(dir, name), network: 'lambdas-example', listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, lan: true })
      nodes.push(node)
      return node
    }
    const first = await make('worker-0', [])
    const bootstrap = [first.shareableAddrs()[0].toString()]
    for (let i = 1; i < workers; i++) await make(`worker-${i}`, bootstrap)
    const requester = await make('requester', bootstrap)
    await Promise.all(nodes.map(async n => n.whenReady()))
    // wait until every worker's #compute:js announcement is visible
    await new Promise(resolve => setTimeout(resolve, 1000))

    const workerNames = new Map(nodes.slice(0, workers).map((n, i) => [n.peerId.toString(), `worker-${i}`]))
    return await Promise.all(Array.from({ length: jobs }, async (_, n) => {
      const [final] = await requester.runAll({ code: FIBONACCI, args: { n } })
      return { n, value: final?.type === 'result' ? final.value : undefined, ranOn: workerNames.get(final?.peerId ?? '') ?? final?.peerId }
    }))
  } finally {
    await Promise.all(nodes.map(async n => n.stop()))
    await rm(dir, { recursive: true, force: true })
  }
}
