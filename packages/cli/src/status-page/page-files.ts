/**
 * The status page's files, served by the local API: `/` is the page, `/status-page/<file>` its
 * style, icon and scripts. The HTML, CSS and icon are read from `src/status-page/page/` (the
 * package ships `src`), the scripts from `dist/status-page/page/`, where `tsc -b` compiles them
 * (their own tsconfig there: DOM types, browser ES modules loaded as they are). Each is read on
 * its first request and kept: about 60 KiB in all. Only names the page has are looked up.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface PageFile {
  type: string
  body: Buffer
  /** A strong validator: the body's digest. */
  etag: string
}

/** Where the page's scripts, style and icon are; `/` is the page itself. */
export const PAGE_PREFIX = '/status-page/'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml'
}

/** The package's root, from `src/status-page/` (tests) or `dist/status-page/` (the built CLI) alike. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SOURCES = join(PACKAGE_ROOT, 'src', 'status-page', 'page')
const SCRIPTS = join(PACKAGE_ROOT, 'dist', 'status-page', 'page')
const STATIC_FILES = new Set(['style.css', 'icon.svg'])
/** The compiled modules' names: nothing else is looked up on disk. */
const SCRIPT_NAME = /^[a-z][a-z-]{0,40}\.js$/

export class PageNotBuiltError extends Error {
  static override name = 'PageNotBuiltError'
  constructor (dir: string) {
    super(`the status page's scripts are not built (no ${dir}); run \`pnpm run build\``)
    this.name = PageNotBuiltError.name
  }
}

const kept = new Map<string, PageFile>()

/** The file at a URL path under `/` or PAGE_PREFIX, or undefined when the page has none. */
export async function pageFile (path: string): Promise<PageFile | undefined> {
  const found = kept.get(path)
  if (found != null) return found
  const file = fileOf(path)
  if (file == null) return undefined
  let body: Buffer
  try {
    body = await readFile(file)
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw err
    if (file.startsWith(SCRIPTS) && !existsSync(SCRIPTS)) throw new PageNotBuiltError(SCRIPTS)
    return undefined
  }
  const page = { type: TYPES[extname(file)] ?? 'application/octet-stream', body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
  kept.set(path, page)
  return page
}

function fileOf (path: string): string | undefined {
  if (path === '/') return join(SOURCES, 'index.html')
  if (!path.startsWith(PAGE_PREFIX)) return undefined
  const name = path.slice(PAGE_PREFIX.length)
  if (STATIC_FILES.has(name)) return join(SOURCES, name)
  if (SCRIPT_NAME.test(name)) return join(SCRIPTS, name)
  return undefined
}
