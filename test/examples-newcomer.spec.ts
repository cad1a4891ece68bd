// The examples run with what the README tells a newcomer to have: Node.js (≥ 20) and npm.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')

/** Debian's Node.js 20 and its npm, and nothing of the repository's toolchain on PATH. */
function newcomer (): { npm: string, env: NodeJS.ProcessEnv } {
  const npm = ['/usr/bin/npm', '/usr/local/bin/npm'].find(p => existsSync(p))
  if (npm == null) throw new Error('no system npm here to test with; Debian\'s npm package provides one')
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'NODE_OPTIONS'))
  env.PATH = '/usr/local/bin:/usr/bin:/bin'
  const version = execFileSync('node', ['--version'], { env, encoding: 'utf8' }).trim()
  expect(Number(version.slice(1).split('.')[0])).toBeLessThan(22)
  return { npm, env }
}

describe('examples for a newcomer with Node.js 20 and npm', () => {
  it('npm run example -- embedded-pair runs the example with the toolchain\'s Node.js', () => {
    const { npm, env } = newcomer()
    const r = spawnSync(npm, ['run', '--silent', 'example', '--', 'embedded-pair'], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^a 12D3KooW\S+$/m)
    expect(r.stdout).toMatch(/b is connected to 12D3KooW/)
    // the toolchain's pnpm is pinned: no "Update available … curl … | sh" box for a newcomer
    expect(r.stdout + r.stderr).not.toMatch(/Update available/)
  }, 150_000)

  it('an unknown example exits 2 naming the ones there are', () => {
    const { npm, env } = newcomer()
    const r = spawnSync(npm, ['run', '--silent', 'example', '--', 'nope'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/no example "nope": npm run example -- <name>, one of .*embedded-pair.*lambdas/)
  })
})
