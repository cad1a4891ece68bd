/**
 * How Node.js peers serve tabs. Pages served over https may only dial `wss://`: a peer given a
 * certificate and key serves WebSockets over TLS, and a tab joins and reserves a relay slot
 * through it. A peer started with --no-relay gives tabs no slot.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, serveExample } from './helpers/browser.js'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import type { Browser } from 'playwright-core'

describe('Node.js peers serving tabs: wss:// and --no-relay', () => {
  let dir: string
  let cert: string
  let key: string
  let node: CliNode | undefined
  let browser: Browser | undefined
  let site: { url: string, close: () => Promise<void> } | undefined

  beforeAll(async () => {
    dir = await tempDir()
    cert = join(dir, 'cert.pem')
    key = join(dir, 'key.pem')
    // a self-signed certificate for 127.0.0.1, as a test stands in for a real one
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert])
  })

  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await node?.stop()
    await removeDir(dir)
  })

  it('refuses a /tls/ws listener without a certificate, and half a certificate, saying what to give', async () => {
    const noCert = await runCli(['start', '--data-dir', join(dir, 'a'), '--listen', '/ip4/127.0.0.1/tcp/0/tls/ws', '--api', '127.0.0.1:0'])
    expect(noCert.code).not.toBe(0)
    expect(noCert.stderr).toMatch(/needs a TLS certificate and key \(--tls-cert and --tls-key\)/)
    const half = await runCli(['start', '--data-dir', join(dir, 'b'), '--tls-cert', cert, '--api', '127.0.0.1:0'])
    expect(half.code).toBe(2)
    expect(half.stderr).toMatch(/give both --tls-cert and --tls-key/)
    const notPem = await runCli(['start', '--data-dir', join(dir, 'c'), '--tls-cert', join(dir, 'missing.pem'), '--tls-key', key, '--api', '127.0.0.1:0'])
    expect(notPem.code).toBe(2)
    expect(notPem.stderr).toMatch(/cannot read the TLS certificate .*missing\.pem \(ENOENT\)/)
  })

  it('a tab joins over wss:// and is reachable through the relay', async () => {
    node = CliNode.start(join(dir, 'node'), ['--tls-cert', cert, '--tls-key', key, '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/tls/ws'])
    const started = await node.started()
    const wss = started.addrs.find(a => a.includes('/tls/ws/'))
    expect(wss, started.addrs.join(' ')).toBeDefined()
    site = await serveExample()
    // the test's certificate is self-signed; a real deployment's is not
    browser = await launchChromium(['--ignore-certificate-errors'])
    const page = await browser.newPage()
    await page.goto(`${site.url}?lan=1&bootstrap=${encodeURIComponent(wss!)}`)
    const relayAddr = await eventually(async () => {
      const text = await page.locator('#relay-addr').textContent()
      return text?.includes('/p2p-circuit') === true ? text : undefined
    }, 'a relay reservation over wss')
    expect(relayAddr).toContain(started.peerId)
    const peers = await page.locator('#peers').innerText()
    expect(peers).toMatch(/\/tls\/ws\//)
  })

  it('a tab joined to a node started with --no-relay gets no reservation, so it is not a reachable worker', async () => {
    const plain = CliNode.start(join(dir, 'no-relay'), ['--no-relay', '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws'])
    try {
      const started = await plain.started()
      expect(started.relay).toBe(false)
      const ws = started.addrs.find(a => a.includes('/ws/'))!
      site ??= await serveExample()
      browser ??= await launchChromium()
      const page = await browser.newPage()
      await page.goto(`${site.url}?lan=1&bootstrap=${encodeURIComponent(ws)}`)
      await eventually(async () => await page.locator('#state').getAttribute('data-state') === 'joined' ? true : undefined, 'the tab to join')
      // long enough for a reservation to have been made, had the node offered one
      await new Promise(resolve => setTimeout(resolve, 3_000))
      expect(await page.locator('#state').getAttribute('data-state')).toBe('joined')
      expect(await page.locator('#relay-addr').textContent()).toBe('no relay reservation yet')
      await page.close()
    } finally {
      await plain.stop()
    }
  })
})
