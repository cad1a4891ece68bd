import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { build, preview } from 'vite'
import type { Browser, Page } from 'playwright-core'
import type { PreviewServer } from 'vite'

export const EXAMPLE = resolve(import.meta.dirname, '../../examples/browser-worker')

/** Debian's Chromium; `.ci/run` installs it. Never a downloaded browser. */
export const CHROMIUM = process.env.GRID_CHROMIUM ?? '/usr/bin/chromium'
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/**
 * Builds examples/browser-worker with Vite into a directory of its own (test files run in
 * parallel) and serves the build on a free loopback port.
 */
export async function serveExample (): Promise<{ url: string, close: () => Promise<void> }> {
  const outDir = await mkdtemp(join(tmpdir(), 'grid-browser-worker-'))
  const config = { root: EXAMPLE, logLevel: 'warn' as const, configFile: resolve(EXAMPLE, 'vite.config.js'), build: { outDir, emptyOutDir: true } }
  await build(config)
  const server: PreviewServer = await preview({ ...config, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } })
  const address = server.httpServer.address()
  if (address == null || typeof address === 'string') throw new Error('vite preview did not listen on a port')
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: async () => {
      await server.close()
      await rm(outDir, { recursive: true, force: true })
    }
  }
}

export async function launchChromium (extraFlags: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set GRID_CHROMIUM)`)
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS, ...extraFlags] })
}

/** Waits for the example page to be a reachable worker; ms from navigation to that moment. */
export async function reachableAfter (page: Page): Promise<number> {
  await page.waitForFunction(() => (globalThis as any).grid?.reachableAfterMs != null, undefined, { timeout: 30_000, polling: 50 })
  return page.evaluate(() => (globalThis as any).grid.reachableAfterMs as number)
}
