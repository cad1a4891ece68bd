/**
 * The status page at `/`, in Chromium, against real `grid-node start` processes: it shows the
 * node, its peers and datasets; a job served here moves its progress bar as it runs, then shows
 * its result and timing, on the holder's page (served) and the requester's (requested); the
 * activity chart counts jobs and searches and slides with the clock. A node that restarts is
 * followed again without a reload, its events numbered anew. An API beyond loopback
 * serves the page without a token, and the page asks for the token, keeps it for the tab and
 * says when one is refused. A screenshot of the holder's page is saved to
 * GRID_STATUS_SCREENSHOT (default /tmp/status-page.png).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { CliNode, eventually, freePort, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'
import type { Browser, Page } from 'playwright-core'

const SCREENSHOT = process.env.GRID_STATUS_SCREENSHOT ?? '/tmp/status-page.png'

/** Reports its progress eight times, about 2.4 s in all, then counts the rows. */
const SLOW_JOB = `export default ({ data, progress }) => {
  for (let i = 1; i <= 8; i++) {
    const end = Date.now() + 300
    while (Date.now() < end);
    progress(i / 8)
  }
  return data.length
}`

/** POST /v1/run on a node's API, to the end of its NDJSON: the events. */
async function run (node: CliNode, code: string, tags: string[]): Promise<Array<Record<string, any>>> {
  const { api } = await node.started()
  const res = await fetch(`${api}/v1/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, tags }) })
  expect(res.status).toBe(200)
  return (await res.text()).trim().split('\n').map(line => JSON.parse(line))
}

async function chartCount (page: Page, series: string): Promise<number> {
  return Number(await page.locator('#chart svg').getAttribute(`data-${series}`))
}

describe('the status page', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  let holder: CliNode
  let requester: CliNode
  let other: CliNode
  let browser: Browser

  beforeAll(async () => {
    const files = await tempDir()
    dirs.push(files)
    const holderDir = await tempDir()
    dirs.push(holderDir)
    const cars = await writeRows(files, 'cars', 'json', await vegaRows('cars'))
    expect((await runCli(['datasets', 'add', cars, '--tag', '#cars', '--tag', '#vehicles', '--data-dir', holderDir])).code).toBe(0)
    holder = CliNode.start(holderDir)
    nodes.push(holder)
    const bootstrap = (await holder.started()).bootstrapAddrs[0]!
    const peer = async (): Promise<CliNode> => {
      const dir = await tempDir()
      dirs.push(dir)
      const node = CliNode.start(dir, ['--bootstrap', bootstrap])
      nodes.push(node)
      return node
    }
    requester = await peer()
    other = await peer()
    await Promise.all(nodes.map(async n => n.event('ready')))
    await eventually(async () => (await runCli(['search', '#cars', '--data-dir', requester.dataDir])).code === 0 ? true : undefined, 'the holder announced #cars')
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('serves the page with a strict CSP, and its files; other paths stay 404 JSON', async () => {
    const { api } = await holder.started()
    const page = await fetch(`${api}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/)
    expect(await page.text()).toContain('<script type="module" src="/status-page/main.js">')
    const script = await fetch(`${api}/status-page/main.js`)
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8'])
    const missing = await fetch(`${api}/nope`)
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'no such endpoint: /nope' }])
  })

  it('shows this node, its peers with their state and round-trip time, and its datasets', async () => {
    const { api, peerId } = await holder.started()
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', err => { errors.push(err.message) })
    page.on('console', msg => { if (msg.type() === 'error') errors.push(msg.text()) })
    await page.goto(`${api}/`)
    await expect.poll(async () => page.locator('#peer-id').textContent(), { timeout: 15_000 }).toBe(peerId)
    await expect.poll(async () => page.locator('#stream-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('live')
    for (const node of [requester, other]) {
      const row = page.locator(`#peers tr[data-peer="${(await node.started()).peerId}"]`)
      await expect.poll(async () => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('up')
    }
    // round-trip times come from the liveness monitor's pings, asked for again every 10 s
    await expect.poll(async () => page.locator('#peers tbody').innerText(), { timeout: 30_000 }).toMatch(/\d+(\.\d)? ms/)
    const cars = page.locator('#datasets tr[data-dataset="cars"]')
    await expect.poll(async () => cars.innerText(), { timeout: 10_000 }).toMatch(/#cars[\s\S]*406/)
    expect(await page.locator('#node').innerText()).toMatch(/ready[\s\S]*reachable directly[\s\S]*Uptime/)
    expect(errors).toEqual([])
    await page.close()
  })

  it('shows a job\'s progress as it runs, then its result and timing; the chart counts it and moves', async () => {
    const { api } = await holder.started()
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', err => { errors.push(err.message) })
    page.on('console', msg => { if (msg.type() === 'error') errors.push(msg.text()) })
    await page.goto(`${api}/`)
    await expect.poll(async () => page.locator('#stream-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('live')
    const mine = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await mine.goto(`${(await requester.started()).api}/`)
    await expect.poll(async () => mine.locator('#stream-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('live')
    const servedBefore = await chartCount(page, 'served')
    // the test polling the page could miss a 2 s job's steps on a loaded machine: the page records what it draws
    await page.evaluate(() => {
      const drawn: number[] = (window as unknown as { progressDrawn: number[] }).progressDrawn = []
      const list = document.getElementById('jobs-running')!
      new MutationObserver(() => {
        for (const bar of Array.from(list.querySelectorAll('li.job[data-side="served"] [role="progressbar"][aria-valuenow]'))) drawn.push(Number(bar.getAttribute('aria-valuenow')))
      }).observe(list, { subtree: true, childList: true, attributes: true })
    })

    // a quick job and a failing one first, so that the recent list and the chart have company
    await run(requester, 'export default ({ data }) => data.filter(r => r.Cylinders === 8).length', ['#cars'])
    await run(requester, 'export default () => { throw new Error("no such column: mpg") }', ['#cars'])
    const slow = run(requester, SLOW_JOB, ['#cars'])

    const events = await slow
    // every value the page drew while the job was in its running list
    const drawn = await page.evaluate(() => (window as unknown as { progressDrawn: number[] }).progressDrawn)
    const mid = [...new Set(drawn)].filter(v => v > 0 && v < 1)
    expect(mid.length, `progress drawn: ${drawn.join(' ')}`).toBeGreaterThanOrEqual(2)
    expect(mid).toEqual([...mid].sort((a, b) => a - b))
    expect(events.at(-1)).toMatchObject({ type: 'result', value: 406, dataset: 'cars' })
    const done = page.locator('#jobs-recent tr[data-side="served"][data-outcome="result"]').first()
    await expect.poll(async () => Number(await done.locator('[data-duration]').getAttribute('data-duration')), { timeout: 10_000 }).toBeGreaterThanOrEqual(2_000)
    expect(await done.innerText()).toMatch(/served[\s\S]*cars[\s\S]*result[\s\S]*\d\.\d s/i)
    expect(await page.locator('#jobs-recent tr[data-outcome="error"]').first().innerText()).toMatch(/failed[\s\S]*no such column: mpg/)
    await expect.poll(async () => page.locator('#jobs-running').innerText()).toBe('No job is running.')
    // and on the requester's own page, the same job as requested
    const requested = mine.locator('#jobs-recent tr[data-side="requested"][data-outcome="result"]').first()
    await expect.poll(async () => requested.innerText(), { timeout: 10_000 }).toMatch(/requested[\s\S]*result[\s\S]*\d\.\d s/i)

    // the chart: three jobs served (two results, one failure), searches on the requester, and it slides with the clock
    await expect.poll(async () => chartCount(page, 'served'), { timeout: 10_000 }).toBe(servedBefore + 2)
    expect(await chartCount(page, 'failed')).toBeGreaterThanOrEqual(1)
    const searchesBefore = await chartCount(mine, 'searches')
    expect((await runCli(['search', '#vehicles', '--data-dir', requester.dataDir])).code).toBe(0)
    await expect.poll(async () => chartCount(mine, 'searches'), { timeout: 10_000 }).toBeGreaterThan(searchesBefore)
    // a minute instead of five: the same jobs, in narrower buckets
    const served = await chartCount(page, 'served')
    await page.locator('.range button[data-window="60000"]').click()
    await expect.poll(async () => page.locator('#chart svg').getAttribute('data-window')).toBe('60000')
    expect(await chartCount(page, 'served')).toBe(served)
    const firstBar = page.locator('#chart rect.chart-bar').first()
    const x0 = Number(await firstBar.getAttribute('x'))
    await expect.poll(async () => Number(await firstBar.getAttribute('x')), { timeout: 5_000 }).toBeLessThan(x0)

    // the screenshot: one more job, caught as it runs
    const another = run(requester, SLOW_JOB.replace('+ 300', '+ 600'), ['#cars'])
    await eventually(async () => Number(await page.locator('#jobs-running [role="progressbar"]').first().getAttribute('aria-valuenow', { timeout: 500 })) >= 0.25 ? true : undefined, 'the last job to be a quarter done', 20_000).catch(() => {})
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    expect((await another).at(-1)).toMatchObject({ type: 'result' })
    expect(errors).toEqual([])
    await mine.close()
    await page.close()
  })

  it('follows a node that restarts: reconnects by itself and shows the new run\'s events', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const port = await freePort()
    const args = ['--api', `127.0.0.1:${port}`, '--bootstrap', (await holder.started()).bootstrapAddrs[0]!]
    const first = CliNode.start(dir, args)
    nodes.push(first)
    await first.event('ready')
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${port}/`)
    const state = async (): Promise<string | null> => page.locator('#stream-state').getAttribute('data-state')
    await expect.poll(state, { timeout: 15_000 }).toBe('live')
    const readies = page.locator('#events li[data-type="ready"]')
    await expect.poll(async () => readies.count(), { timeout: 10_000 }).toBe(1)
    await first.stop()
    await expect.poll(state, { timeout: 15_000 }).toMatch(/retrying|connecting/)
    const second = CliNode.start(dir, args)
    nodes.push(second)
    await second.event('ready')
    // its events are numbered from 1 again: the page asks for them all, not for those after the last it saw
    await expect.poll(state, { timeout: 30_000 }).toBe('live')
    await expect.poll(async () => readies.count(), { timeout: 10_000 }).toBe(2)
    expect(await page.locator('#peer-id').textContent()).toBe((await second.started()).peerId)
    await page.close()
  })

  it('beyond loopback: the page loads without a token, then asks for it, keeps it for the tab, and says when one is refused', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const guarded = CliNode.start(dir, ['--api', '0.0.0.0:0', '--bootstrap', (await holder.started()).bootstrapAddrs[0]!])
    nodes.push(guarded)
    const { api, peerId } = await guarded.started()
    const url = api.replace('0.0.0.0', '127.0.0.1')
    expect((await fetch(`${url}/v1/status`)).status).toBe(401)
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim()
    const page = await browser.newPage()
    await page.goto(`${url}/`)
    const dialog = page.locator('#token-dialog')
    await expect.poll(async () => dialog.getAttribute('open'), { timeout: 10_000 }).toBe('')
    expect(await page.locator('#token-refused').isHidden()).toBe(true)
    await page.locator('#token-input').fill('not-the-token')
    await page.locator('#token-form button[type="submit"]').click()
    await expect.poll(async () => page.locator('#token-refused').isVisible(), { timeout: 10_000 }).toBe(true)
    await page.locator('#token-input').fill(token)
    await page.locator('#token-form button[type="submit"]').click()
    await expect.poll(async () => page.locator('#peer-id').textContent(), { timeout: 15_000 }).toBe(peerId)
    await expect.poll(async () => page.locator('#stream-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('live')
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([1, 0])
    // a reload in the same tab needs no token typed again
    await page.reload()
    await expect.poll(async () => page.locator('#peer-id').textContent(), { timeout: 15_000 }).toBe(peerId)
    expect(await dialog.getAttribute('open')).toBeNull()
    await page.close()
  })
})
