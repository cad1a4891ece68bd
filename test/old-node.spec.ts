// The library on a Node.js too old for libp2p v3: one clear error before anything happens.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const CORE = resolve(import.meta.dirname, '../packages/core/dist/index.js')

/** A Node.js older than 22 on this machine: Debian's own (the system `node` of these machines). */
function oldNode (): { path: string, version: string } {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!existsSync(path)) continue
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim()
    if (Number(version.slice(1).split('.')[0]) < 22) return { path, version }
  }
  throw new Error('no Node.js older than 22 here to test with; Debian\'s nodejs package (Node 20) provides one')
}

describe('the library on Node.js older than 22', () => {
  const dirs: string[] = []
  afterAll(async () => { await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true }))) })

  it('createGridNode throws PlatformUnsupportedError naming the version needed and found, and writes nothing', async () => {
    const node = oldNode()
    const root = await mkdtemp(join(tmpdir(), 'grid-old-node-'))
    dirs.push(root)
    const dataDir = join(root, 'node')
    const script = `const { createGridNode } = await import(${JSON.stringify(CORE)})
try { await createGridNode({ dataDir: ${JSON.stringify(dataDir)} }); console.log('created') } catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })) }`
    const r = spawnSync(node.path, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout.trim())).toEqual({ name: 'PlatformUnsupportedError', message: `Node.js 22 or newer is needed, found ${node.version.slice(1)}` })
    expect(await readdir(root)).toEqual([])
  })
})
