/**
 * The tarballs as a user installs them: `pnpm pack` of both packages, `npm install -g` into an
 * empty prefix outside the workspace (dependencies from the npm registry), and the installed
 * `grid-node` — found through the prefix's bin, run by `#!/usr/bin/env node` — starting a node
 * that the installed `search` and `run` reach over the network.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, readdir, realpath, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, removeDir } from './helpers/cli.js'
import { INSTALL_TIMEOUT_MS, ROOT, exec, npm, outsideDir, packTarballs, userEnv } from './helpers/packed.js'
import type { StartedEvent } from './helpers/cli.js'
import type { ChildProcess } from 'node:child_process'
import type { Tarballs } from './helpers/packed.js'

const CARS = [{ name: 'chevelle', hp: 130 }, { name: 'skylark', hp: 165 }, { name: 'satellite', hp: 150 }]

/** Debian's Node.js 20, the system `node` of these machines, when there is one. */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find(existsSync)

/** The installed `grid-node start --json` in its own process group, so one kill stops all of it. */
function startInstalled (bin: string, dataDir: string): { child: ChildProcess, started: Promise<StartedEvent>, stop: () => Promise<void> } {
  const args = ['start', '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--lan', '--data-dir', dataDir, '--json']
  const child = spawn(bin, args, { env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const started = new Promise<StartedEvent>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', line => {
      const event = JSON.parse(line) as StartedEvent
      if (event.event === 'started') resolve(event)
    })
    child.once('exit', code => { reject(new Error(`the installed grid-node exited with ${code} before starting: ${stderr}`)) })
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode != null || child.signalCode != null) return
    const exited = new Promise(resolve => child.once('exit', resolve))
    process.kill(-child.pid!, 'SIGINT')
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL') } catch {} }, 15_000)
    await exited
    clearTimeout(timer)
  }
  return { child, started, stop }
}

describe('the packed tarballs, installed outside the workspace', () => {
  const dirs: string[] = []
  const stops: Array<() => Promise<void>> = []
  let tarballs: Tarballs
  let prefix: string
  let bin: string
  let work: string

  beforeAll(async () => {
    const packs = await outsideDir('grid-pack-')
    prefix = await outsideDir('grid-prefix-')
    work = await outsideDir('grid-installed-')
    dirs.push(packs, prefix, work)
    tarballs = await packTarballs(packs)
    const install = await npm(['install', '--global', '--prefix', prefix, tarballs.core, tarballs.cli], work)
    expect(install.code, install.stderr).toBe(0)
    // a figure, not an assertion: how long a user waits (from the registry, or npm's cache)
    console.log(`npm install -g of both tarballs into an empty prefix: ${(install.ms / 1000).toFixed(1)} s`)
    bin = join(prefix, 'bin', 'grid-node')
  }, INSTALL_TIMEOUT_MS + 60_000)

  afterAll(async () => {
    await Promise.all(stops.map(async stop => stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('installs both packages from the tarballs, with README and LICENSE, nothing linked into the workspace', async () => {
    const modules = join(prefix, 'lib', 'node_modules')
    for (const pkg of ['grid-node', '@grid-node/core']) {
      const dir = await realpath(join(modules, pkg))
      expect(relative(ROOT, dir).startsWith('..'), `${pkg} at ${dir}`).toBe(true)
      const files = await readdir(dir)
      expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', 'dist']))
      expect(await readFile(join(dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License/)
    }
    // the CLI got the core packed beside it, not a registry copy
    const core = JSON.parse(await readFile(join(modules, '@grid-node/core/package.json'), 'utf8'))
    const cli = JSON.parse(await readFile(join(modules, 'grid-node/package.json'), 'utf8'))
    expect(cli.dependencies['@grid-node/core']).toBe(core.version)
    expect(existsSync(join(modules, '@grid-node/core/dist/compute/job-worker.browser.js'))).toBe(true)
    const version = await exec(bin, ['--version'])
    expect(version.code, version.stderr).toBe(0)
    expect(version.stdout).toContain(cli.version)
  })

  it('runs `grid-node start`, and the installed `datasets add`, `search` and `run` reach it', async () => {
    const dataDir = join(work, 'node')
    const node = startInstalled(bin, dataDir)
    stops.push(node.stop)
    const started = await node.started
    expect(started.peerId).toMatch(/^12D3KooW/)

    const cars = join(work, 'cars.json')
    await writeFile(cars, JSON.stringify(CARS))
    const added = await exec(bin, ['datasets', 'add', cars, '--tag', '#cars', '--data-dir', dataDir, '--json'])
    expect(added.code, added.stderr).toBe(0)

    // a second process with its own identity, joining through the node's address: the network path
    const client = ['--bootstrap', started.bootstrapAddrs[0]!, '--lan', '--data-dir', join(work, 'client'), '--json']
    // the tag is announced in the background once the dataset is added
    let search: Awaited<ReturnType<typeof exec>> | undefined
    const holders = await eventually(async () => {
      search = await exec(bin, ['search', '#cars', ...client])
      return search.code === 0 ? JSON.parse(search.stdout) as Array<{ peerId: string, datasets: Array<{ name: string, rows: number }> }> : undefined
    }, 'the installed search to find #cars', 60_000).catch((err: Error) => { throw new Error(`${err.message}: ${search?.stderr}`) })
    expect(holders).toEqual([expect.objectContaining({ peerId: started.peerId, datasets: [expect.objectContaining({ name: 'cars', rows: 3 })] })])

    const job = join(work, 'total-hp.js')
    await writeFile(job, 'export default ({ data }) => data.reduce((sum, car) => sum + car.hp, 0)\n')
    const run = await exec(bin, ['run', job, '--tag', '#cars', ...client])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ type: 'result', value: 445, peerId: started.peerId, dataset: 'cars' })

    await node.stop()
    expect(node.child.signalCode ?? node.child.exitCode).toBe(0)
  })

  it.skipIf(OLD_NODE == null || Number(process.versions.node.split('.')[0]) < 22)('run by a Node.js older than 22, the installed bin says what it needs and exits 1', async () => {
    const old = await exec(OLD_NODE!, ['--version'])
    if (Number(old.stdout.trim().slice(1).split('.')[0]) >= 22) return
    // what a user with Debian's node first on PATH gets from the shebang
    const r = await exec(bin, ['--version'], { env: { ...userEnv(), PATH: `${dirname(OLD_NODE!)}:${process.env.PATH ?? ''}` } })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(new RegExp(`^grid-node: error: Node\\.js 22 or newer is needed, this is ${old.stdout.trim().slice(1).replaceAll('.', '\\.')} \\(/[^)]+\\); install Node\\.js 22 or newer \\(https://nodejs\\.org\\) and run grid-node with it\n$`))
  })
})
