/**
 * What a tab sends its relay over the WebSocket, frame by frame (the DevTools protocol's
 * Network.webSocketFrameSent): whole messages, never a noise message's length prefix alone. With
 * libp2p's WebSockets as published, every chunk of a write was a WebSocket message of its own —
 * the 2-byte length prefix, then the body — and in a browser each message is a hop between the
 * network process and the page (patches/@libp2p__websockets@10.1.21.patch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGridNode } from '@grid-node/core'
import { launchChromium, reachableAfter, serveExample } from './helpers/browser.js'
import { removeDir, tempDir } from './helpers/cli.js'
import type { GridNode } from '@grid-node/core'
import type { Browser } from 'playwright-core'

describe('a tab\'s WebSocket frames (Chromium)', () => {
  let relay: GridNode
  let dir: string
  let site: { url: string, close: () => Promise<void> }
  let browser: Browser

  beforeAll(async () => {
    dir = await tempDir()
    relay = await createGridNode({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0/ws'], lan: true })
    site = await serveExample()
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await relay?.stop()
    await removeDir(dir)
  })

  it('ten pings to the relay: every frame carries at least one whole noise message, and a ping takes a handful of frames', async () => {
    const page = await (await browser.newContext()).newPage()
    const ws = relay.status().addrs.map(String).find(a => a.includes('/ws'))!
    await page.goto(`${site.url}?lan=1&pool=1&bootstrap=${encodeURIComponent(ws)}`)
    await reachableAfter(page)
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Network.enable')
    const sent: number[] = []
    cdp.on('Network.webSocketFrameSent', e => { sent.push(Buffer.from(e.response.payloadData, 'base64').byteLength) })
    await page.evaluate(async (relayId) => {
      const node = (globalThis as any).grid.node
      const relay = node.libp2p.getConnections().find((c: any) => c.remotePeer.toString() === relayId).remotePeer
      for (let i = 0; i < 10; i++) await node.libp2p.services.ping.ping(relay)
    }, relay.peerId.toString())
    expect(sent.length).toBeGreaterThanOrEqual(10)
    // a noise message is a 2-byte length and at least a 16-byte tag: a frame of 2 bytes is a prefix alone
    expect(sent.filter(bytes => bytes < 18), sent.join(' ')).toEqual([])
    // each ping: the stream's opening, the ping and the close, some in one frame (11 frames before)
    expect(sent.length / 10).toBeLessThanOrEqual(7)
  })
})
