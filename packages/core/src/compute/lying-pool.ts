import type { WorkerPool } from './pool.js'

/** The pool's methods that hand back a job's outcome: the parsed value (`enqueue`) or, where there is one, the JSON text or its UTF-8 bytes (`run`). */
const OUTCOME_METHODS = new Set<string | symbol>(['enqueue', 'run'])

/**
 * Test-only fault (`faults.lieInResults`, `GRID_NODE_TEST_LIE_IN_RESULTS=1` on `grid-node
 * start`): the pool as the node sees it, except that every job's result is replaced by
 * `{ "lie": <the true result> }` — a holder that answers, promptly and well-formed, with the
 * wrong value, for the replica tests to outvote.
 */
export function lyingPool (pool: WorkerPool): WorkerPool {
  return new Proxy(pool, {
    get: (target, prop) => {
      const value = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      if (!OUTCOME_METHODS.has(prop)) return value.bind(target)
      return async (...args: unknown[]) => lie(await value.apply(target, args))
    }
  })
}

function lie (outcome: unknown): unknown {
  if (outcome == null || typeof outcome !== 'object' || (outcome as { ok?: unknown }).ok !== true) return outcome
  const told: Record<string, unknown> = { ...outcome }
  if ('value' in told) told.value = { lie: told.value }
  if (typeof told.json === 'string') told.json = `{"lie":${told.json}}`
  if (told.utf8 instanceof Uint8Array) told.utf8 = new TextEncoder().encode(`{"lie":${new TextDecoder().decode(told.utf8)}}`)
  return told
}
