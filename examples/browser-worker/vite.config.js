import { defineConfig } from 'vite'

export default defineConfig({
  build: {
    target: 'es2022',
    // the job sandbox's QuickJS WebAssembly module is fetched by URL; keep it a separate file
    assetsInlineLimit: 0,
    // libp2p with Noise, Yamux, kad-dht and the relay is about 800 kB minified (260 kB gzipped)
    chunkSizeWarningLimit: 1024
  },
  // job workers import the sandbox as modules
  worker: { format: 'es' },
  // the QuickJS variant locates its .wasm file relative to its own module: do not pre-bundle it
  optimizeDeps: { exclude: ['@jitl/quickjs-wasmfile-release-sync'] }
})
