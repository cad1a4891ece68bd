import { describe, expect, it } from 'vitest'
import { buildMinimalPage, MINIMAL_PAGE } from './helpers/page-bundle.ts'
import type { PageBundle } from './helpers/page-bundle.ts'

// A page that imports createGridNode, built by Vite for production: what it loads before any
// of its code runs. Asserted on module ids, never on sizes.

/** Module ids up front that match the pattern, shortened to their package path. */
function upFront (bundle: PageBundle, pattern: RegExp): string[] {
  return bundle.upFrontModules.filter(id => pattern.test(id)).map(id => id.replace(/^.*node_modules\//, '').replace(/^.*\/packages\//, 'packages/'))
}

/** Packages up front in more than one version: name → versions. */
function duplicated (bundle: PageBundle): Record<string, string[]> {
  const versions = new Map<string, Set<string>>()
  for (const id of bundle.upFrontModules) {
    const m = /node_modules\/\.pnpm\/((?:@[^+/]+\+)?[^@/]+)@([^/_]+)[^/]*\/node_modules\//.exec(id)
    if (m == null) continue
    versions.set(m[1]!, (versions.get(m[1]!) ?? new Set()).add(m[2]!))
  }
  return Object.fromEntries([...versions].filter(([, v]) => v.size > 1).map(([name, v]) => [name.replace('+', '/'), [...v]]))
}

describe('what a page loads up front for @grid-node/core', () => {
  let page: PageBundle

  it('a minimal page: the browser side of the platform seam, no Node.js-only module', async () => {
    page = await buildMinimalPage()
    expect(upFront(page, /\/packages\/core\/dist\/platform\/browser\.js$/)).toHaveLength(1)
    expect(upFront(page, /\/packages\/core\/dist\/platform\/[^/]*node\.js$|@libp2p\/(tcp|mdns)\/|classic-level|isolated-vm|node-datachannel|csv-parse\/dist\/esm\/stream|^node:|^\0?node:/)).toEqual([])
  })

  it('gossipsub and kad-dht\'s table of key prefixes come later, in chunks of their own', () => {
    expect(upFront(page, /@libp2p\/gossipsub\//)).toEqual([])
    expect(upFront(page, /generated-prefix-list/)).toEqual([])
    const later = page.chunks.filter(c => c.kind === 'lazy').flatMap(c => [...c.modules.keys()])
    expect(later.some(id => id.includes('@libp2p/gossipsub/dist/src/gossipsub.js'))).toBe(true)
    expect(later.some(id => id.includes('generated-prefix-list-browser.js'))).toBe(true)
  })

  it('QuickJS only in the job worker, its WebAssembly beside it; no csv-parse; one version of each package', () => {
    expect(upFront(page, /quickjs|@jitl\//)).toEqual([])
    expect(page.chunks.filter(c => c.kind === 'worker')).toHaveLength(1)
    expect(page.chunks.filter(c => c.kind === 'wasm')).toHaveLength(1)
    expect(upFront(page, /csv-parse/)).toEqual([])
    expect(duplicated(page)).toEqual({})
  })

  it('the checks see what a page pulls in: parseRows brings csv-parse up front, gossipsub still stays out', async () => {
    const parsing = await buildMinimalPage(`${MINIMAL_PAGE}import { parseRows } from '@grid-node/core'\nglobalThis.rows = parseRows('a\\n1\\n', 'csv', 'f.csv')\n`)
    expect(upFront(parsing, /csv-parse/)).not.toEqual([])
    expect(upFront(parsing, /@libp2p\/gossipsub\//)).toEqual([])
  })
})
