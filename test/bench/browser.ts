// `pnpm bench`, part 4: browser tabs. Page load → reachable worker in Debian's Chromium; a tab's
// ping to its relay against a raw WebSocket echo; a no-op job's round trip to a tab (direct and
// through the relay) against one to a Node.js peer, in the same run; tab to tab over WebRTC and
// through the relay; what a page built with Vite downloads for @grid-node/core, before and after
// (bundle.ts).
import { rm, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { createGridNode } from '@grid-node/core'
import { peerIdFromString } from '@libp2p/peer-id'
import { launchChromium, reachableAfter, serveExample } from '../helpers/browser.ts'
import { CliNode, runCli, tempDir } from '../helpers/cli.ts'
import { reportBundles } from './bundle.ts'
import { median } from './stats.ts'
import { pingVsEcho } from './tab-ping.ts'
import { tabToTab } from './tab-to-tab.ts'
import type { GridNode } from '@grid-node/core'
import type { PeerId } from '@libp2p/interface'

const PAGE_LOADS = 5
const JOBS = 100
const CLI_RUNS = 5
const NO_OP = 'export default () => null'

/** Relayed connections that closed as they opened (each retried once; the scheduler does the same). */
let closedOnOpen = 0

async function noOpJob (node: GridNode, peer: PeerId, retry = true): Promise<number> {
  const started = performance.now()
  try {
    for await (const event of node.runJob(peer, { code: NO_OP })) {
      if (event.type === 'error') throw new Error(`${event.status}: ${event.message}`)
    }
  } catch (err: any) {
    if (!retry || err?.name !== 'ConnectionClosedError') throw err
    closedOnOpen++
    return noOpJob(node, peer, false)
  }
  return performance.now() - started
}

async function cliJob (requesterDir: string, job: string, peer: string): Promise<number> {
  const started = performance.now()
  const r = await runCli(['run', job, '--peer', peer, '--json', '--data-dir', requesterDir])
  if (r.code !== 0) throw new Error(r.stderr)
  return performance.now() - started
}

async function main (): Promise<void> {
  const dirs: string[] = []
  const relayDir = await tempDir()
  dirs.push(relayDir)
  const relay = CliNode.start(relayDir, ['--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--pool-size', '1'])
  const started = await relay.started()
  const ws = started.addrs.find(a => a.includes('/ws/'))!
  const site = await serveExample()
  const browser = await launchChromium()
  let requester: GridNode | undefined
  try {
    // page load → reachable worker, each load a fresh browser profile (a new peer)
    const loads: number[] = []
    for (let i = 0; i < PAGE_LOADS; i++) {
      const context = await browser.newContext()
      const page = await context.newPage()
      await page.goto(`${site.url}?lan=1&pool=1&bootstrap=${encodeURIComponent(ws)}`)
      loads.push(await reachableAfter(page))
      await context.close()
    }
    console.log(`page load → reachable worker (relay reservation + #compute:js announced): median ${Math.round(median(loads))} ms of ${PAGE_LOADS} (${loads.join(', ')}) - goal ≤ 3000 ms`)

    // one tab stays open as the worker for the round trips
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${site.url}?lan=1&pool=1&bootstrap=${encodeURIComponent(ws)}`)
    await reachableAfter(page)
    const tabId = await page.evaluate(() => (globalThis as any).grid.node.peerId.toString() as string)
    console.log(await pingVsEcho(page, started.peerId))

    // no-op jobs to the tab from a requester it can dial back (a WebSocket listener: direct) and
    // from one it cannot (TCP only: through the relay), and to a Node.js peer, alternated
    const requesters: GridNode[] = []
    for (const listen of [['/ip4/127.0.0.1/tcp/0'], ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']]) {
      const requesterDir = await tempDir()
      dirs.push(requesterDir)
      requester = await createGridNode({ dataDir: requesterDir, listen, bootstrap: [started.bootstrapAddrs[0]!], lan: true })
      requesters.push(requester)
      await requester.whenReady()
    }
    const [viaRelay, direct] = requesters as [GridNode, GridNode]
    const tab = peerIdFromString(tabId)
    const node = peerIdFromString(started.peerId)
    for (let i = 0; i < 10; i++) { await noOpJob(viaRelay, tab); await noOpJob(direct, tab); await noOpJob(direct, node) } // warm up every path
    const toTabRelay: number[] = []
    const toTabDirect: number[] = []
    const toNode: number[] = []
    for (let i = 0; i < JOBS; i++) {
      toTabRelay.push(await noOpJob(viaRelay, tab))
      toTabDirect.push(await noOpJob(direct, tab))
      toNode.push(await noOpJob(direct, node))
    }
    const nodeMs = median(toNode)
    const relayMs = median(toTabRelay)
    const directMs = median(toTabDirect)
    console.log(`no-op job round trip, library requester (median of ${JOBS}, alternated): → tab direct (it dialled the requester's WebSocket listener) ${directMs.toFixed(2)} ms, → tab via relay ${relayMs.toFixed(2)} ms, → Node.js peer ${nodeMs.toFixed(2)} ms: direct ${(directMs / nodeMs).toFixed(2)}×, relay ${(relayMs / nodeMs).toFixed(2)}× - goal ≤ 1.5× (connections closed while opening, retried: ${closedOnOpen})`)
    for (const r of requesters) await r.stop()
    requester = undefined

    // tab to tab: a job from this tab to one it reaches over WebRTC and to one without WebRTC
    // (through the relay), alternated
    console.log(await tabToTab(browser, `${site.url}?lan=1&pool=1&bootstrap=${encodeURIComponent(ws)}`, page))

    // the same through the CLI, as a user runs it: a running node's API, then the job
    const cliDir = await tempDir()
    dirs.push(cliDir)
    const cliNode = CliNode.start(cliDir, ['--bootstrap', started.bootstrapAddrs[0]!])
    await cliNode.event('ready')
    const jobDir = await tempDir()
    dirs.push(jobDir)
    const job = resolve(jobDir, 'noop.js')
    await writeFile(job, `${NO_OP}\n`)
    await cliJob(cliDir, job, tabId)
    await cliJob(cliDir, job, started.peerId)
    const cliTab: number[] = []
    const cliNodeMs: number[] = []
    for (let i = 0; i < CLI_RUNS; i++) {
      cliTab.push(await cliJob(cliDir, job, tabId))
      cliNodeMs.push(await cliJob(cliDir, job, started.peerId))
    }
    console.log(`no-op job with \`grid-node run --peer\` (median of ${CLI_RUNS}, process start included): → tab ${Math.round(median(cliTab))} ms, → Node.js peer ${Math.round(median(cliNodeMs))} ms: ${(median(cliTab) / median(cliNodeMs)).toFixed(2)}×`)
    await cliNode.stop()
  } finally {
    await requester?.stop()
    await browser.close()
    await site.close()
    await relay.stop()
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
  // the page's bundle, up front and later, beside the figures before it was cut (alone: `node test/bench/bundle.ts`)
  if (!await reportBundles()) process.exitCode = 1
}

await main()
