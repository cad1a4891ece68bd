/**
 * Issue 9, item 2 and the .ldb part of item 9: paths that are not regular files, files over the
 * limit, a file swapped for a FIFO after it was added, and a damaged LevelDB table. Real files,
 * the real database, the real CLI and a running node's API.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, constants, openSync } from 'node:fs'
import { mkdir, open, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createGridNode, openDatasets } from '@grid-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, removeDir, runCli, tempDir } from './helpers/cli.js'
import type { GridNode, GridNodeInit } from '@grid-node/core'

/** A refused path answers well within this, whatever it is. */
const PROMPT_MS = 3_000
/** The node may grow this much while refusing /dev/zero (it grew 16.7 GB before). */
const RSS_BOUND_BYTES = 100 * 1024 * 1024

async function rssOf (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024
}

function mkfifo (path: string): void {
  execFileSync('mkfifo', [path])
}

/** Releases anyone still blocked opening the FIFO for reading (there should be nobody), then removes it. */
async function removeFifo (path: string): Promise<void> {
  try { closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)) } catch {}
  await rm(path, { force: true })
}

async function timed<T> (work: () => Promise<T>): Promise<{ value: T, ms: number }> {
  const started = performance.now()
  const value = await work()
  return { value, ms: performance.now() - started }
}

/** A holder and a requester joined to it, on loopback, started before the block's tests and stopped after. */
function holderAndRequester (prefix: string, holderInit: Partial<GridNodeInit> = {}): { root: string, holder: GridNode, requester: GridNode } {
  const pair = {} as { root: string, holder: GridNode, requester: GridNode }
  beforeAll(async () => {
    pair.root = await tempDir(prefix)
    pair.holder = await createGridNode({ dataDir: join(pair.root, 'holder'), listen: ['/ip4/127.0.0.1/tcp/0'], lan: true, ...holderInit })
    pair.requester = await createGridNode({ dataDir: join(pair.root, 'requester'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: pair.holder.shareableAddrs(), lan: true })
    await pair.requester.join(pair.holder.shareableAddrs()[0]!)
  }, 60_000)
  afterAll(async () => {
    await pair.requester?.stop()
    await pair.holder?.stop()
    await removeDir(pair.root)
  })
  return pair
}

describe('hostile dataset paths on a running node', () => {
  let root: string
  let node: CliNode
  const post = async (body: unknown): Promise<{ status: number, body: any }> =>
    node.api('/v1/datasets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  beforeAll(async () => {
    root = await tempDir('grid-hostile-datasets-')
    await writeFile(join(root, 'good.csv'), 'a,b\n1,2\n3,4\n')
    node = CliNode.start(join(root, 'node'))
    await node.started()
    expect((await post({ path: join(root, 'good.csv'), tags: ['#good'] })).status).toBe(200)
  }, 60_000)

  afterAll(async () => {
    await node?.stop()
    await removeDir(root)
  })

  it('refuses a symlink to /dev/zero at once, and the node does not grow', async () => {
    const link = join(root, 'zero.csv')
    await symlink('/dev/zero', link)
    const before = await rssOf(node.child.pid!)
    const { value: res, ms } = await timed(async () => post({ path: link, tags: ['#zero'] }))
    expect(res).toMatchObject({ status: 400, body: { error: expect.stringMatching(/zero\.csv \(it is a character device, not a regular file\)/) } })
    expect(ms).toBeLessThan(PROMPT_MS)
    expect(await rssOf(node.child.pid!) - before).toBeLessThan(RSS_BOUND_BYTES)
  })

  it('refuses a FIFO at once, while the same node keeps answering', async () => {
    const fifo = join(root, 'pipe.csv')
    mkfifo(fifo)
    try {
      const [added, listed] = await Promise.all([
        timed(async () => post({ path: fifo, tags: ['#pipe'] })),
        // the wait is the point: the list is asked while the FIFO's add is in flight
        timed(async () => { await new Promise(resolve => setTimeout(resolve, 200)); return node.api<any[]>('/v1/datasets') })
      ])
      expect(added.value).toMatchObject({ status: 400, body: { error: expect.stringMatching(/pipe\.csv \(it is a FIFO/) } })
      expect(added.ms).toBeLessThan(PROMPT_MS)
      expect(listed.value.status).toBe(200)
      expect(listed.value.body.map((d: any) => d.name)).toEqual(['good'])
      expect(listed.ms).toBeLessThan(PROMPT_MS)
    } finally {
      await removeFifo(fifo)
    }
  })

  it('refuses a directory', async () => {
    const dir = join(root, 'dir.csv')
    await mkdir(dir)
    expect(await post({ path: dir, tags: ['#dir'] })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/dir\.csv \(it is a directory, not a regular file\)/) } })
  })
})

