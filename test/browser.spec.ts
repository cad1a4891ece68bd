/**
 * A browser tab as a full peer, end to end: real Node.js nodes started by the CLI, the
 * examples/browser-worker app built with Vite and opened in Debian's Chromium.
 */
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, serveExample } from './helpers/browser.js'
import { BIN, CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'
import type { Browser, BrowserContext, Page } from 'playwright-core'

export const ARTIFACTS = resolve(import.meta.dirname, '../.artifacts')

/** Listens on loopback TCP and WebSockets (what a tab dials), ports picked by the OS. */
const LISTEN = ['--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws']

/** A peer ID as the CLI's progress lines show it. */
function short (peerId: string): string {
  return `${peerId.slice(0, 8)}…${peerId.slice(-6)}`
}

interface PageState { state?: string, peerId?: string, relayed: boolean, ready?: boolean, peers?: number, announced?: string[], addrs?: string[] }

async function pageState (page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const grid = (globalThis as any).grid
    const status = grid?.node?.status()
    const addrs: string[] = (status?.addrs ?? []).map(String)
    return { state: grid?.state, peerId: status?.peerId.toString(), relayed: addrs.some(a => a.includes('/p2p-circuit')), ready: status?.ready, peers: status?.peers, announced: status?.announced, addrs }
  })
}

async function whenReachable (page: Page, timeoutMs = 30_000): Promise<string> {
  let last: PageState | undefined
  try {
    return await eventually(async () => {
      last = await pageState(page)
      return last.state === 'reachable' && last.relayed ? last.peerId : undefined
    }, 'the tab to be a reachable worker', timeoutMs)
  } catch (err: any) {
    throw new Error(`${String(err.message)}; last seen: ${JSON.stringify(last)}`)
  }
}

/** `grid-node run` as a child process whose output lines can be watched while it runs. */
function runWatched (args: string[]): { lines: string[], waitFor: (re: RegExp) => Promise<string>, exit: Promise<number | null>, kill: () => void } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  createInterface({ input: child.stdout }).on('line', line => lines.push(line))
  createInterface({ input: child.stderr }).on('line', line => lines.push(`stderr: ${line}`))
  const exit = new Promise<number | null>(resolve => child.once('exit', resolve))
  return {
    lines,
    waitFor: async re => eventually(async () => lines.find(l => re.test(l)), `a line matching ${String(re)} in: ${lines.join(' | ')}`),
    exit,
    kill: () => { child.kill('SIGINT') }
  }
}

