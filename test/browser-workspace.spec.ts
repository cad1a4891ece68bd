/**
 * The example page as a place to work, in Chromium: two Node.js holders (in this process) each
 * hold a dataset with one tag; the page runs a `--tag` job over both and its history shows each
 * holder's progress, timings and result; it runs a job on one dataset picked by content hash;
 * the tab adds, lists and removes datasets of its own; the grid view shows each connection's
 * transport. Screenshots go to $GRID_SCREENSHOTS (kept) or a temporary directory (removed).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describePath } from '../examples/browser-worker/src/transport.js'
import { launchChromium, serveExample } from './helpers/browser.js'
import { eventually, removeDir, tempDir } from './helpers/cli.js'
import type { GridNode } from '@grid-node/core'
import type { Browser, Locator, Page } from 'playwright-core'

const TAG = '#workspace-shared'
const TWIN_TAG = '#workspace-twin'
const LISTEN = ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']
/** Reports half-way, then works for a while, so the page can be seen showing the progress. */
const JOB = `export default ({ data, progress }) => {
  progress(0.5)
  const end = Date.now() + 2500
  while (Date.now() < end) {}
  return data.reduce((sum, row) => sum + row.x, 0)
}`
const SCORES = { name: 'scores.csv', mimeType: 'text/csv', buffer: Buffer.from('name,score\nada,3\nbob,4\n') }

