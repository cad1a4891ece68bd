/**
 * A web developer's first app: a fresh Vite project outside the workspace, with the packed
 * `@grid-node/core` and the workspace's Vite from the registry, no vite.config at all. It builds
 * with `vite build`, and in Chromium the page joins a Node.js node, finds a tag there, runs a
 * job there, and runs one in its own Web Worker (the pre-bundled job worker and its .wasm).
 */
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { preview } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import { INSTALL_TIMEOUT_MS, ROOT, exec, npm, outsideDir, packTarballs } from './helpers/packed.js'
import type { Browser, Page } from 'playwright-core'
import type { PreviewServer } from 'vite'

const CARS = [{ name: 'chevelle', hp: 130 }, { name: 'skylark', hp: 165 }, { name: 'satellite', hp: 150 }]

/** What a developer writes: the library's README example, in a page. */
const INDEX_HTML = `<!doctype html>
<html>
  <body>
    <pre id="log"></pre>
    <script type="module" src="/main.js"></script>
  </body>
</html>
`
const MAIN_JS = `import { createGridNode } from '@grid-node/core'

const log = line => { document.getElementById('log').textContent += line + '\\n' }
const app = globalThis.app = {}
try {
  const node = app.node = await createGridNode({
    dataDir: 'fresh-app',
    bootstrap: new URLSearchParams(location.search).getAll('bootstrap'),
    lan: true
  })
  log('peer ' + node.peerId.toString())
  await node.whenReady()
  app.ready = true
  log('ready')
} catch (err) {
  app.error = String(err)
  log('error ' + app.error)
}
`

interface Holder { peerId: string, datasets: Array<{ name: string, rows: number }> }
interface Outcome { type: string, value?: unknown, message?: string, peerId: string, dataset?: string }

describe('a fresh Vite app with the packed @grid-node/core (Chromium)', () => {
  const dirs: string[] = []
  let app: string
  let node: CliNode
  let nodeId: string
  let server: PreviewServer
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    const packs = await outsideDir('grid-pack-')
    app = await outsideDir('grid-fresh-vite-')
    dirs.push(packs, app)
    const { core } = await packTarballs(packs)
    const vite = JSON.parse(await readFile(join(ROOT, 'node_modules', 'vite', 'package.json'), 'utf8')).version as string
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module', scripts: { build: 'vite build' } }, null, 2))
    await writeFile(join(app, 'index.html'), INDEX_HTML)
    await writeFile(join(app, 'main.js'), MAIN_JS)
    const install = await npm(['install', core, `vite@${vite}`], app)
    expect(install.code, install.stderr).toBe(0)
    console.log(`npm install of the core tarball and vite@${vite} into a fresh app: ${(install.ms / 1000).toFixed(1)} s`)

    const data = await tempDir()
    dirs.push(data)
    await writeFile(join(data, 'cars.json'), JSON.stringify(CARS))
    expect((await runCli(['datasets', 'add', join(data, 'cars.json'), '--tag', '#cars', '--data-dir', data])).code).toBe(0)
    node = CliNode.start(data, ['--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws'])
    nodeId = (await node.started()).peerId
  }, INSTALL_TIMEOUT_MS + 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await node?.stop()
    await Promise.all(dirs.map(removeDir))
  })

  it('builds with `vite build` and no config: the job worker and its .wasm are emitted as assets', async () => {
    const build = await exec(join(app, 'node_modules', '.bin', 'vite'), ['build'], { cwd: app })
    expect(build.code, build.stdout + build.stderr).toBe(0)
    expect(build.stdout + build.stderr).not.toMatch(/worker\.format|error/i)
    const assets = await readdir(join(app, 'dist', 'assets'))
    expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/^job-worker\.browser-.*\.js$/), expect.stringMatching(/\.wasm$/)]))
  })

  it('in Chromium the page joins the Node.js node', async () => {
    server = await preview({ root: app, configFile: false, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } })
    const address = server.httpServer.address()
    if (address == null || typeof address === 'string') throw new Error('vite preview did not listen on a port')
    const ws = (await node.started()).addrs.find(a => a.includes('/ws/'))!
    browser = await launchChromium()
    page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${address.port}/?bootstrap=${encodeURIComponent(ws)}`)
    await page.waitForFunction(() => (globalThis as any).app?.ready === true || (globalThis as any).app?.error != null, null, { timeout: 30_000 })
    expect(await page.evaluate(() => (globalThis as any).app.error)).toBeUndefined()
    expect(await page.locator('#log').textContent()).toMatch(/peer 12D3KooW\w+\nready/)
  })

  it('finds #cars on the Node.js node and runs a job there', async () => {
    // the node announces #cars in the background after it starts
    const holders = await eventually(async () => {
      const found: Holder[] = await page.evaluate(async () => {
        const found = await (globalThis as any).app.node.searchAll(['#cars'])
        return found.map((h: any) => ({ peerId: h.peerId.toString(), datasets: h.datasets.map((d: any) => ({ name: d.name, rows: d.rows })) }))
      })
      return found.length > 0 ? found : undefined
    }, 'the page to find #cars')
    expect(holders).toEqual([{ peerId: nodeId, datasets: [{ name: 'cars', rows: 3 }] }])
    const outcomes: Outcome[] = await page.evaluate(async () => {
      const events = await (globalThis as any).app.node.runAll({ code: 'export default ({ data }) => data.reduce((sum, car) => sum + car.hp, 0)', tags: ['#cars'] })
      return events.map((e: any) => ({ type: e.type, value: e.value, message: e.message, peerId: e.peerId, dataset: e.dataset }))
    })
    expect(outcomes).toEqual([expect.objectContaining({ type: 'result', value: 445, peerId: nodeId, dataset: 'cars' })])
  })

  it('runs a job in its own Web Worker, on rows it holds', async () => {
    const { tabId, outcomes } = await page.evaluate(async () => {
      const tab = (globalThis as any).app.node
      await tab.datasets.add({ name: 'scores', tags: ['#fresh-scores'], rows: [{ score: 3 }, { score: 4 }] })
      const events = await tab.runAll({ code: 'export default ({ data }) => data.reduce((sum, row) => sum + row.score, 0)', tags: ['#fresh-scores'] })
      return { tabId: tab.peerId.toString(), outcomes: events.map((e: any) => ({ type: e.type, value: e.value, message: e.message, peerId: e.peerId, dataset: e.dataset })) }
    })
    expect(outcomes).toEqual([expect.objectContaining({ type: 'result', value: 7, peerId: tabId, dataset: 'scores' })])
  })
})
