import { defineConfig } from 'vite'

// Nothing here is needed for @grid-node/core: its job worker is one pre-bundled file that Vite's
// default worker format builds as it is, with the QuickJS .wasm emitted beside it.
export default defineConfig({
  build: {
    target: 'es2022',
    // libp2p with Noise, Yamux, kad-dht and the relay is about 800 kB minified (260 kB gzipped)
    chunkSizeWarningLimit: 1024
  }
})