describe('a browser tab as a peer and a worker (Chromium)', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  let relay: CliNode
  let relayId: string
  let requester: CliNode
  let site: { url: string, close: () => Promise<void> }
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let tabId: string
  let pageUrl: string
  let jobs: string

  beforeAll(async () => {
    jobs = await tempDir()
    dirs.push(jobs)
    await writeFile(join(jobs, 'double.js'), 'export default ({ args }) => args.n * 2\n')
    await writeFile(join(jobs, 'slow.js'), 'export default ({ args }) => { const end = Date.now() + args.ms; let spins = 0; while (Date.now() < end) spins++; return "done" }\n')
    const relayDir = await tempDir()
    dirs.push(relayDir)
    const cars = await writeRows(jobs, 'cars', 'json', await vegaRows('cars'))
    expect((await runCli(['datasets', 'add', cars, '--tag', '#cars', '--data-dir', relayDir])).code).toBe(0)
    relay = CliNode.start(relayDir, LISTEN)
    nodes.push(relay)
    const started = await relay.started()
    expect(started.relay).toBe(true)
    relayId = started.peerId
    const requesterDir = await tempDir()
    dirs.push(requesterDir)
    requester = CliNode.start(requesterDir, ['--bootstrap', started.bootstrapAddrs[0]!])
    nodes.push(requester)
    await requester.event('ready')

    site = await serveExample()
    browser = await launchChromium()
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    const ws = started.addrs.find(a => a.includes('/ws/'))!
    pageUrl = `${site.url}?lan=1&bootstrap=${encodeURIComponent(ws)}`
    await page.goto(pageUrl)
    tabId = await whenReachable(page)
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('the tab connects, reserves a relay slot, and a CLI search for #compute:js finds it', async () => {
    const relayAddr = await page.locator('#relay-addr').textContent()
    expect(relayAddr).toContain(`/p2p/${relayId}/p2p-circuit/p2p/${tabId}`)
    const found = await eventually(async () => {
      const r = await runCli(['search', '#compute:js', '--json', '--data-dir', requester.dataDir])
      const holders = r.code === 0 ? JSON.parse(r.stdout) as Array<{ peerId: string, capabilities: string[] }> : []
      return holders.find(h => h.peerId === tabId)
    }, 'the CLI to find the tab')
    expect(found.capabilities).toEqual(['#compute:js'])
  })

  it('a job sent with the CLI to the tab runs there and its result comes back to the CLI', async () => {
    const r = await runCli(['run', join(jobs, 'double.js'), '--peer', tabId, '--args', '{"n":21}', '--json', '--data-dir', requester.dataDir])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'result', value: 42, peerId: tabId })
    const served = page.locator('#log li[data-kind="served-result"]').first()
    await served.waitFor({ timeout: 10_000 })
    expect(await served.textContent()).toContain('result 42')
    // the requester's relayed connection is reused, and the tab can ping it back over it
    const peers: Array<{ id: string, rtt?: number }> = await page.evaluate(async () => (await (globalThis as any).grid.node.peers()).map((p: any) => ({ id: p.peerId.toString(), rtt: p.rttMs })))
    const requesterId = (await requester.started()).peerId
    expect(peers.find(p => p.id === requesterId)?.rtt).toBeGreaterThan(0)
  })

  it('a job asking the tab for the V8 engine gets one clear error: tabs run QuickJS only', async () => {
    const r = await runCli(['run', join(jobs, 'double.js'), '--peer', tabId, '--args', '{"n":21}', '--engine', 'v8', '--json', '--retries', '0', '--data-dir', requester.dataDir])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'error', status: 'bad-request', peerId: tabId, message: expect.stringMatching(/"v8" engine is not available here .*browser tabs run jobs on QuickJS only/) })
  })

  it('the tab searches #cars held by a Node peer and shows the holder; its own job runs on the grid', async () => {
    await page.fill('#tags', '#cars')
    await page.click('#search button')
    const holder = page.locator(`#results li[data-peer-id="${relayId}"]`)
    await holder.waitFor({ timeout: 20_000 }).catch(async (err: Error) => {
      throw new Error(`${err.message}; the page says: ${String(await page.locator('#search-status').textContent())}; state ${JSON.stringify(await pageState(page))}`)
    })
    expect(await holder.textContent()).toMatch(/cars \(406 rows, #cars\)/)

    await page.click('#submit button')
    const result = page.locator('#log li[data-kind="submitted-result"]').first()
    await result.waitFor({ timeout: 20_000 })
    expect(await result.textContent()).toMatch(/result 10 from 12D3KooW/)
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'browser-worker.png'), fullPage: true })
  })

  it('a CSV the page adds is announced: the CLI finds the tab as its holder and runs a job on its rows there', async () => {
    await page.fill('#dataset-tags', '#tab-data')
    await page.setInputFiles('#dataset-file', { name: 'scores.csv', mimeType: 'text/csv', buffer: Buffer.from('name,score\nada,3\nbob,4\n') })
    await expect.poll(async () => page.locator('#dataset-status').textContent(), { timeout: 10_000 }).toMatch(/scores: 2 rows, announced as #tab-data/)
    const holder = await eventually(async () => {
      const r = await runCli(['search', '#tab-data', '--json', '--data-dir', requester.dataDir])
      return r.code === 0 ? (JSON.parse(r.stdout) as Array<{ peerId: string, datasets: Array<{ name: string, rows: number }> }>).find(h => h.peerId === tabId) : undefined
    }, 'the CLI to find the tab holding #tab-data')
    expect(holder.datasets).toEqual([expect.objectContaining({ name: 'scores', rows: 2 })])
    await writeFile(join(jobs, 'total.js'), 'export default ({ data }) => data.reduce((sum, row) => sum + row.score, 0)\n')
    const r = await runCli(['run', join(jobs, 'total.js'), '--tag', '#tab-data', '--json', '--data-dir', requester.dataDir])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'result', value: 7, peerId: tabId, dataset: 'scores' })
  })

  it('the pool-size control resizes the tab\'s Web Worker pool', async () => {
    await page.fill('#pool-size', '3')
    await page.dispatchEvent('#pool-size', 'change')
    expect(await page.evaluate(() => (globalThis as any).grid.node.poolStatus().size)).toBe(3)
    // the page adds its log lines together, a moment later
    await expect.poll(async () => page.locator('#log li[data-kind="note"]').first().textContent()).toMatch(/pool resized to 3/)
  })

  it('reloading the tab keeps its peer ID, and it is a reachable worker again', async () => {
    await page.reload()
    expect(await whenReachable(page)).toBe(tabId)
  })

  it('closing the tab in the middle of a job: the CLI job goes to another worker, exactly one result', async () => {
    // data-free jobs go round-robin from a random start: send until one runs on the tab
    const onTab = new RegExp(`^${short(tabId)} +running$`)
    let watched: ReturnType<typeof runWatched> | undefined
    const tried: string[][] = []
    for (let tries = 0; tries < 12 && watched == null; tries++) {
      const run = runWatched(['run', join(jobs, 'slow.js'), '--args', '{"ms":3000}', '--data-dir', requester.dataDir])
      const first = await run.waitFor(/ (running|sent again.*)$/)
      if (onTab.test(first)) {
        watched = run
      } else {
        run.kill()
        await run.exit
        tried.push(run.lines)
      }
    }
    expect(watched, `no job ran on the tab in 12 tries: ${JSON.stringify(tried)}`).toBeDefined()
    await page.locator('#log li[data-kind="served-started"]').first().waitFor({ timeout: 10_000 })
    await page.close()
    expect(await watched!.exit).toBe(0)
    const out = watched!.lines
    expect(out.filter(l => / sent again \(attempt 2\)$/.test(l))).toHaveLength(1)
    expect(out.filter(l => /result \([\d.]+ s\): "done"$/.test(l))).toHaveLength(1)
    expect(out.find(l => /result \([\d.]+ s\): "done"$/.test(l))).toMatch(new RegExp(`^${short(relayId)} `))
    expect(out.at(-1)).toMatch(/^1 result, 0 failed in [\d.]+ s$/)

    // a new tab of the same browser profile is the same peer
    page = await context.newPage()
    await page.goto(pageUrl)
    expect(await whenReachable(page)).toBe(tabId)
  })

  it('with every connection lost the tab runs its own jobs locally, then reconnects when the grid is back', async () => {
    const ports = (await relay.started()).addrs.map(a => /\/tcp\/(\d+)/.exec(a)?.[1])
    await relay.stop()
    await eventually(async () => (await pageState(page)).state === 'offline' ? true : undefined, 'the tab to notice it is alone')
    await page.click('#submit button')
    const local = page.locator('#log li[data-kind="submitted-result"]').first()
    await local.waitFor({ timeout: 20_000 })
    expect(await local.textContent()).toMatch(/result 10 from this tab/)

    relay = CliNode.start(relay.dataDir, ['--listen', `/ip4/127.0.0.1/tcp/${ports[0]}`, '--listen', `/ip4/127.0.0.1/tcp/${ports[1]}/ws`])
    nodes.push(relay)
    expect((await relay.started()).peerId).toBe(relayId)
    expect(await whenReachable(page, 60_000)).toBe(tabId)
  })
})
