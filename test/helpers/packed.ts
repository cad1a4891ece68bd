/**
 * The packages as a user gets them: `pnpm pack` tarballs, installed with npm into directories
 * outside the workspace, run with the Node.js running the tests.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, realpath } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, relative, resolve } from 'node:path'
import type { RunResult } from './cli.js'

export const ROOT = resolve(import.meta.dirname, '../..')

/** Installing from the registry takes seconds to minutes (npm's cache helps): generous, not endless. */
export const INSTALL_TIMEOUT_MS = 300_000

/**
 * The test's own Node.js first on PATH (so `#!/usr/bin/env node` finds a Node.js ≥ 22, not the
 * system's), and nothing of the pnpm run the tests may be inside (npm_config_* would steer npm).
 */
export function userEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_)/i.test(key)) env[key] = value
  }
  env.PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter)
  return { ...env, DEBUG: '', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra }
}

/** A new directory under the OS temp dir, checked to be outside the workspace. */
export async function outsideDir (prefix: string): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)))
  if (!relative(ROOT, dir).startsWith('..')) throw new Error(`${dir} is inside the workspace ${ROOT}: set TMPDIR elsewhere`)
  return dir
}

/** Runs a command to completion; a command still running after timeoutMs is killed and fails. */
export async function exec (command: string, args: string[], options: { cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<RunResult & { ms: number }> {
  const started = performance.now()
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? userEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => { stderr += `\n(killed after ${options.timeoutMs} ms)`; child.kill('SIGKILL') }, options.timeoutMs ?? 120_000)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr, ms: Math.round(performance.now() - started) }
}

/** The pnpm `npm start` fetched, else one on PATH. */
function pnpmBin (): string {
  const fetched = join(ROOT, '.tools', 'node_modules', '.bin', 'pnpm')
  return existsSync(fetched) ? fetched : 'pnpm'
}

export interface Tarballs { core: string, cli: string }

/** `pnpm pack` of both packages (as built: run `pnpm run build` first) into dir. */
export async function packTarballs (dir: string): Promise<Tarballs> {
  for (const pkg of ['core', 'cli']) {
    const r = await exec(pnpmBin(), ['pack', '--pack-destination', dir], { cwd: join(ROOT, 'packages', pkg) })
    if (r.code !== 0) throw new Error(`pnpm pack in packages/${pkg} failed: ${r.stderr}`)
  }
  const files = await readdir(dir)
  const core = files.find(f => /^grid-node-core-.*\.tgz$/.test(f))
  const cli = files.find(f => /^grid-node-\d.*\.tgz$/.test(f))
  if (core == null || cli == null) throw new Error(`pnpm pack left ${files.join(', ')} in ${dir}`)
  return { core: join(dir, core), cli: join(dir, cli) }
}

/** npm, run by the test's Node.js. */
export async function npm (args: string[], cwd: string): Promise<RunResult & { ms: number }> {
  return exec('npm', args, { cwd, timeoutMs: INSTALL_TIMEOUT_MS })
}
