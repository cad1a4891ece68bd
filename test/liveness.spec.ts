import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { createGridNode } from '@grid-node/core'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import type { GridNode } from '@grid-node/core'
import type { ComponentLogger, Logger } from '@libp2p/interface'

describe('liveness through the CLI', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('`grid-node peers` shows a kill -9ed peer as down, with its last-seen time', async () => {
    const [aDir, bDir] = [await tempDir(), await tempDir()]
    dirs.push(aDir, bDir)
    const a = CliNode.start(aDir, ['--liveness-interval', '300', '--liveness-timeout', '200', '--liveness-misses', '2'])
    nodes.push(a)
    const b = CliNode.start(bDir, ['--bootstrap', (await a.started()).bootstrapAddrs[0]!])
    nodes.push(b)
    const bId = (await b.started()).peerId
    await b.event('ready')

    const peers = async (): Promise<Array<{ peerId: string, state: string, lastSeen: number, rttMs: number | null }>> =>
      JSON.parse((await runCli(['peers', '--json', '--data-dir', aDir])).stdout)
    const up = await eventually(async () => (await peers()).find(p => p.peerId === bId && p.state === 'up' && p.rttMs != null), 'b up with a round-trip time')
    expect(up.lastSeen).toBeGreaterThan(0)

    b.child.kill('SIGKILL')
    const down = await eventually(async () => (await peers()).find(p => p.peerId === bId && p.state === 'down'), 'b marked down')
    expect(down.lastSeen).toBeGreaterThanOrEqual(up.lastSeen)
    expect((await runCli(['peers', '--data-dir', aDir])).stdout).toMatch(new RegExp(`${bId}\\s+down`))
  })

  it('rejects a liveness setting that is not a positive whole number (exit 2)', async () => {
    const r = await runCli(['start', '--liveness-interval', '0', '--data-dir', '/nonexistent/never'])
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--liveness-interval must be a whole number above 0, not "0"/)])
  })
})

/**
 * Indirect probes between real nodes: A, this node, runs in the test process with a 1 s interval
 * and a 1 s timeout; B, C and D are `grid-node start` processes, all connected to each other, so
 * each can be asked about the others. Detection times and the busy node's misses are printed.
 */
