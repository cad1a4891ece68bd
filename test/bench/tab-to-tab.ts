// `pnpm bench`, browser part: no-op jobs from one tab to another, over the WebRTC connection the
// two upgrade to, against the same to a tab without WebRTC (reached through the relay).
import { reachableAfter } from '../helpers/browser.ts'
import { median } from './stats.ts'
import type { Browser, Page } from 'playwright-core'

const JOBS = 50

async function openWorkerTab (browser: Browser, url: string): Promise<string> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(url)
  await reachableAfter(page)
  return page.evaluate(() => (globalThis as any).grid.node.peerId.toString() as string)
}

/** `pageUrl` without its query joins like the requester; one worker tab with WebRTC, one with `webrtc=0`. */
export async function tabToTab (browser: Browser, pageUrl: string, requester: Page): Promise<string> {
  const overWebRTC = await openWorkerTab(browser, pageUrl)
  const overRelay = await openWorkerTab(browser, `${pageUrl}&webrtc=0`)
  const { webrtc, relay, transports } = await requester.evaluate(async ({ peers, n }: { peers: [string, string], n: number }) => {
    const node = (globalThis as any).grid.node
    const job = async (peer: string): Promise<number> => {
      const started = performance.now()
      for await (const e of node.run({ code: 'export default () => null', peers: [peer], retries: 1 })) {
        if (e.type === 'error') throw new Error(`${String(e.status)}: ${String(e.message)}`)
      }
      return performance.now() - started
    }
    for (let i = 0; i < 5; i++) { await job(peers[0]); await job(peers[1]) } // warm up: the WebRTC upgrade happens here
    const webrtc: number[] = []
    const relay: number[] = []
    for (let i = 0; i < n; i++) { webrtc.push(await job(peers[0])); relay.push(await job(peers[1])) }
    const transports = peers.map((p: string) => node.libp2p.getConnections().filter((c: any) => c.remotePeer.toString() === p).map((c: any) => c.remoteAddr.toString().includes('/webrtc') ? 'webrtc' : 'relay').join('+'))
    return { webrtc, relay, transports }
  }, { peers: [overWebRTC, overRelay] as [string, string], n: JOBS })
  const w = median(webrtc)
  const r = median(relay)
  return `tab → tab no-op job (median of ${JOBS}, alternated): over WebRTC ${w.toFixed(2)} ms, through the relay ${r.toFixed(2)} ms: ${(w / r).toFixed(2)}× (connections: ${transports.join(', ')})`
}
