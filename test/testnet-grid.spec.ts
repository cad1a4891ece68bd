// The grid across NATs, with real `grid-node start` processes in a testnet of network namespaces:
// a public segment (10.99.0.0/16, declared public with --public-ranges) with four bootstrap and
// relay nodes, one of which lies about reachability, and three sites behind NAT — a and b with
// endpoint-independent mapping (hole punching works), c with a symmetric NAT (it cannot).
import { writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { GridProcess } from './testnet/grid-process.ts'
import { Testnet } from './testnet/testnet.ts'

const RELAYED = (s: Record<string, any>): boolean => s.reachability?.state === 'relayed' && s.reachability.relays.length >= 2

describe('the grid across NATs (testnet: public segment, sites a and b behind punchable NATs, c behind a symmetric NAT)', () => {
  let net: Testnet
  let work: string
  const nodes: GridProcess[] = []
  const node = (name: string): GridProcess => {
    const found = nodes.findLast(n => n.host.name === name)
    if (found == null) throw new Error(`no node on ${name}`)
    return found
  }
  let bootstrap: string
  let job: string
  const publicIds = new Map<string, string>()

  beforeAll(async () => {
    net = await Testnet.create({ publicHosts: 6, sites: [{ name: 'a', nat: 'eim', hosts: 2 }, { name: 'b', nat: 'eim', hosts: 2 }, { name: 'c', nat: 'symmetric', hosts: 3 }] })
    work = await mkdtemp(join(tmpdir(), 'grid-testnet-work-'))
    job = join(work, 'count.js')
    await writeFile(job, 'export default ({ data }) => ({ rows: data.length, sum: data.reduce((s, r) => s + r.x, 0) })')
    const p1 = await GridProcess.start(net, net.host('p1'))
    nodes.push(p1)
    bootstrap = await p1.address()
    for (const name of ['p2', 'p3']) nodes.push(await GridProcess.start(net, net.host(name), { bootstrap: [bootstrap] }))
    // p4 answers every reachability check with "not reached"
    nodes.push(await GridProcess.start(net, net.host('p4'), { bootstrap: [bootstrap], env: { GRID_NODE_TEST_LIE_ON_DIAL_BACK: '1' } }))
    for (const name of ['a-1', 'a-2', 'b-1', 'b-2', 'c-1']) nodes.push(await GridProcess.start(net, net.host(name), { bootstrap: [bootstrap] }))
    for (const n of nodes) await n.event('ready')
    for (const n of nodes.filter(n => n.host.site == null)) publicIds.set(await n.peerId(), n.host.name)
    const sets: Array<[string, string, string]> = [['a-1', 'alpha', '1,2,3'], ['b-1', 'beta', '10,20'], ['c-1', 'gamma', '5']]
    for (const [name, dataset, xs] of sets) {
      const file = join(work, `${dataset}.csv`)
      await writeFile(file, `x\n${xs.split(',').join('\n')}\n`)
      const added = await node(name).cli(['datasets', 'add', file, '--tag', `#${dataset}`, '--tag', '#shared'])
      expect(added.code, added.stderr).toBe(0)
    }
  }, 180_000)

  // a node that exits by itself is a bug whatever the test was checking
  afterEach(() => {
    expect(nodes.map(n => n.crash).filter(c => c != null)).toEqual([])
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await net?.destroy()
    if (work != null) await rm(work, { recursive: true, force: true })
  })

  const nodeById = (id: string): GridProcess | undefined => nodes.find(n => n.events.find(e => e.event === 'started')?.peerId === id)
  /** Relays of a node's reservations that are not a node of the public segment, by host name (or ID when none of the test's). */
  const relaysBehindNat = async (name: string, status?: Record<string, any>): Promise<string[]> =>
    ((status ?? await node(name).status()).reachability.relays as string[])
      .filter(id => { const n = nodeById(id); return n == null || n.host.site != null })
      .map(id => nodeById(id)?.host.name ?? id)

  /** `search --json` from a node, as holder host names (unknown peers by ID). */
  const search = async (from: string, tag: string): Promise<string[]> => {
    const r = await node(from).cli(['search', tag, '--json'])
    const byId = new Map(nodes.map(n => [n.events.find(e => e.event === 'started')?.peerId, n.host.name]))
    const found = r.code === 0 ? JSON.parse(r.stdout) as Array<{ peerId: string }> : []
    return found.map(h => byId.get(h.peerId) ?? h.peerId).sort()
  }

  const run = async (from: string, tag: string): Promise<Record<string, any>> => {
    const r = await node(from).cli(['run', job, '--tag', tag, '--json'])
    const lines = r.stdout.trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l))
    expect(lines, r.stderr).toHaveLength(1)
    return lines[0]
  }

  it('behind NAT: every site node is reachable through two public relays and only queries the DHT; public nodes are reachable directly by a majority, a lying peer outvoted', async () => {
    for (const name of ['a-1', 'b-1', 'c-1']) {
      const s = await node(name).statusUntil(RELAYED)
      expect(s.reachability.dhtServer).toBe(false)
      expect(s.reachability.reason).toMatch(/behind NAT/)
      for (const relay of s.reachability.relays) expect(publicIds.has(relay), `${name}'s relay ${String(relay)} is a public node`).toBe(true)
    }
    for (const name of ['p1', 'p2', 'p3', 'p4']) {
      const s = await node(name).statusUntil(s => s.reachability?.state === 'direct')
      expect(s.reachability.dhtServer).toBe(true)
    }
    // p5 meets the liar first: its "not reached" is one answer, and the majority decides
    const p5 = await GridProcess.start(net, net.host('p5'), { bootstrap: [await node('p4').address()] })
    nodes.push(p5)
    const s = await p5.statusUntil(s => s.reachability?.state === 'direct')
    const [, reached, answers] = /(\d+) of (\d+) answers reached it/.exec(s.reachability.reason) ?? []
    expect(Number(reached)).toBeGreaterThanOrEqual(2)
    expect(Number(answers), 'the liar answered too').toBeGreaterThan(Number(reached))
  }, 120_000)

  it('a holder in site a is found from site b, and its job runs on a hole-punched direct connection; site c\'s (symmetric NAT) through a relay', async () => {
    expect(await search('b-2', '#alpha')).toEqual(['a-1'])
    const direct = await run('b-2', '#alpha')
    expect(direct).toMatchObject({ type: 'result', value: { rows: 3, sum: 6 }, via: 'direct' })
    const relayed = await run('b-2', '#gamma')
    expect(relayed).toMatchObject({ type: 'result', value: { rows: 1, sum: 5 }, via: 'relay' })
    // and from site a to site b
    expect(await run('a-2', '#beta')).toMatchObject({ type: 'result', value: { rows: 2, sum: 30 }, via: 'direct' })
  }, 120_000)

  it('partition: with site a cut off, each side finds its own live holders; after the link is back, all of them again', async () => {
    // a-2 finds a-1 on their LAN (multicast DNS): that path does not cross the cut
    await expect.poll(async () => search('a-2', '#shared'), { timeout: 30_000, interval: 1_000 }).toEqual(['a-1', 'b-1', 'c-1'])
    await net.cutSite('a')
    try {
      await expect.poll(async () => search('b-2', '#shared'), { timeout: 60_000, interval: 1_000 }).toEqual(['b-1', 'c-1'])
      await expect.poll(async () => search('a-2', '#shared'), { timeout: 60_000, interval: 1_000 }).toEqual(['a-1'])
      // cut off, its LAN peers are no relays: nobody outside could dial their relayed addresses
      for (const name of ['a-1', 'a-2']) expect(await relaysBehindNat(name), name).toEqual([])
    } finally {
      await net.healSite('a')
    }
    const healed = Date.now()
    await expect.poll(async () => search('b-2', '#shared'), { timeout: 90_000, interval: 1_000 }).toEqual(['a-1', 'b-1', 'c-1'])
    console.log(`testnet: full search results ${Date.now() - healed} ms after the partition healed`)
    for (const name of ['a-1', 'a-2']) {
      expect(await relaysBehindNat(name, await node(name).statusUntil(RELAYED, 90_000)), name).toEqual([])
    }
  }, 300_000)

  it('a node behind NAT with no relay reachable says so on its console and in status, and why', async () => {
    await net.cutSite('c')
    try {
      const lonely = await GridProcess.start(net, net.host('c-2'), { bootstrap: [bootstrap] })
      nodes.push(lonely)
      // said at start (the JSON `started` event carries it) or as a `reachability` event when it changes
      await expect.poll(() => lonely.reachabilitySaid()?.state, { timeout: 60_000 }).toBe('unreachable')
      expect(lonely.reachabilitySaid()?.reason).toMatch(/behind NAT.*no peer on the grid's public side is connected/)
      const text = await lonely.cli(['status'])
      expect(text.stdout).toMatch(/Reachable\s+not reachable: .*behind NAT/)
      expect((await lonely.status()).reachability.state).toBe('unreachable')
    } finally {
      await net.healSite('c')
    }
  }, 120_000)

  it('a relay that refuses reservations: the node behind NAT says it is not reachable, and why', async () => {
    // a grid of its own whose only public peer relays for nobody
    const refusing = await GridProcess.start(net, net.host('p6'), { args: ['--network', 'refused', '--no-relay'] })
    nodes.push(refusing)
    const behind = await GridProcess.start(net, net.host('c-3'), { bootstrap: [await refusing.address()], args: ['--network', 'refused'] })
    nodes.push(behind)
    await behind.event('ready')
    const s = await behind.statusUntil(s => s.reachability?.state === 'unreachable' && /holds a relay reservation/.test(s.reachability.reason))
    expect(s.reachability.reason).toMatch(/none of the 1 connected public peer holds a relay reservation for it yet/)
  }, 120_000)

  it('a relay that goes away: the holder reserves on another and stays reachable; a restarted holder is found again with no --bootstrap', async () => {
    const before = await node('b-1').statusUntil(RELAYED)
    const victimName = before.reachability.relays.map((id: string) => publicIds.get(id)).find((name?: string) => name != null && name !== 'p1')
    expect(victimName).toBeDefined()
    const victim = node(victimName)
    const victimId = await victim.peerId()
    await victim.kill()
    await node('b-1').statusUntil(s => RELAYED(s) && !s.reachability.relays.includes(victimId), 90_000)
    expect(await run('a-2', '#beta')).toMatchObject({ type: 'result', value: { rows: 2, sum: 30 } })

    const a1 = node('a-1')
    await a1.stop()
    nodes.push(await GridProcess.start(net, net.host('a-1'), { dataDir: a1.dataDir }))
    await node('a-1').event('ready', () => true, 60_000)
    await expect.poll(async () => search('b-2', '#alpha'), { timeout: 90_000, interval: 1_000 }).toEqual(['a-1'])
  }, 240_000)
})