describe('hostile dataset files without a running node', () => {
  let root: string
  beforeAll(async () => { root = await tempDir('grid-hostile-files-') })
  afterAll(async () => { await removeDir(root) })

  it('refuses a file over the configured limit (flag and environment), and the store stays as it was', async () => {
    const dataDir = join(root, 'limit')
    const file = join(root, 'big.csv')
    await writeFile(file, 'a,b\n' + '1,2\n'.repeat(1000))
    const byFlag = await runCli(['datasets', 'add', file, '--tag', '#big', '--dataset-max-bytes', '1000', '--data-dir', dataDir])
    expect([byFlag.code, byFlag.stderr]).toEqual([1, expect.stringMatching(/big\.csv is 4004 bytes, over the limit of 1000; split it, or raise the limit/)])
    const byEnv = await runCli(['datasets', 'add', file, '--tag', '#big', '--data-dir', dataDir], { GRID_NODE_DATASET_MAX_BYTES: '4003' })
    expect(byEnv.code).toBe(1)
    expect(JSON.parse((await runCli(['datasets', 'ls', '--json', '--data-dir', dataDir])).stdout)).toEqual([])
    const fits = await runCli(['datasets', 'add', file, '--tag', '#big', '--dataset-max-bytes', '4004', '--data-dir', dataDir])
    expect([fits.code, fits.stdout]).toEqual([0, expect.stringMatching(/added big: 1000 rows/)])
  })

  it('gives a damaged .ldb table the same advice as other corruption', async () => {
    const dataDir = join(root, 'corrupt')
    const file = join(root, 'cars.csv')
    await writeFile(file, 'a,b\n1,2\n')
    expect((await runCli(['datasets', 'add', file, '--tag', '#cars', '--data-dir', dataDir])).code).toBe(0)
    // a few MB of rows datasets, closed and reopened, so LevelDB writes them into .ldb tables
    const opened = await openDatasets(dataDir)
    for (let i = 0; i < 4; i++) {
      await opened.datasets.add({ name: `filler-${i}`, tags: ['#filler'], rows: Array.from({ length: 5000 }, (_, n) => ({ n, text: `row ${n} of ${i} `.repeat(10) })) })
    }
    await opened.close()
    await (await openDatasets(dataDir)).close()
    const tables = (await readdir(join(dataDir, 'db'))).filter(f => f.endsWith('.ldb'))
    expect(tables.length).toBeGreaterThan(0)
    for (const table of tables) {
      const handle = await open(join(dataDir, 'db', table), 'r+')
      const { size } = await handle.stat()
      await handle.write(new Uint8Array(Math.min(4096, size >> 1)).fill(0x41), 0, Math.min(4096, size >> 1), size >> 2)
      await handle.close()
    }
    for (const args of [['datasets', 'ls'], ['id']]) {
      const r = await runCli([...args, '--data-dir', dataDir])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/^grid-node: error: the database in .*db is corrupt \(Corruption: .*\); move the data dir aside and start again, or choose another data dir$/m)
    }
  })
})

describe('a dataset file swapped for a FIFO after it was added', () => {
  const pair = holderAndRequester('grid-hostile-swap-')

  it('a job on it ends in an error at once, and the holder goes on serving', async () => {
    const file = join(pair.root, 'swap.csv')
    await writeFile(file, 'a\n1\n2\n')
    await pair.holder.datasets.add({ path: file, tags: ['#swap'] })
    await pair.holder.datasets.add({ name: 'plain', rows: [{ a: 1 }, { a: 2 }, { a: 3 }], tags: ['#plain'] })
    await rm(file)
    mkfifo(file)
    try {
      await expect(pair.holder.datasets.readRows('swap')).rejects.toMatchObject({ name: 'DatasetFileError', message: expect.stringMatching(/swap\.csv \(it is a FIFO/) })
      const { value: finals, ms } = await timed(async () => pair.requester.runAll({ code: 'export default ({ data }) => data.length', peers: [pair.holder.peerId], dataset: 'swap', retries: 0 }))
      expect(finals.map(e => e.type)).toEqual(['error'])
      // the requester learns that the dataset cannot be read, never the holder's local path
      expect(finals[0]).toMatchObject({ message: 'dataset "swap" cannot be read here right now' })
      expect(ms).toBeLessThan(10_000)
      const listed = await timed(async () => pair.holder.datasets.list())
      expect(listed.value.find(d => d.name === 'swap')?.status).toBe('missing')
      expect(listed.ms).toBeLessThan(PROMPT_MS)
      const plain = await pair.requester.runAll({ code: 'export default ({ data }) => data.length', peers: [pair.holder.peerId], dataset: 'plain' })
      expect(plain).toEqual([expect.objectContaining({ type: 'result', value: 3 })])
    } finally {
      await removeFifo(file)
    }
  }, 60_000)
})

describe('limits a running node applies to dataset files', () => {
  let root: string
  let node: CliNode

  beforeAll(async () => {
    root = await tempDir('grid-hostile-limits-')
    node = CliNode.start(join(root, 'node'), ['--dataset-max-bytes', '64'])
    await node.started()
  }, 60_000)

  afterAll(async () => {
    await node?.stop()
    await removeDir(root)
  })

  it('start --dataset-max-bytes: a larger file is a 413 naming the limit, a smaller one is added', async () => {
    const post = async (path: string): Promise<{ status: number, body: any }> =>
      node.api('/v1/datasets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path, tags: ['#limit'] }) })
    await writeFile(join(root, 'big.csv'), 'a\n' + '123456789\n'.repeat(10))
    await writeFile(join(root, 'small.csv'), 'a\n1\n')
    expect(await post(join(root, 'big.csv'))).toMatchObject({ status: 413, body: { error: expect.stringMatching(/over the limit of 64/) } })
    expect((await post(join(root, 'small.csv'))).status).toBe(200)
  })
})

describe('a job on a dataset larger than a job\'s memory', () => {
  // a 1 MiB sandbox: a 2 MiB file can never fit it, so it is not even read
  const pair = holderAndRequester('grid-hostile-bigjob-', { compute: { memoryBytes: 1024 * 1024 } })

  it('ends in one clear error, without reading the rows', async () => {
    const file = join(pair.root, 'wide.csv')
    await writeFile(file, 'a\n' + `${'x'.repeat(1023)}\n`.repeat(2048))
    await pair.holder.datasets.add({ path: file, tags: ['#wide'] })
    const finals = await pair.requester.runAll({ code: 'export default ({ data }) => data.length', peers: [pair.holder.peerId], dataset: 'wide', retries: 0 })
    expect(finals).toEqual([expect.objectContaining({ type: 'error', message: 'dataset "wide" is larger than a job\'s memory here (1048576 bytes)' })])
  }, 60_000)
})
