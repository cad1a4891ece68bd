/**
 * Canonical JSON of a job's result, and its hash: what replicas of one job are compared by. Two
 * holders that computed the same value produce the same text whatever order they built an
 * object's keys in.
 */

/** JSON with every object's keys sorted (by UTF-16 code units, as `Array.prototype.sort` does); arrays keep their order. */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(v => v === undefined ? 'null' : canonicalJson(v)).join(',')}]`
  const entries = Object.keys(value).sort()
    .filter(k => (value as Record<string, unknown>)[k] !== undefined)
    .map(k => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
  return `{${entries.join(',')}}`
}

/** sha256 of the canonical JSON, hex: equal for equal values, on every platform (Web Crypto). */
export async function resultHash (value: unknown): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(value)))
  return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('')
}
