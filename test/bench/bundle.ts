// `pnpm bench`, part bundle: what a page downloads for @grid-node/core, gzipped, built by Vite
// as a web app is: examples/browser-worker, and a minimal page that only imports
// `createGridNode`. Up front (the entry and its static imports), while the node starts (dynamic
// imports), at the first job (the job worker and its QuickJS WebAssembly); and which packages
// the up-front part is made of. The figures of an earlier build (bundle-before.json) are
// printed beside today's. `node test/bench/bundle.ts --save-before <commit>` records today's
// figures as that earlier build.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildExamplePage, buildMinimalPage, upFrontByPackage } from '../helpers/page-bundle.ts'
import type { ChunkKind, PageBundle } from '../helpers/page-bundle.ts'

const BEFORE_FILE = join(import.meta.dirname, 'bundle-before.json')
const KINDS: ChunkKind[] = ['up front', 'lazy', 'worker', 'wasm']
const TOP_PACKAGES = 16

/** One page's figures as bundle-before.json keeps them: gzipped bytes per kind and per package up front. */
interface PageFigures { gzip: Record<ChunkKind, number>, packages: Record<string, number> }
interface Figures { commit: string, pages: Record<string, PageFigures> }

async function figuresOf (bundle: PageBundle): Promise<PageFigures> {
  return { gzip: bundle.gzip, packages: Object.fromEntries(await upFrontByPackage(bundle)) }
}

const LABELS: Record<ChunkKind, string> = { 'up front': 'up front', lazy: 'while the node starts', worker: 'job worker, at the first job', wasm: 'QuickJS wasm, at the first job' }

const kib = (n: number | undefined): string => n == null ? '–' : `${(n / 1024).toFixed(1)} KiB`
const ratio = (after: number, before: number | undefined): string => before == null || before === 0 ? '' : `${(after / before).toFixed(2)}×`

function report (name: string, after: PageFigures, before: PageFigures | undefined, beforeCommit: string): void {
  console.log(`\n${name}, gzipped (before = ${beforeCommit}):`)
  console.log(`  ${''.padEnd(32)} ${'before'.padStart(12)} ${'after'.padStart(12)} ${'after/before'.padStart(13)}`)
  const row = (label: string, a: number, b: number | undefined): void => {
    console.log(`  ${label.padEnd(32)} ${kib(b).padStart(12)} ${kib(a).padStart(12)} ${ratio(a, b).padStart(13)}`)
  }
  for (const kind of KINDS) row(LABELS[kind], after.gzip[kind], before?.gzip[kind])
  const total = (f: PageFigures): number => KINDS.reduce((sum, k) => sum + f.gzip[k], 0)
  row('total', total(after), before == null ? undefined : total(before))
  const upFrontSum = Object.values(after.packages).reduce((a, b) => a + b, 0)
  console.log('  up front by package (its modules minified and gzipped on their own; share of their sum):')
  const names = new Set([...Object.keys(after.packages).slice(0, TOP_PACKAGES), ...Object.keys(before?.packages ?? {}).slice(0, TOP_PACKAGES)])
  for (const pkg of [...names].sort((a, b) => (after.packages[b] ?? 0) - (after.packages[a] ?? 0))) {
    const a = after.packages[pkg] ?? 0
    console.log(`    ${pkg.padEnd(30)} ${kib(before?.packages[pkg] ?? (before == null ? undefined : 0)).padStart(12)} ${kib(a).padStart(12)} ${`${(100 * a / upFrontSum).toFixed(1)} %`.padStart(13)}`)
  }
}

/** Builds both pages and prints their figures beside the saved ones; false when a build failed. */
export async function reportBundles (saveBefore?: string): Promise<boolean> {
  let ok = true
  const after: Figures = { commit: 'this checkout', pages: {} }
  const pages: Record<string, () => Promise<PageBundle>> = { 'examples/browser-worker': buildExamplePage, 'minimal page (createGridNode only)': buildMinimalPage }
  for (const [name, buildPage] of Object.entries(pages)) {
    try {
      after.pages[name] = await figuresOf(await buildPage())
    } catch (err: any) {
      console.log(`${name}: the build failed: ${String(err?.message ?? err)}`)
      ok = false
    }
  }
  if (saveBefore != null) {
    await writeFile(BEFORE_FILE, `${JSON.stringify({ ...after, commit: saveBefore }, null, 2)}\n`)
    console.log(`saved as the before figures (${saveBefore}) in ${BEFORE_FILE}`)
  }
  const before = JSON.parse(await readFile(BEFORE_FILE, 'utf8').catch(() => 'null')) as Figures | null
  for (const [name, figures] of Object.entries(after.pages)) report(name, figures, before?.pages[name], before?.commit ?? 'none saved')
  return ok
}

if (process.argv[1] === import.meta.filename) {
  const at = process.argv.indexOf('--save-before')
  if (!await reportBundles(at > 0 ? process.argv[at + 1] ?? 'unknown' : undefined)) process.exitCode = 1
}
