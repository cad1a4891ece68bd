import { defineConfig } from 'vitest/config'
import type { Reporter } from 'vitest/reporters'

const json = process.env.GRID_VITEST_JSON

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.spec.ts', 'test/**/*.spec.ts'],
    exclude: ['**/node_modules/**', 'test/bench/**'],
    // integration tests start real nodes and child processes on a 2-core machine
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    passWithNoTests: false,
    reporters: json != null ? ['default', ['json', { outputFile: json }] as unknown as Reporter] : ['default']
  }
})
