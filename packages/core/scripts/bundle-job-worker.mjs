// Bundles the browser's job worker (dist/compute/worker.browser.js, the tsc output) into one
// self-contained ES module, dist/compute/job-worker.browser.js, with the QuickJS WebAssembly file
// beside it. A bundler that meets `new Worker(new URL(…, import.meta.url))` in a web app then
// has a single file with no imports left to split: Vite's default worker format (iife) builds
// it as it is, and the .wasm it references with `new URL(…, import.meta.url)` is emitted as an
// asset. Run after `tsc -b` (the workspace's `build` does).
import { copyFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'compute')
const WASM = 'emscripten-module.wasm' // the name the QuickJS variant asks for, relative to itself

await build({
  entryPoints: [join(dist, 'worker.browser.js')],
  outfile: join(dist, 'job-worker.browser.js'),
  bundle: true,
  // no splitting: the variant's dynamic import()s are inlined, so nothing is left to split
  format: 'esm',
  platform: 'browser',
  // the same floor as the rest of core (tsconfig's ES2023 less what browsers lag on)
  target: 'es2022',
  // whitespace only: names stay readable in a stack trace, the app's bundler minifies the rest
  minifyWhitespace: true,
  legalComments: 'eof',
  sourcemap: false,
  logLevel: 'warning'
})

const require = createRequire(join(dist, 'worker.browser.js'))
const variantDir = dirname(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'))
await copyFile(join(variantDir, WASM), join(dist, WASM))