describe('liveness with indirect probes between real nodes', () => {
  const INTERVAL = 1_000
  const TIMEOUT = 1_000
  const BOUND = 1.6 * INTERVAL + TIMEOUT
  const dirs: string[] = []
  const cli: CliNode[] = []
  /** What A's liveness monitor logged: how each miss was settled. */
  const logged: string[] = []
  let a: GridNode
  let b: CliNode
  let bAddr: string
  let peerIds: string[] = []

  beforeAll(async () => {
    const dir = async (): Promise<string> => { const d = await tempDir(); dirs.push(d); return d }
    a = await createGridNode({ dataDir: await dir(), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true, liveness: { intervalMs: INTERVAL, timeoutMs: TIMEOUT }, logger: recording('grid:liveness', logged) })
    const bootstrap = [a.getMultiaddrs()[0]!.toString()]
    for (let i = 0; i < 3; i++) {
      const node = CliNode.start(await dir(), bootstrap.flatMap(addr => ['--bootstrap', addr]))
      cli.push(node)
      bootstrap.push((await node.started()).bootstrapAddrs[0]!)
    }
    b = cli[0]!
    bAddr = bootstrap[1]!
    await Promise.all(cli.map(async n => n.event('ready')))
    peerIds = await Promise.all(cli.map(async n => (await n.started()).peerId))
    // every peer connected to every other, so any of them can probe any other
    const everyone = [a.peerId.toString(), ...peerIds]
    for (const [i, n] of cli.entries()) {
      await eventually(async () => {
        const { body } = await n.api<Array<{ peerId: string, addr: string }>>('/v1/peers')
        return everyone.every(id => id === peerIds[i] || body.some(p => p.peerId === id && p.addr !== '')) ? true : undefined
      }, 'a full mesh')
    }
    await eventually(async () => peerIds.every(id => state(id) === 'up') ? true : undefined, 'A tracking B, C and D')
  })

  afterAll(async () => {
    b?.child.kill('SIGCONT')
    await a?.stop()
    await Promise.all(cli.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  const state = (id: string): string | undefined => a.peerLiveness().find(p => p.peerId.toString() === id)?.state

  it('no live peer is marked down while this node is too busy to hear their answers', async () => {
    // every core busy in worker threads, as a node running jobs on all of them; and this node's
    // own event loop blocked for 1.3 timeouts right after it sends pings, so their answers wait
    // past the deadline (a busy loop at a random time rarely overlaps a ping in flight: worker
    // threads alone on both cores of the test machine made no ping miss in 8 s)
    const BUSY_MS = 5 * INTERVAL
    const stallMs = 1.3 * TIMEOUT
    const workers = Array.from({ length: availableParallelism() }, () => new Worker(`const end = Date.now() + ${BUSY_MS}; while (Date.now() < end) {}`, { eval: true }))
    const ping = a.libp2p.services.ping
    const send = ping.ping.bind(ping)
    const busyUntil = Date.now() + BUSY_MS
    let stalls = 0
    let stalledAt = 0
    ping.ping = async (...args) => {
      const answer = send(...args)
      if (Date.now() < busyUntil && Date.now() - stalledAt > TIMEOUT) {
        stalledAt = Date.now()
        stalls++
        setImmediate(() => { spin(stallMs) })
      }
      return answer
    }
    const from = logged.length
    try {
      const downs = new Set<string>()
      const until = busyUntil + 2 * INTERVAL + TIMEOUT
      while (Date.now() < until) {
        for (const id of peerIds) if (state(id) !== 'up') downs.add(id)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      const lines = logged.slice(from)
      const count = (re: RegExp): number => lines.filter(l => re.test(l)).length
      console.log(`busy ${BUSY_MS} ms, ${stalls} stalls of ${stallMs} ms: ${count(/missed a ping/)} missed pings, ${count(/another peer reached/)} made up for by a helper, ${count(/stalled: not counted/)} not counted (timed while stalled), ${count(/is down/)} marked down`)
      expect(count(/missed a ping/), 'the load made this node miss pings').toBeGreaterThan(0)
      expect([...downs]).toEqual([])
      expect(lines.filter(l => /is down/.test(l))).toEqual([])
    } finally {
      ping.ping = send
      await Promise.all(workers.map(async w => w.terminate()))
    }
  })

  it(`a peer frozen with SIGSTOP is marked down within 1.6 × interval + timeout (${BOUND} ms)`, async () => {
    const bId = peerIds[0]!
    const from = logged.length
    const times: number[] = []
    for (let trial = 0; trial < 3; trial++) {
      await eventually(async () => state(bId) === 'up' ? true : undefined, 'B up')
      // freeze B anywhere in A's round
      await new Promise(resolve => setTimeout(resolve, INTERVAL * (0.5 + Math.random())))
      b.child.kill('SIGSTOP')
      const frozen = Date.now()
      // polled every 10 ms: `eventually` looks every 250 ms, too coarse to measure against the bound
      while (state(bId) !== 'down' && Date.now() - frozen < 10 * BOUND) await new Promise(resolve => setTimeout(resolve, 10))
      times.push(Date.now() - frozen)
      b.child.kill('SIGCONT')
      await a.libp2p.dial(multiaddr(bAddr))
    }
    console.log(`frozen peer marked down after ${times.join(', ')} ms (bound ${BOUND} ms; interval ${INTERVAL} ms, timeout ${TIMEOUT} ms)`)
    // the bound with room for a loaded CI machine, still under the misses rule (3 × interval + timeout)
    for (const t of times) expect(t).toBeLessThanOrEqual(BOUND * 1.5)
    expect(logged.slice(from).filter(l => /is down.*no peer asked could reach it/.test(l)).length).toBe(times.length)
  })
})

/** Keeps this thread busy, blocking its event loop. */
function spin (ms: number): void {
  const end = Date.now() + ms
  while (Date.now() < end) Math.sqrt(end)
}

/** A logger that keeps the lines of one component, formatted, and drops everything else. */
function recording (component: string, lines: string[]): ComponentLogger {
  const quiet = Object.assign(() => {}, { enabled: false, error: () => {}, trace: () => {}, newScope: () => quiet }) as unknown as Logger
  const keep = Object.assign((format: string, ...args: unknown[]) => { lines.push(`${format} ${args.map(String).join(' ')}`) }, { enabled: true, error: () => {}, trace: () => {}, newScope: () => quiet }) as unknown as Logger
  return { forComponent: (name: string) => name === component ? keep : quiet }
}
