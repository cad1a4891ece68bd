import { builtinModules } from 'node:module'
import { resolve } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const CORE = resolve(import.meta.dirname, '..')
const NODE_BUILTINS = new Set(builtinModules.flatMap(m => [m, `node:${m}`]))

interface BundleReport { inputs: string[], leaks: string[], errors: string[] }

/**
 * Bundles an entry the way a browser app's bundler would and lists every Node.js built-in it
 * needs: a `node:` import, or a bare built-in name (`events`, `fs`) that no npm package in the
 * dependency tree provides.
 */
async function bundleForBrowser (entry: { file: string } | { source: string }): Promise<BundleReport> {
  const nodePrefixed = new Set<string>()
  try {
    const result = await build({
      ...('file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.source, resolveDir: CORE, loader: 'js' } }),
      bundle: true,
      write: false,
      metafile: true,
      platform: 'browser',
      conditions: ['browser'],
      format: 'esm',
      logLevel: 'silent',
      plugins: [{
        name: 'node-prefixed-builtins',
        setup (b) {
          b.onResolve({ filter: /^node:/ }, args => {
            nodePrefixed.add(`${args.path} (imported by ${args.importer})`)
            return { path: args.path, external: true }
          })
        }
      }]
    })
    return { inputs: Object.keys(result.metafile.inputs), leaks: [...nodePrefixed], errors: [] }
  } catch (err: any) {
    const errors: string[] = (err.errors ?? [err]).map((e: any) => `${String(e.text ?? e.message)} (in ${String(e.location?.file ?? '?')})`)
    const unresolvedBuiltins = errors.filter(e => NODE_BUILTINS.has(/Could not resolve "([^"]+)"/.exec(e)?.[1] ?? ''))
    return { inputs: [], leaks: [...nodePrefixed, ...unresolvedBuiltins], errors }
  }
}

describe('@grid-node/core in a browser bundle', () => {
  it('bundles for the browser platform with no Node.js built-in and the browser side of the platform seam', async () => {
    const report = await bundleForBrowser({ file: resolve(CORE, 'dist/index.js') })
    expect(report.leaks, 'Node.js built-ins in the browser bundle').toEqual([])
    expect(report.errors, 'esbuild errors').toEqual([])
    expect(report.inputs.some(i => i.endsWith('dist/platform/browser.js'))).toBe(true)
    expect(report.inputs.filter(i => i.endsWith('dist/platform/node.js') || /@libp2p\/tcp|classic-level/.test(i))).toEqual([])
  })

  it('the check catches a Node.js built-in, with or without node: (so the test above can fail)', async () => {
    const prefixed = await bundleForBrowser({ source: 'import { readFileSync } from "node:fs"; console.log(readFileSync)' })
    expect(prefixed.leaks).toEqual(['node:fs (imported by <stdin>)'])
    const bare = await bundleForBrowser({ source: 'import { createServer } from "net"; console.log(createServer)' })
    expect(bare.leaks).toEqual(['Could not resolve "net" (in <stdin>)'])
  })
})
