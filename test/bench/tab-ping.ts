// `pnpm bench`, browser part: what one message costs a tab. A libp2p ping from the tab to its
// relay (WebSocket, Noise, Yamux, the ping protocol) against a raw WebSocket echo from the same
// page to the same host.
import { writeFile } from 'node:fs/promises'
import { WebSocketServer } from 'ws'
import { median } from './stats.ts'
import type { Page } from 'playwright-core'

const ROUNDS = 200

/** `n` round trips of each kind, alternated, measured inside the page: [ping ms[], echo ms[]]. */
async function roundTrips (page: Page, relayId: string, echoUrl: string, n: number): Promise<[number[], number[]]> {
  return page.evaluate(async ({ relayId, echoUrl, n }) => {
    const node = (globalThis as any).grid.node
    const relay = node.libp2p.getConnections().find((c: any) => c.remotePeer.toString() === relayId).remotePeer
    const socket = new WebSocket(echoUrl)
    socket.binaryType = 'arraybuffer'
    await new Promise(resolve => socket.addEventListener('open', resolve, { once: true }))
    const payload = new Uint8Array(32)
    const echo = async (): Promise<number> => {
      const started = performance.now()
      socket.send(payload)
      await new Promise(resolve => socket.addEventListener('message', resolve, { once: true }))
      return performance.now() - started
    }
    const ping = async (): Promise<number> => {
      const started = performance.now()
      await node.libp2p.services.ping.ping(relay)
      return performance.now() - started
    }
    const pings: number[] = []
    const echoes: number[] = []
    for (let i = 0; i < n; i++) { pings.push(await ping()); echoes.push(await echo()) }
    socket.close()
    return [pings, echoes]
  }, { relayId, echoUrl, n })
}

/**
 * The tab's libp2p ping to `relayId` against a raw WebSocket echo from the same page to a server
 * in this process, alternated: one line of figures. GRID_BENCH_PROFILE=<file> also profiles the
 * round trips through the DevTools protocol and prints the heaviest functions.
 */
export async function pingVsEcho (page: Page, relayId: string): Promise<string> {
  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  echo.on('connection', socket => { socket.on('message', data => { socket.send(data) }) })
  await new Promise(resolve => echo.once('listening', resolve))
  try {
    const echoUrl = `ws://127.0.0.1:${(echo.address() as { port: number }).port}`
    await roundTrips(page, relayId, echoUrl, 20) // warm up
    const profileFile = process.env.GRID_BENCH_PROFILE
    const cdp = profileFile != null ? await page.context().newCDPSession(page) : undefined
    if (cdp != null) {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
      await cdp.send('Profiler.start')
    }
    const [pings, echoes] = await roundTrips(page, relayId, echoUrl, ROUNDS)
    if (cdp != null && profileFile != null) {
      const { profile } = await cdp.send('Profiler.stop')
      await writeFile(profileFile, JSON.stringify(profile))
      summarize(profile)
    }
    const p = median(pings)
    const e = median(echoes)
    return `tab → relay: libp2p ping ${p.toFixed(2)} ms vs raw WebSocket echo ${e.toFixed(2)} ms from the same page (median of ${ROUNDS}, alternated; p90 ${quantile(pings, 0.9).toFixed(2)} vs ${quantile(echoes, 0.9).toFixed(2)} ms) - goal ≤ 3 ms`
  } finally {
    echo.close()
  }
}

function quantile (values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/** Self time per function, heaviest first. */
function summarize (profile: { nodes: Array<{ id: number, callFrame: { functionName: string, url: string, lineNumber: number } }>, samples?: number[], timeDeltas?: number[] }): void {
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const self = new Map<string, number>()
  const samples = profile.samples ?? []
  for (let i = 0; i < samples.length; i++) {
    const frame = byId.get(samples[i]!)!.callFrame
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').at(-1)}:${frame.lineNumber}`
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0))
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)} %  ${key}`)
}
