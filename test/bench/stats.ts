export function median (values: number[]): number {
  return percentile(values, 50)
}

/** Nearest-rank percentile of a sample. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

export function mean (values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

/** Runs `once` `count` times, one after another or all at once, and returns how many per second. */
export async function perSecond (count: number, once: () => Promise<unknown>, parallel: boolean): Promise<number> {
  const started = performance.now()
  if (parallel) await Promise.all(Array.from({ length: count }, once))
  else for (let i = 0; i < count; i++) await once()
  return count / ((performance.now() - started) / 1000)
}
