import { describe, expect, it } from 'vitest'
import { runPrinter } from '../src/commands/run/output.js'
import { eventPrinter } from '../src/event-text.js'
import { capture } from './helpers/capture-io.js'
import type { GridEvent, RunEvent } from '@grid-node/core'

const A = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'
const B = '12D3KooWBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbB1b2c3'
const LIAR = '12D3KooWLiarLiarLiarLiarLiarLiarLiarLiarLiarLiar9f86'
const verdict = { replicas: 3, hash: 'f'.repeat(64), agreed: [A, B], disagreed: [{ peerId: LIAR, hash: '9f86d081884c7d65' + '0'.repeat(48) }], failed: [] }

describe('run --replicas: the vote, for people and scripts', () => {
  it('the majority result, then who agreed and who disagreed (in full, to copy)', () => {
    const io = capture()
    const printer = runPrinter(io, false, { now: () => 0 })
    for (const [i, peerId] of [A, B, LIAR].entries()) printer.event({ type: 'dispatched', attempt: 0, jobId: 'j', peerId, dataset: 'cars', replica: i })
    for (const [i, peerId] of [A, B].entries()) printer.event({ type: 'accepted', queuePosition: 0, jobId: 'j', peerId, dataset: 'cars', replica: i })
    printer.event({ type: 'result', value: 108, jobId: 'j', peerId: A, dataset: 'cars', verdict })
    expect(printer.finish()).toBe(0)
    expect(io.stdout.split('\n')).toEqual([
      '12D3KooW…F4CHCz cars  sent',
      '12D3KooW…B1b2c3 cars  sent',
      '12D3KooW…ar9f86 cars  sent',
      '12D3KooW…F4CHCz cars  queued (0 ahead)',
      '12D3KooW…B1b2c3 cars  queued (0 ahead)',
      '12D3KooW…F4CHCz cars  result (0.0 s): 108',
      `  3 replicas: 2 agreed (12D3KooW…F4CHCz, 12D3KooW…B1b2c3); disagreed: ${LIAR} (result sha256 9f86d081…), avoided from now on`,
      '1 result, 0 failed in 0.0 s',
      ''
    ])
  })

  it('--json: the verdict rides on the one result', () => {
    const io = capture()
    const printer = runPrinter(io, true, { now: () => 0 })
    printer.event({ type: 'result', value: 108, jobId: 'j', peerId: A, verdict } as RunEvent)
    expect(JSON.parse(io.stdout)).toMatchObject({ type: 'result', value: 108, verdict })
  })

  it('no majority: an error, and the vote on stderr', () => {
    const io = capture()
    const printer = runPrinter(io, false, { now: () => 0 })
    printer.event({ type: 'error', status: 'failed', message: 'no majority among 2 replicas: 2 had to agree, at most 1 did (2 different results)', jobId: 'j', peerId: '', verdict: { replicas: 2, agreed: [], disagreed: [{ peerId: A, hash: 'a'.repeat(64) }, { peerId: B, hash: 'b'.repeat(64) }], failed: [] } })
    expect(printer.finish()).toBe(1)
    expect(io.stderr).toBe(`error (failed): no majority among 2 replicas: 2 had to agree, at most 1 did (2 different results)\n  2 replicas: 0 agreed; disagreed: ${A} (result sha256 aaaaaaaa…), ${B} (result sha256 bbbbbbbb…)\n`)
  })

  it('events: a replicated result names who disagreed', () => {
    const e = { type: 'job:requested', jobId: 'j', peerId: A, phase: 'result', durationMs: 400, replicas: 3, disagreed: [LIAR], seq: 1, at: 0 } as GridEvent
    expect(eventPrinter()(e)).toMatch(/result \(0\.4 s\), 3 replicas; 12D3KooW…ar9f86 disagreed$/)
  })
})
