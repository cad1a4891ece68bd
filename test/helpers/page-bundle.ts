// A page's bundle as Vite builds it for production: which chunks a page loads up front (the
// entry and what it imports statically), which it loads later (dynamic import()), the job
// worker and the QuickJS WebAssembly it fetches, each gzipped with node:zlib, and what every
// package contributes up front (its modules as Rollup rendered them, minified and gzipped alone).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { transform } from 'esbuild'
import { build } from 'vite'
import type { Rollup } from 'vite'

const REPO = resolve(import.meta.dirname, '../..')
export const EXAMPLE_ROOT = join(REPO, 'examples/browser-worker')
const CORE_ENTRY = join(REPO, 'packages/core/dist/index.js')

export type ChunkKind = 'up front' | 'lazy' | 'worker' | 'wasm'

export interface BuiltChunk {
  fileName: string
  kind: ChunkKind
  bytes: number
  gzipBytes: number
  /** Module ids with their code as Rollup rendered it, before minification (the page's JavaScript chunks only). */
  modules: Map<string, string>
}

export interface PageBundle {
  chunks: BuiltChunk[]
  /** Gzipped bytes per kind of chunk. */
  gzip: Record<ChunkKind, number>
  /** Every module id the page loads up front. */
  upFrontModules: string[]
}

/** `@libp2p/kad-dht`, `@grid-node/core`, `(page)`: whose code a module id is. */
export function packageOf (id: string): string {
  const path = id.replace(/^\0/, '').split('?')[0]!
  const inNodeModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path)
  if (inNodeModules != null) return inNodeModules[1]!
  if (path.includes('/packages/core/')) return '@grid-node/core'
  return '(page)'
}

/**
 * What each package contributes up front, gzipped bytes, largest first: its modules' code
 * minified and gzipped on its own (so the parts add up to a little more than the chunks, which
 * gzip across packages).
 */
export async function upFrontByPackage (bundle: PageBundle): Promise<Array<[string, number]>> {
  const code = new Map<string, string[]>()
  for (const chunk of bundle.chunks.filter(c => c.kind === 'up front')) {
    for (const [id, text] of chunk.modules) code.set(packageOf(id), [...(code.get(packageOf(id)) ?? []), text])
  }
  const sizes = await Promise.all([...code].map(async ([name, texts]) => {
    const minified = await Promise.all(texts.map(async text => (await transform(text, { minify: true, loader: 'js', format: 'esm', logLevel: 'silent' })).code))
    return [name, gzipSync(minified.join('\n'), { level: 9 }).byteLength] as [string, number]
  }))
  return sizes.sort((a, b) => b[1] - a[1])
}

function kindOf (file: Rollup.OutputChunk | Rollup.OutputAsset, upFront: Set<string>): ChunkKind | undefined {
  if (file.fileName.endsWith('.wasm')) return 'wasm'
  if (file.type === 'asset') return /job-worker.*\.js$/.test(file.fileName) ? 'worker' : undefined
  return upFront.has(file.fileName) ? 'up front' : 'lazy'
}

/** The entry chunks and every chunk they import statically, transitively. */
function upFrontChunks (output: Rollup.OutputChunk[]): Set<string> {
  const byName = new Map(output.map(c => [c.fileName, c]))
  const seen = new Set<string>()
  const visit = (name: string): void => {
    if (seen.has(name)) return
    seen.add(name)
    for (const imported of byName.get(name)?.imports ?? []) visit(imported)
  }
  for (const chunk of output) if (chunk.isEntry) visit(chunk.fileName)
  return seen
}

async function viteBuild (root: string, configFile: string | false, alias: Record<string, string>): Promise<Rollup.RollupOutput> {
  const outDir = await mkdtemp(join(tmpdir(), 'grid-page-bundle-'))
  try {
    const result = await build({ root, configFile, logLevel: 'silent', resolve: { alias }, build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 } })
    const outputs = Array.isArray(result) ? result : [result]
    if (!('output' in outputs[0]!)) throw new Error('vite build returned a watcher, not an output')
    return outputs[0]
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

function measure (output: Rollup.RollupOutput): PageBundle {
  const chunks = output.output.filter((f): f is Rollup.OutputChunk => f.type === 'chunk')
  const upFront = upFrontChunks(chunks)
  const built: BuiltChunk[] = []
  for (const file of output.output) {
    const kind = kindOf(file, upFront)
    if (kind == null) continue
    const content = file.type === 'chunk' ? Buffer.from(file.code) : Buffer.from(file.source)
    const modules = new Map(file.type === 'chunk' ? Object.entries(file.modules).map(([id, m]) => [id, m.code ?? '']) : [])
    built.push({ fileName: file.fileName, kind, bytes: content.byteLength, gzipBytes: gzipSync(content, { level: 9 }).byteLength, modules })
  }
  const gzip: Record<ChunkKind, number> = { 'up front': 0, lazy: 0, worker: 0, wasm: 0 }
  for (const chunk of built) gzip[chunk.kind] += chunk.gzipBytes
  const upFrontModules = built.filter(c => c.kind === 'up front').flatMap(c => [...c.modules].filter(([, code]) => code !== '').map(([id]) => id))
  return { chunks: built, gzip, upFrontModules }
}

/** examples/browser-worker, built with its own Vite config. */
export async function buildExamplePage (): Promise<PageBundle> {
  return measure(await viteBuild(EXAMPLE_ROOT, join(EXAMPLE_ROOT, 'vite.config.js'), {}))
}

export const MINIMAL_PAGE = "import { createGridNode } from '@grid-node/core'\nglobalThis.node = await createGridNode({ dataDir: 'tab' })\n"

/**
 * The smallest page a library user writes (MINIMAL_PAGE: `createGridNode` imported and called),
 * or the page given, built from a temporary directory with `@grid-node/core` aliased to this
 * checkout.
 */
export async function buildMinimalPage (source = MINIMAL_PAGE): Promise<PageBundle> {
  const root = await mkdtemp(join(tmpdir(), 'grid-minimal-page-'))
  try {
    await writeFile(join(root, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n')
    await writeFile(join(root, 'main.js'), source)
    return measure(await viteBuild(root, false, { '@grid-node/core': CORE_ENTRY }))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
