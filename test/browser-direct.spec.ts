/**
 * Streams to and between browser tabs that skip the relay: two tabs upgrade to WebRTC (the
 * relay only signals), and a Node.js requester with a WebSocket listener is dialled back by the
 * tab it asks over the relay. Real CLI nodes, the example page built with Vite, Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, serveExample } from './helpers/browser.js'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'

const LISTEN_WS = ['--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws']
const DOUBLE = 'export default ({ args }) => args.n * 2'
const SLOW = 'export default ({ args }) => { const end = Date.now() + args.ms; while (Date.now() < end); return "done" }'

interface Tab { context: BrowserContext, page: Page, peerId: string }

/** The remote addresses of the tab's open connections to `peer`. */
async function connectionsTo (page: Page, peer: string): Promise<string[]> {
  return page.evaluate((peer) => (globalThis as any).grid.node.libp2p.getConnections()
    .filter((c: any) => c.remotePeer.toString() === peer && c.status === 'open')
    .map((c: any) => c.remoteAddr.toString()), peer)
}

/** Starts a job from the page and keeps its events in the page, to be read while it runs. */
async function startJob (page: Page, init: Record<string, unknown>): Promise<void> {
  await page.evaluate((init) => {
    const g = globalThis as any
    const trial = { events: [] as any[], controller: new AbortController(), done: false }
    g.trial = trial
    void (async () => {
      try {
        for await (const e of g.grid.node.run({ ...init, signal: trial.controller.signal })) trial.events.push(e)
      } catch (err: any) {
        trial.events.push({ type: 'thrown', message: String(err?.message ?? err) })
      } finally {
        trial.done = true
      }
    })()
  }, init)
}

async function jobEvents (page: Page): Promise<{ events: any[], done: boolean }> {
  return page.evaluate(() => { const t = (globalThis as any).trial; return { events: t.events, done: t.done } })
}

