/**
 * Pub/sub across five Node.js nodes (real `grid-node start` processes) and a browser tab
 * (examples/browser-worker in Debian's Chromium, reached through its relay): a message published
 * by any one reaches every other exactly once, and a node that joins later gets what is
 * published after it subscribed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, serveExample } from './helpers/browser.js'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { Follower } from './helpers/pubsub.js'
import type { Browser, Page } from 'playwright-core'

const LISTEN = ['--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws']

interface TopicPeers { topics: Array<{ topic: string, peers: string[] }> }

/** What the tab received: each message's text and sender. */
async function tabMessages (page: Page): Promise<Array<{ text: string, from: string }>> {
  return page.evaluate(() => (globalThis as any).pubsubGot ?? [])
}

function countsOf (texts: string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1)
  return counts
}

describe('pub/sub between five nodes and a browser tab (Chromium)', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  const followers: Follower[] = []
  let site: { url: string, close: () => Promise<void> }
  let browser: Browser
  let page: Page
  let tabId: string

  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      const dir = await tempDir()
      dirs.push(dir)
      const bootstrap = i === 0 ? [] : ['--bootstrap', (await nodes[0]!.started()).bootstrapAddrs[0]!]
      nodes.push(CliNode.start(dir, [...LISTEN, ...bootstrap]))
    }
    await Promise.all(nodes.map(async n => n.event('ready')))
    for (const node of nodes) followers.push(new Follower(node.dataDir))

    site = await serveExample()
    browser = await launchChromium()
    page = await (await browser.newContext()).newPage()
    const ws = (await nodes[0]!.started()).addrs.find(a => a.includes('/ws/'))!
    await page.goto(`${site.url}?lan=1&worker=0&bootstrap=${encodeURIComponent(ws)}`)
    tabId = await eventually(async () => page.evaluate(() => {
      const grid = (globalThis as any).grid
      return grid?.node?.status().ready === true ? grid.node.peerId.toString() as string : undefined
    }), 'the tab to join', 60_000)
    await page.evaluate(() => {
      const g = globalThis as any
      g.pubsubGot = []
      void (async () => {
        for await (const m of g.grid.node.pubsub.subscribe('chat')) g.pubsubGot.push({ text: m.text, from: m.from.toString() })
      })()
    })
    await Promise.all(followers.map(async f => f.subscribed()))
    // every node knows a subscribed peer, the relay knows the tab is one, and the tab knows one
    await eventually(async () => {
      const known = await Promise.all(nodes.map(async n => (await n.api<TopicPeers>('/v1/pubsub')).body.topics[0]?.peers ?? []))
      const tabKnows: number = await page.evaluate(() => (globalThis as any).grid.node.pubsub.peers('chat').length)
      return known.every(k => k.length >= 1) && known[0]!.includes(tabId) && tabKnows >= 1 ? true : undefined
    }, 'every node and the tab to see subscribed peers', 60_000)
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await Promise.all(followers.map(async f => f.stop()))
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('a message published by any one reaches every other exactly once, the tab included', async () => {
    const sent = await Promise.all(nodes.map(async (n, i) => runCli(['pub', 'chat', `from node ${i}`, '--data-dir', n.dataDir])))
    for (const r of sent) expect(r.code, r.stderr).toBe(0)
    const fromTab: number = await page.evaluate(async () => (globalThis as any).grid.node.pubsub.publish('chat', 'from the tab'))
    expect(fromTab).toBeGreaterThanOrEqual(1)
    const texts = [...nodes.map((_, i) => `from node ${i}`), 'from the tab']
    for (const f of followers) for (const t of texts) await f.received(t)
    await eventually(async () => {
      const got = (await tabMessages(page)).map(m => m.text)
      return texts.every(t => got.includes(t)) ? true : undefined
    }, 'the tab to receive every message')
    // time for any duplicate to show up
    await new Promise(resolve => setTimeout(resolve, 2_000))
    for (const f of followers) for (const t of texts) expect(f.counts().get(t), t).toBe(1)
    const tabCounts = countsOf((await tabMessages(page)).map(m => m.text))
    for (const t of texts) expect(tabCounts.get(t), `the tab: ${t}`).toBe(1)
    const tabMessage = followers[3]!.messages().find(m => m.text === 'from the tab')
    expect(tabMessage?.from).toBe(tabId)
  })

  it('the example page\'s topic panel shows what a node publishes and publishes what is typed in it', async () => {
    await page.click('#topic-join button')
    await page.locator('#topic-status', { hasText: 'following chat' }).waitFor({ timeout: 10_000 })
    const r = await runCli(['pub', 'chat', 'to the page', '--data-dir', nodes[1]!.dataDir])
    expect(r.code, r.stderr).toBe(0)
    const shown = page.locator('#topic-messages li', { hasText: 'to the page' })
    await shown.waitFor({ timeout: 10_000 })
    expect(await shown.getAttribute('data-from')).toBe((await nodes[1]!.started()).peerId)
    await page.fill('#topic-message', 'typed in the page')
    await page.click('#topic-send button')
    await page.locator('#topic-status', { hasText: /sent to \d+ peer/ }).waitFor({ timeout: 10_000 })
    for (const f of followers) expect(await f.received('typed in the page')).toMatchObject({ from: tabId })
  })

  it('a node that joins later receives what is published after it subscribed, and nothing before', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const late = CliNode.start(dir, [...LISTEN, '--bootstrap', (await nodes[0]!.started()).bootstrapAddrs[0]!])
    nodes.push(late)
    await late.event('ready')
    const follower = new Follower(dir)
    followers.push(follower)
    await follower.subscribed()
    await eventually(async () => ((await late.api<TopicPeers>('/v1/pubsub')).body.topics[0]?.peers.length ?? 0) >= 1 ? true : undefined, 'the late node to see a subscribed peer')
    const r = await runCli(['pub', 'chat', 'after the late join', '--data-dir', nodes[2]!.dataDir])
    expect(r.code, r.stderr).toBe(0)
    await page.evaluate(async () => (globalThis as any).grid.node.pubsub.publish('chat', 'the tab, after the late join'))
    expect(await follower.received('after the late join')).toMatchObject({ from: (await nodes[2]!.started()).peerId })
    await follower.received('the tab, after the late join')
    for (const f of followers.slice(0, 5)) await f.received('after the late join')
    expect(follower.messages().some(m => m.text === 'from node 0')).toBe(false)
  })
})