describe('the example page as a workspace (Chromium)', () => {
  const dirs: string[] = []
  let left: GridNode
  let right: GridNode
  let site: { url: string, close: () => Promise<void> }
  let browser: Browser
  let page: Page
  let shots: string

  const shot = async (name: string): Promise<void> => { await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }) }
  const holder = async (bootstrap: string[]): Promise<GridNode> => {
    const dataDir = await tempDir()
    dirs.push(dataDir)
    return createGridNode({ dataDir, listen: LISTEN, bootstrap, lan: true, compute: { poolSize: 2 } })
  }
  /** The history's newest entry. */
  const newestJob = (): Locator => page.getByRole('list', { name: 'Job history' }).locator(':scope > li').first()

  beforeAll(async () => {
    shots = process.env.GRID_SCREENSHOTS ?? await tempDir('grid-screens-')
    if (process.env.GRID_SCREENSHOTS == null) dirs.push(shots)
    await mkdir(shots, { recursive: true })
    left = await holder([])
    right = await holder([left.shareableAddrs()[0]!.toString()])
    await right.whenReady()
    await left.datasets.add({ name: 'left', tags: [TAG], rows: [{ x: 1 }, { x: 2 }] })
    await right.datasets.add({ name: 'right', tags: [TAG], rows: [{ x: 10 }, { x: 20 }, { x: 30 }] })
    // the same bytes on both: one job, two replicas
    for (const node of [left, right]) await node.datasets.add({ name: 'twin', tags: [TWIN_TAG], rows: [{ x: 5 }, { x: 6 }] })

    site = await serveExample()
    browser = await launchChromium()
    page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage()
    const ws = left.getMultiaddrs().map(String).find(a => a.includes('/ws/'))!
    await page.goto(`${site.url}?lan=1&pool=1&bootstrap=${encodeURIComponent(ws)}`)
    // both holders answer a search from the tab before the page is asked to run anything
    await eventually(async () => page.evaluate(async (tags) => {
      const node = (globalThis as any).grid?.node
      if (node?.status().ready !== true) return undefined
      const found = await Promise.all(tags.map(async tag => (await node.searchAll([tag], { cache: false, timeoutMs: 3_000 })).length))
      return found.every(n => n === 2) ? true : undefined
    }, [TAG, TWIN_TAG]), 'the tab to find both holders of each tag', 45_000)
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await Promise.all([left, right].map(async n => n?.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('says what is wrong with a job before sending it: no tags, arguments that are not JSON, not a peer ID, an unknown content hash', async () => {
    await page.getByRole('radio', { name: 'Holders of tags' }).check()
    await page.getByLabel('Job tags').fill('')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await expect.poll(async () => page.getByRole('alert').textContent()).toMatch(/give at least one tag to run on its holders/)
    await page.getByLabel('Job tags').fill(TAG)
    await page.getByLabel('Arguments (JSON)').fill('{values: 1}')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await expect.poll(async () => page.getByRole('alert').textContent()).toMatch(/^args must be JSON/)
    await page.getByLabel('Arguments (JSON)').fill('')
    await page.getByRole('radio', { name: 'Chosen peers' }).check()
    await page.getByLabel('Peer IDs').fill('not-a-peer')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await expect.poll(async () => page.getByRole('alert').textContent()).toMatch(/^"not-a-peer" is not a peer ID/)
    await page.getByRole('radio', { name: 'A dataset (content hash)' }).check()
    await page.getByLabel('Dataset content hash').fill('0123456789abcdef')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await expect.poll(async () => page.getByRole('alert').textContent()).toMatch(/^no holder of a dataset with content 0123456789abcdef… is known: search the grid for its tags first/)
    await page.getByRole('radio', { name: 'Holders of tags' }).check()
    expect(await page.getByRole('list', { name: 'Job history' }).locator(':scope > li').count()).toBe(0)
  })

  it('runs a --tag job over both holders: the history shows each one\'s progress, timings and result', async () => {
    await page.getByLabel('Arguments (JSON)').fill('')
    await page.getByLabel('Code', { exact: true }).fill(JOB)
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    expect(await page.getByRole('alert').textContent()).toBe('')
    const job = newestJob()
    await expect.poll(async () => job.getAttribute('aria-label')).toBe('job 1')
    // each holder's bar shows the job's own report of half-way while it works
    const halfWay = new Set<string>()
    let shotRunning = false
    await expect.poll(async () => {
      for (const row of await job.locator('tbody tr').all()) {
        if (await row.getByRole('progressbar').evaluate(bar => (bar as HTMLProgressElement).value) === 0.5) halfWay.add(String(await row.getAttribute('data-peer-id')))
      }
      // the history while the job runs, once
      if (halfWay.size > 0 && !shotRunning) { shotRunning = true; await page.locator('#history-panel').screenshot({ path: join(shots, '1-job-running.png') }) }
      return [...halfWay].sort()
    }, { timeout: 20_000, interval: 50 }).toEqual([left.peerId.toString(), right.peerId.toString()].sort())
    await expect.poll(async () => job.getAttribute('data-state'), { timeout: 20_000 }).toBe('done')
    expect(await job.locator('.job-state').textContent()).toMatch(/^done · 2 results, 0 failed in \d+ ms$/)
    for (const [node, total] of [[left, '3'], [right, '60']] as const) {
      const row = job.locator(`tbody tr[data-peer-id="${node.peerId.toString()}"]`)
      expect(await row.getAttribute('data-state')).toBe('result')
      expect(await row.locator('td.outcome').textContent()).toBe(total)
      expect(await row.getByRole('progressbar').evaluate(bar => (bar as HTMLProgressElement).value)).toBe(1)
      const timings = String(await row.locator('td.timings').textContent())
      expect(timings).toMatch(/^sent \+\d+ · queued \+\d+ · started \+\d+ · finished \+\d+ · ran (\d+) ms · direct$/)
      // in order, and the time it ran is from its start to its end
      const [sent, queued, started, finished, ran] = [...timings.matchAll(/\d+/g)].map(m => Number(m[0]))
      expect([sent, queued, started, finished]).toEqual([sent!, queued!, started!, finished!].sort((a, b) => a - b))
      expect(Math.abs(ran! - (finished! - started!))).toBeLessThanOrEqual(1)
    }
    await shot('2-job-done')
  })

  it('runs a job on one dataset chosen by its content hash from a search result', async () => {
    await page.getByLabel('Tags to search for').fill(TAG)
    await page.getByRole('button', { name: 'Search' }).click()
    const hash = (await left.datasets.get('left')).hash
    await page.getByRole('button', { name: `run on left (${hash.slice(0, 12)})` }).click()
    expect(await page.getByRole('radio', { name: 'A dataset (content hash)' }).isChecked()).toBe(true)
    expect(await page.getByLabel('Dataset content hash').inputValue()).toBe(hash)
    await page.getByLabel('Code', { exact: true }).fill('export default ({ data }) => data.map(row => row.x * 2)')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const job = newestJob()
    await expect.poll(async () => job.getAttribute('aria-label')).toBe('job 2')
    await expect.poll(async () => job.getAttribute('data-state'), { timeout: 20_000 }).toBe('done')
    expect(await job.locator('.job-target').textContent()).toBe(`dataset left (${hash.slice(0, 12)}…)`)
    const rows = job.locator('tbody tr')
    expect(await rows.count()).toBe(1)
    expect(await rows.first().getAttribute('data-peer-id')).toBe(left.peerId.toString())
    expect(await rows.first().locator('td.outcome').textContent()).toBe('[2,4]')
    // newest first: job 2 above job 1
    expect(await page.getByRole('list', { name: 'Job history' }).locator(':scope > li').evaluateAll(items => items.map(i => i.getAttribute('data-seq')))).toEqual(['2', '1'])
  })

  it('a job that fails on one holder: the history says which, and why, beside the other\'s result', async () => {
    await page.getByRole('radio', { name: 'Holders of tags' }).check()
    await page.getByLabel('Job tags').fill(TAG)
    await page.getByLabel('Code', { exact: true }).fill('export default ({ data }) => { if (data.length === 2) throw new RangeError("two rows are too few"); return data.length }')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const job = newestJob()
    await expect.poll(async () => job.getAttribute('aria-label')).toBe('job 3')
    await expect.poll(async () => job.getAttribute('data-state'), { timeout: 20_000 }).toBe('failed')
    expect(await job.locator('.job-state').textContent()).toMatch(/^failed · 1 result, 1 failed in \d+ ms$/)
    const failed = job.locator(`tbody tr[data-peer-id="${left.peerId.toString()}"]`)
    expect(await failed.getAttribute('data-state')).toBe('error')
    expect(await failed.locator('td.outcome').textContent()).toMatch(/^failed, threw: RangeError: two rows are too few/)
    expect(await job.locator(`tbody tr[data-peer-id="${right.peerId.toString()}"] td.outcome`).textContent()).toBe('3')
  })

  it('Cancel stops a running job on every holder; the history says it was cancelled and shows its last log line', async () => {
    await page.getByLabel('Code', { exact: true }).fill('export default ({ progress, log }) => { progress(0.1); log("working on it"); const end = Date.now() + 20000; while (Date.now() < end) {} return "late" }')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const job = newestJob()
    await expect.poll(async () => job.getAttribute('aria-label')).toBe('job 4')
    await expect.poll(async () => job.locator('.log-line', { hasText: 'working on it' }).count(), { timeout: 20_000 }).toBe(2)
    await job.getByRole('button', { name: 'cancel job 4' }).click()
    await expect.poll(async () => job.getAttribute('data-state')).toBe('cancelled')
    expect(await job.locator('td.outcome').allTextContents()).toEqual(['cancelled', 'cancelled'])
    // the holders' workers are free again, well before the job's 20 s
    await expect.poll(() => left.poolStatus().running + right.poolStatus().running, { timeout: 10_000 }).toBe(0)
  })

  it('runs a job on two replicas of one content hash: both holders agree, and the history says so', async () => {
    await page.getByLabel('Tags to search for').fill(TWIN_TAG)
    await page.getByRole('button', { name: 'Search' }).click()
    const hash = (await left.datasets.get('twin')).hash
    await page.getByRole('button', { name: `run on twin (${hash.slice(0, 12)})` }).first().click()
    await page.getByLabel('Code', { exact: true }).fill('export default ({ data }) => data.length')
    await page.getByLabel('Replicas').fill('2')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const job = newestJob()
    await expect.poll(async () => job.getAttribute('aria-label')).toBe('job 5')
    await expect.poll(async () => job.getAttribute('data-state'), { timeout: 20_000 }).toBe('done')
    expect(await job.locator('.verdict').textContent()).toBe('2 replicas: 2 agreed')
    const peers = await job.locator('tbody tr').evaluateAll(rows => rows.map(r => r.getAttribute('data-peer-id')))
    expect(peers.sort()).toEqual([left.peerId.toString(), right.peerId.toString()].sort())
    expect(await job.locator('td.outcome').allTextContents()).toEqual(['2 agreed', '2 agreed'])
    await page.getByLabel('Replicas').fill('1')
  })

  it('the tab adds a dataset (tags after the file), lists it, takes the same file twice, and removes it', async () => {
    const list = page.getByRole('list', { name: 'Datasets in this tab' })
    const catalog = async (): Promise<string[]> => page.evaluate(async () => (await (globalThis as any).grid.node.datasets.list()).map((d: any) => d.name))
    const file = page.getByLabel('Dataset file (CSV, JSON or JSONL)')
    const status = page.locator('#dataset-status')
    await page.getByLabel('Tags for it').fill('')
    await file.setInputFiles(SCORES)
    await expect.poll(async () => status.textContent()).toMatch(/^scores\.csv chosen: give it at least one tag/)
    await page.getByLabel('Tags for it').fill('#tab-scores')
    await page.getByRole('button', { name: 'Add dataset' }).click()
    await expect.poll(async () => status.textContent()).toBe('scores: 2 rows, announced as #tab-scores; its rows stay in this tab')
    await expect.poll(async () => list.locator('li[data-name="scores"]').count()).toBe(1)
    expect(await catalog()).toEqual(['scores'])
    await shot('3-dataset-added')

    // the same file again: the picker fires again and says the name is taken
    await file.setInputFiles(SCORES)
    await expect.poll(async () => status.textContent()).toMatch(/^cannot add scores\.csv: this tab already has a dataset named scores: remove it first/)

    await list.getByRole('button', { name: 'Remove scores' }).click()
    await expect.poll(async () => list.locator('li[data-name]').count()).toBe(0)
    expect(await catalog()).toEqual([])

    // and once more after removing it: added at once, the tags being there already
    await file.setInputFiles(SCORES)
    await expect.poll(async () => list.locator('li[data-name="scores"]').count()).toBe(1)
    expect(await catalog()).toEqual(['scores'])
  })

  it('the grid view lists both Node.js peers with each connection\'s transport; the history survives a reload', async () => {
    const connections = page.getByRole('table', { name: 'Connections' })
    for (const node of [left, right]) {
      const row = connections.locator(`tr[data-peer-id="${node.peerId.toString()}"]`).first()
      await expect.poll(async () => row.getAttribute('data-transport'), { timeout: 10_000 }).toBe('websockets')
      expect(await row.getAttribute('data-path')).toBe('direct')
      expect(await row.locator('td').nth(3).textContent()).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\//)
    }
    expect(await connections.locator(`tr[data-peer-id="${left.peerId.toString()}"]`).first().textContent()).toContain('this tab\'s relay')
    await expect.poll(async () => page.locator('#grid-summary').textContent()).toMatch(/^2 peers, \d+ connections? \(\d+ direct, \d+ relayed\); relays holding a slot for this tab: 12D3KooW/)
    await page.locator('#peers-panel').screenshot({ path: join(shots, '4-grid.png') })

    await page.reload()
    const seqs = async (): Promise<string[]> => page.getByRole('list', { name: 'Job history' }).locator(':scope > li').evaluateAll(items => items.map(i => `${String(i.getAttribute('data-seq'))} ${String(i.getAttribute('data-state'))}`))
    await expect.poll(seqs).toEqual(['5 done', '4 cancelled', '3 failed', '2 done', '1 done'])
    await expect.poll(async () => page.locator('#state').getAttribute('data-state'), { timeout: 30_000 }).toBe('reachable')
    await shot('5-after-reload')
  })
})

describe('the grid view\'s reading of a connection\'s multiaddr', () => {
  const relay = '/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWRNMrzmN6VWKbRtV4SkaQa8JjwRcimNKLG3CqxnLXRUa9'
  const peer = '12D3KooWF8nFwGd6ChNPHmoa8u8vtrb2D9gyw26eoaeq8U251bEp'
  it('tells WebRTC (signalled over a relay, direct), a circuit relay, WebSockets with and without TLS, and TCP apart', () => {
    expect(describePath(`${relay}/p2p-circuit/webrtc/p2p/${peer}`)).toEqual({ transport: 'webrtc', path: 'direct' })
    expect(describePath(`${relay}/p2p-circuit/p2p/${peer}`)).toEqual({ transport: 'circuit relay', path: 'relayed' })
    expect(describePath(relay)).toEqual({ transport: 'websockets', path: 'direct' })
    expect(describePath(`/dns4/grid.example/tcp/443/tls/ws/p2p/${peer}`)).toEqual({ transport: 'websockets (tls)', path: 'direct' })
    expect(describePath(`/ip4/192.0.2.1/tcp/443/wss/p2p/${peer}`)).toEqual({ transport: 'websockets (tls)', path: 'direct' })
    expect(describePath(`/ip4/192.0.2.1/tcp/7400/p2p/${peer}`)).toEqual({ transport: 'tcp', path: 'direct' })
  })
})
