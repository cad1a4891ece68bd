import { createGridNode } from '@grid-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'
import type { GridNode, SearchResult } from '@grid-node/core'

const LIBRARY_NODES = 16 // + 1 bootstrap + 4 holders = 21 nodes

/** Holders by dataset name, from a list of results. */
const holders = (results: SearchResult[]): string[] => results.map(r => r.peerId.toString()).sort()

describe('gateway-free search in a 21-node grid with real data', () => {
  const dirs: string[] = []
  const cli: CliNode[] = []
  const lib: GridNode[] = []
  let boot: CliNode
  let bootstrap: string
  const holderDirs: Record<string, string> = {}
  const holderIds: Record<string, string> = {}
  const holderNodes: Record<string, CliNode> = {}
  let searcher: GridNode

  const newDir = async (): Promise<string> => { const d = await tempDir(); dirs.push(d); return d }

  beforeAll(async () => {
    const data = await newDir()
    const cars = await vegaRows('cars')
    const third = Math.ceil(cars.length / 3)
    const files = {
      cars1: await writeRows(data, 'cars1', 'json', cars.slice(0, third)),
      cars2: await writeRows(data, 'cars2', 'csv', cars.slice(third, 2 * third)),
      cars3: await writeRows(data, 'cars3', 'jsonl', cars.slice(2 * third)),
      penguins: await writeRows(data, 'penguins', 'json', await vegaRows('penguins'))
    }

    boot = CliNode.start(await newDir())
    cli.push(boot)
    bootstrap = (await boot.started()).bootstrapAddrs[0]!
    for (let i = 0; i < LIBRARY_NODES; i++) {
      lib.push(await createGridNode({ dataDir: await newDir(), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [bootstrap], lan: true }))
    }
    // a private #cars dataset on one library node: it must never be found
    await lib[3]!.datasets.add({ name: 'secret-cars', rows: cars.slice(0, 10), tags: ['#cars'], private: true })

    // holders: datasets added to the data dir while no node runs, then started
    for (const [name, file] of Object.entries(files)) {
      const dir = holderDirs[name] = await newDir()
      const tag = name === 'penguins' ? '#penguins' : '#cars'
      const added = await runCli(['datasets', 'add', file, '--tag', tag, '--tag', '#vega', '--data-dir', dir])
      expect(added.code, added.stderr).toBe(0)
      const node = holderNodes[name] = CliNode.start(dir, ['--bootstrap', bootstrap])
      cli.push(node)
      holderIds[name] = (await node.started()).peerId
    }
    await Promise.all([...cli.map(async n => n.event('ready')), ...lib.map(async n => n.whenReady())])
    searcher = lib[LIBRARY_NODES - 1]!
    // announcements travel in the background: wait until the grid sees every holder once
    await eventually(async () => (await searcher.searchAll(['#cars', '#penguins'], { cache: false })).length === 4 ? true : undefined, 'all four holders announced', 60_000)
  })

  afterAll(async () => {
    await Promise.all(lib.map(async n => n.stop()))
    await Promise.all(cli.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('#cars returns exactly the three holders with their descriptors, never the private dataset', async () => {
    const results = await searcher.searchAll(['#CARS'], { cache: false })
    expect(holders(results)).toEqual([holderIds.cars1, holderIds.cars2, holderIds.cars3].sort())
    const datasets = results.flatMap(r => r.datasets)
    expect(datasets.map(d => d.name).sort()).toEqual(['cars1', 'cars2', 'cars3'])
    expect(datasets.reduce((n, d) => n + d.rows, 0)).toBe((await vegaRows('cars')).length)
    for (const d of datasets) {
      expect(d.tags).toEqual(['#cars', '#vega'])
      expect(d.columns.map(c => c.name)).toContain('Horsepower')
      expect(d.columns.find(c => c.name === 'Horsepower')?.type).toBe('number')
      expect(d.status).toBe('ok')
    }
    expect(results.every(r => r.rttMs > 0 && r.addrs.length > 0)).toBe(true)
    expect(results.map(r => r.peerId.toString())).not.toContain(lib[3]!.peerId.toString())
  })

  it('any-match of #cars #penguins returns four holders; all-match returns none; an unknown tag none, within its timeout', async () => {
    expect((await searcher.searchAll(['#cars', '#penguins'], { cache: false })).length).toBe(4)
    expect(await searcher.searchAll(['#cars', '#penguins'], { match: 'all', cache: false })).toEqual([])
    const started = Date.now()
    expect(await searcher.searchAll(['#nobody-has-this'], { timeoutMs: 3_000 })).toEqual([])
    expect(Date.now() - started).toBeLessThan(10_000) // bounded, not hanging
  })

  it('the CLI searches through a running node (table, --json) and exits 1 with none', async () => {
    const table = await runCli(['search', '#penguins', '--data-dir', boot.dataDir])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/^PEER\s+RTT\s+DATASET\s+ROWS\s+TAGS/m)
    expect(table.stdout).toMatch(new RegExp(`${holderIds.penguins}\\s+[\\d.]+ ms\\s+penguins\\s+344\\s+#penguins #vega`))
    const json = await runCli(['search', '#cars', '--json', '--data-dir', boot.dataDir])
    expect(json.code).toBe(0)
    const parsed = JSON.parse(json.stdout)
    expect(parsed.map((r: any) => r.peerId).sort()).toEqual([holderIds.cars1, holderIds.cars2, holderIds.cars3].sort())
    expect(parsed[0]).toMatchObject({ addrs: [expect.stringMatching(/^\/ip4\/127/)], rttMs: expect.any(Number), datasets: [{ name: expect.stringMatching(/^cars\d$/), tags: ['#cars', '#vega'], rows: expect.any(Number), columns: expect.any(Array) }] })
    const none = await runCli(['search', '#nobody-has-this', '--timeout', '2000', '--data-dir', boot.dataDir])
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/no live holder found for #nobody-has-this/)
    const noneJson = await runCli(['search', '#nobody-has-this', '--timeout', '2000', '--json', '--data-dir', boot.dataDir])
    expect([noneJson.code, JSON.parse(noneJson.stdout)]).toEqual([1, []])
  })

  it('with no running node, the CLI searches as a short-lived DHT client from --bootstrap', async () => {
    const r = await runCli(['search', '#penguins', '--json', '--bootstrap', bootstrap, '--lan', '--data-dir', await newDir()])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).map((x: any) => x.peerId)).toEqual([holderIds.penguins])
  })

  it('POST /search answers in the old gateway shape', async () => {
    const { status, body } = await boot.api<{ 'node-addresses': string[][] }>('/search', { method: 'POST', body: JSON.stringify({ query: ['#CARS', '#penguins'] }), headers: { 'content-type': 'application/json' } })
    expect(status).toBe(200)
    expect(body['node-addresses'].map(([id]) => id).sort()).toEqual(Object.values(holderIds).sort())
    for (const [id, addr] of body['node-addresses']) expect(addr).toMatch(new RegExp(`^/ip4/.*/tcp/\\d+(/p2p/${id})?$`))
    const bad = await boot.api<{ error: string }>('/search', { method: 'POST', body: JSON.stringify({ query: '#cars' }), headers: { 'content-type': 'application/json' } })
    expect(bad.status).toBe(400)
    const badTag = await boot.api<{ error: string }>('/search', { method: 'POST', body: JSON.stringify({ query: ['cars!'] }), headers: { 'content-type': 'application/json' } })
    expect([badTag.status, badTag.body.error]).toEqual([400, expect.stringMatching(/invalid tag "cars!"/)])
  })

  it('kill -9 a holder: the very next search returns the other two; restarted with no add, it is found again', async () => {
    const before = await searcher.searchAll(['#cars'])
    expect(before.length).toBe(3)
    const victim = holderNodes.cars2!
    victim.child.kill('SIGKILL')
    await new Promise(resolve => victim.child.once('exit', resolve))

    expect(holders(await searcher.searchAll(['#cars']))).toEqual([holderIds.cars1, holderIds.cars3].sort())

    const again = CliNode.start(holderDirs.cars2!) // no --bootstrap, no datasets add
    cli.push(again)
    expect((await again.started()).peerId).toBe(holderIds.cars2)
    await eventually(async () => (await searcher.searchAll(['#cars'], { cache: false })).length === 3 ? true : undefined, 'the restarted holder to be found', 60_000)
  })
})
