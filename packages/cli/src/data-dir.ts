import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, stat, writeFile, access, constants } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { DataDirError } from './errors.js'
import { stringValue } from './options.js'
import type { OptionSpec, Values } from './options.js'

export const DATA_DIR_OPTION: OptionSpec = {
  type: 'string',
  description: 'the node\'s data dir: identity, peer store, datasets',
  default: '~/.grid-node',
  placeholder: 'dir'
}

export function dataDirOf (values: Values): string {
  const given = stringValue(values, 'data-dir')
  if (given == null) return join(homedir(), '.grid-node')
  return resolve(given.replace(/^~(?=$|\/)/, homedir()))
}

/**
 * Makes sure the data dir is a writable directory, creating it if needed. Returns whether it
 * was created here, so a start that fails can remove it again and leave nothing behind.
 */
export async function prepareDataDir (dir: string): Promise<{ created: boolean }> {
  const info = await stat(dir).catch(() => undefined)
  if (info != null && !info.isDirectory()) throw new DataDirError(dir, 'it is a file, not a directory')
  let created = false
  if (info == null) {
    try {
      await mkdir(dir, { recursive: true })
      created = true
    } catch (err: any) {
      throw new DataDirError(dir, err.code ?? err.message)
    }
  }
  try {
    await access(dir, constants.W_OK | constants.R_OK)
  } catch (err: any) {
    throw new DataDirError(dir, `not writable: ${err.code ?? err.message}`)
  }
  return { created }
}

export async function removeDataDir (dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

const API_FILE = 'api'
const TOKEN_FILE = 'api-token'

/** The running node's API address, as `http://host:port`, if the `api` file exists. */
export async function readApiFile (dir: string): Promise<string | undefined> {
  const text = await readFile(join(dir, API_FILE), 'utf8').catch(() => undefined)
  return text?.trim() !== '' ? text?.trim() : undefined
}

export async function writeApiFile (dir: string, url: string): Promise<void> {
  await writeFile(join(dir, API_FILE), `${url}\n`)
}

export async function removeApiFile (dir: string): Promise<void> {
  await rm(join(dir, API_FILE), { force: true })
}

/** The bearer token that guards an API listening beyond loopback; created once, owner-only. */
export async function apiToken (dir: string, create: boolean): Promise<string | undefined> {
  const path = join(dir, TOKEN_FILE)
  const existing = (await readFile(path, 'utf8').catch(() => ''))?.trim()
  if (existing !== '' || !create) return existing !== '' ? existing : undefined
  const token = randomBytes(32).toString('base64url')
  await writeFile(path, `${token}\n`, { mode: 0o600 })
  return token
}