describe('direct streams to and between browser tabs (Chromium)', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  const tabs: Tab[] = []
  let relay: CliNode
  let relayId: string
  let withWs: CliNode
  let tcpOnly: CliNode
  let site: { url: string, close: () => Promise<void> }
  let browser: Browser
  let jobs: string

  async function openTab (): Promise<Tab> {
    const context = await browser.newContext()
    const page = await context.newPage()
    const ws = (await relay.started()).addrs.find(a => a.includes('/ws/'))!
    await page.goto(`${site.url}?lan=1&bootstrap=${encodeURIComponent(ws)}`)
    let seen: unknown
    const peerId = await eventually(async () => {
      const state = await page.evaluate(() => {
        const grid = (globalThis as any).grid
        return { state: grid?.state as string | undefined, peerId: grid?.node?.peerId.toString() as string | undefined, addrs: (grid?.node?.status().addrs ?? []).map(String) as string[] }
      })
      seen = state
      // reachable through the relay, and over WebRTC once a relay slot is held
      return state.state === 'reachable' && state.addrs.some(a => a.includes('/p2p-circuit/p2p/')) && state.addrs.some(a => a.includes('/webrtc')) ? state.peerId : undefined
    }, 'the tab to be reachable through the relay and over WebRTC').catch((err: Error) => { throw new Error(`${err.message}; last seen ${JSON.stringify(seen)}`) })
    const tab = { context, page, peerId }
    tabs.push(tab)
    return tab
  }

  async function startNode (extra: string[]): Promise<CliNode> {
    const dir = await tempDir()
    dirs.push(dir)
    const node = CliNode.start(dir, extra)
    nodes.push(node)
    await node.event('ready')
    return node
  }

  beforeAll(async () => {
    jobs = await tempDir()
    dirs.push(jobs)
    await writeFile(join(jobs, 'double.js'), `${DOUBLE}\n`)
    relay = await startNode(LISTEN_WS)
    const started = await relay.started()
    relayId = started.peerId
    const bootstrap = started.bootstrapAddrs[0]!
    withWs = await startNode(['--bootstrap', bootstrap, ...LISTEN_WS])
    tcpOnly = await startNode(['--bootstrap', bootstrap])
    site = await serveExample()
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('a job from one tab to another runs over a WebRTC connection between them, the relay only signalling', async () => {
    const a = await openTab()
    const b = await openTab()
    await startJob(a.page, { code: DOUBLE, args: { n: 21 }, peers: [b.peerId] })
    await expect.poll(async () => (await jobEvents(a.page)).done, { timeout: 30_000 }).toBe(true)
    const { events } = await jobEvents(a.page)
    expect(events.at(-1)).toMatchObject({ type: 'result', value: 42, peerId: b.peerId })
    expect(events.find(e => e.type === 'accepted')).toMatchObject({ via: 'direct' })
    // the one direct connection between the tabs is WebRTC; anything else to B goes through the relay
    const addrs = await connectionsTo(a.page, b.peerId)
    const direct = addrs.filter(addr => !addr.endsWith(`/p2p-circuit/p2p/${b.peerId}`))
    expect(direct.length, addrs.join(' ')).toBeGreaterThan(0)
    // dialled by A: <relay>/p2p-circuit/webrtc/p2p/B; by B (both may upgrade at once): /webrtc/p2p/B
    expect(direct.every(addr => addr.includes(`/p2p/${relayId}/p2p-circuit/webrtc/p2p/${b.peerId}`) || addr === `/webrtc/p2p/${b.peerId}`), addrs.join(' ')).toBe(true)
  })

  it('a CLI job to a tab: on a direct WebSocket connection from a requester that listens on one, on the relay from one that does not', async () => {
    const tab = tabs[0]!
    const run = async (node: CliNode): Promise<any> => {
      const r = await runCli(['run', join(jobs, 'double.js'), '--peer', tab.peerId, '--args', '{"n":4}', '--json', '--data-dir', node.dataDir])
      expect(r.code, r.stderr).toBe(0)
      return JSON.parse(r.stdout)
    }
    expect(await run(withWs)).toMatchObject({ type: 'result', value: 8, peerId: tab.peerId, via: 'direct' })
    const withWsId = (await withWs.started()).peerId
    const wsPort = (await withWs.started()).addrs.map(a => /\/tcp\/(\d+)\/ws/.exec(a)?.[1]).find(p => p != null)
    // the tab dialled the requester's WebSocket listener
    expect(await connectionsTo(tab.page, withWsId)).toContainEqual(expect.stringMatching(new RegExp(`/tcp/${wsPort}/ws/p2p/${withWsId}$`)))

    expect(await run(tcpOnly)).toMatchObject({ type: 'result', value: 8, peerId: tab.peerId, via: 'relay' })
    const tcpOnlyId = (await tcpOnly.started()).peerId
    expect(await connectionsTo(tab.page, tcpOnlyId)).toEqual([expect.stringContaining(`/p2p/${relayId}/p2p-circuit/p2p/${tcpOnlyId}`)])
  })

  it('closing the serving tab in the middle of a tab-to-tab job sends the job to another worker: one result', async () => {
    const a = tabs[0]!
    const b = tabs[1]!
    // data-free jobs go to the least-loaded worker, ties round-robin: start until one runs on B
    let onB = false
    for (let tries = 0; tries < 12 && !onB; tries++) {
      await startJob(a.page, { code: SLOW, args: { ms: 4000 } })
      const first = await eventually(async () => (await jobEvents(a.page)).events.find(e => e.type === 'started' || e.type === 'result' || e.type === 'error'), 'the job to start somewhere')
      onB = first.type === 'started' && first.peerId === b.peerId
      if (!onB) {
        await a.page.evaluate(() => { (globalThis as any).trial.controller.abort() })
        await expect.poll(async () => (await jobEvents(a.page)).done, { timeout: 10_000 }).toBe(true)
      }
    }
    expect(onB, 'no job ran on tab B in 12 tries').toBe(true)
    await b.context.close()
    await expect.poll(async () => (await jobEvents(a.page)).done, { timeout: 60_000 }).toBe(true)
    const { events } = await jobEvents(a.page)
    const results = events.filter(e => e.type === 'result')
    expect(results, JSON.stringify(events)).toHaveLength(1)
    expect(results[0]).toMatchObject({ value: 'done' })
    expect(results[0].peerId).not.toBe(b.peerId)
    const dispatched = events.filter(e => e.type === 'dispatched')
    expect(dispatched.map(e => e.peerId)).toEqual([b.peerId, results[0].peerId])
  })
})
