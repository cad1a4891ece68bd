/**
 * Federated averaging (src/compute/federate.ts) over a fake `run`: the n-weighted mean of the
 * holders' updates, a round per `rounds`, `onRound` after each, unusable updates left out.
 */
import { describe, expect, it } from 'vitest'
import { federate } from '../src/compute/federate.js'
import type { RunEvent, RunInit } from '../src/compute/scheduler.js'

/** A run whose holders answer each job with `answer(args, holder)`; it records every init it got. */
function fakeRun (answers: Array<(args: any) => unknown>): { run: (init: RunInit) => AsyncGenerator<RunEvent>, inits: RunInit[] } {
  const inits: RunInit[] = []
  return {
    inits,
    run: async function * (init) {
      inits.push(init)
      for (const [i, answer] of answers.entries()) yield { type: 'result', value: answer(init.args), jobId: `j${i}`, peerId: `p${i}` }
    }
  }
}

describe('federate', () => {
  it('takes the n-weighted mean each round, tells onRound, and sends each job the model and the round beside args', async () => {
    const { run, inits } = fakeRun([
      args => ({ update: args.model.map((m: number) => m + 1), n: 1 }),
      args => ({ update: args.model.map((m: number) => m + 4), n: 2 })
    ])
    const rounds: unknown[] = []
    const result = await federate(run, { tags: ['#cars'], code: 'x', init: [0, 10], rounds: 2, args: { k: 1 }, onRound: r => { rounds.push(r) } })
    // round 0: (1·[1, 11] + 2·[4, 14]) / 3 = [3, 13]; round 1: [6, 16]
    expect(result).toEqual({ model: [6, 16], rounds: [{ round: 0, contributors: 2, n: 3, model: [3, 13] }, { round: 1, contributors: 2, n: 3, model: [6, 16] }] })
    expect(rounds).toEqual(result.rounds)
    expect(inits.map(i => i.args)).toEqual([{ k: 1, model: [0, 10], round: 0 }, { k: 1, model: [3, 13], round: 1 }])
    // the run gets what the scheduler takes, not federate's own fields
    expect(Object.keys(inits[0]!).sort()).toEqual(['args', 'code', 'tags'])
  })

  it('leaves out an update of the wrong length, a non-number or no n; a round with none is a FederateRoundError', async () => {
    const { run } = fakeRun([() => ({ update: [1], n: 1 }), () => ({ update: [1, 'a'], n: 1 }), () => ({ update: [1, 2] }), () => ({ update: [2, 4], n: 5 })])
    expect((await federate(run, { tags: ['#a'], code: 'x', init: [0, 0] })).model).toEqual([2, 4])
    const none = fakeRun([() => null])
    await expect(federate(none.run, { tags: ['#a'], code: 'x', init: [0, 0] })).rejects.toMatchObject({ name: 'FederateRoundError', message: 'round 0: no holder of #a returned { update: number[2], n }' })
  })
})
