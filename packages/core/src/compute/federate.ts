import { FederateRoundError } from '../errors.js'
import type { RunEvent, RunInit } from './scheduler.js'

export interface FederateInit extends Omit<RunInit, 'args' | 'peers'> {
  tags: string[]
  /** @default 1 */
  rounds?: number
  /** The starting model: a vector of numbers. */
  init: number[]
  /** Passed to every job beside `model` and `round`. */
  args?: Record<string, unknown>
  /** Called as each round ends, with its new model (the CLI's per-round progress). */
  onRound?: (round: FederateRound) => void
}

export interface FederateRound { round: number, contributors: number, n: number, model: number[] }
export interface FederateResult { model: number[], rounds: FederateRound[] }

/**
 * Federated averaging: each round sends the current model to every live holder of the tags
 * (`args.model`, `args.round`), each job returns `{ update, n }` computed on its own rows, and
 * the new model is the n-weighted mean of the updates. Rows never leave their holders; a holder
 * that fails a round is left out of it.
 */
export async function federate (run: (init: RunInit) => AsyncGenerator<RunEvent>, init: FederateInit): Promise<FederateResult> {
  let model = init.init
  const rounds: FederateRound[] = []
  const { onRound, rounds: count = 1, init: _start, ...runInit } = init
  for (let round = 0; round < count; round++) {
    const updates: Array<{ update: number[], n: number }> = []
    for await (const event of run({ ...runInit, args: { ...init.args, model, round } })) {
      if (event.type !== 'result') continue
      const value = event.value as { update?: unknown, n?: unknown }
      if (Array.isArray(value?.update) && value.update.length === model.length && value.update.every(x => typeof x === 'number') && typeof value.n === 'number' && value.n > 0) {
        updates.push({ update: value.update as number[], n: value.n })
      }
    }
    if (updates.length === 0) throw new FederateRoundError(round, init.tags, model.length)
    const n = updates.reduce((s, u) => s + u.n, 0)
    model = model.map((_, i) => updates.reduce((s, u) => s + u.n * (u.update[i] as number), 0) / n)
    rounds.push({ round, contributors: updates.length, n, model })
    onRound?.({ round, contributors: updates.length, n, model })
  }
  return { model, rounds }
}
