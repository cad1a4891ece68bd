import { readFileSync } from 'node:fs'

let cached: string | undefined

/**
 * This package's version, from its package.json (one level above both `src/` and `dist/`, so
 * it is the same file in tests and once installed). Read once, on first use.
 */
export function version (): string {
  cached ??= String((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? 'unknown')
  return cached
}
