import { defineConfig } from 'vitest/config'
import type { Reporter } from 'vitest/reporters'

const json = process.env.GRID_VITEST_JSON
// specs that drive Chromium
const BROWSER = ['test/browser*.spec.ts', 'test/status-page.spec.ts']

export default defineConfig({
  test: {
    // integration tests start real nodes and child processes on a 2-core machine
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    passWithNoTests: false,
    reporters: json != null ? ['default', ['json', { outputFile: json }] as unknown as Reporter] : ['default'],
    // Chromium and a Vite build take both cores: the browser tests run after the rest, not beside it
    projects: [
      {
        extends: true,
        test: { name: 'grid', include: ['packages/*/test/**/*.spec.ts', 'test/**/*.spec.ts'], exclude: ['**/node_modules/**', 'test/bench/**', ...BROWSER], sequence: { groupOrder: 0 } }
      },
      {
        extends: true,
        // one Chromium at a time: two, each with a Vite build, starve a tab's 3 s search checks
        test: { name: 'browser', include: BROWSER, sequence: { groupOrder: 1 }, poolOptions: { forks: { singleFork: true } } }
      }
    ]
  }
})
