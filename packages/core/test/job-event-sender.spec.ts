import { describe, expect, it } from 'vitest'
import * as c from '../src/constants.js'
import { JobEventSender } from '../src/compute/job-event-sender.js'
import type { WireEvent } from '../src/compute/convert.js'

describe('JobEventSender', () => {
  it('writes one event at a time, in order, and the final one last', async () => {
    const written: WireEvent[] = []
    let inFlight = 0
    const sender = new JobEventSender(async e => {
      inFlight++
      expect(inFlight).toBe(1)
      await new Promise(resolve => setTimeout(resolve, 1))
      written.push(e)
      inFlight--
    })
    sender.send({ type: 'accepted', queuePosition: 0 })
    sender.send({ type: 'started' })
    await sender.finish({ type: 'result', value: 1 })
    expect(written.map(e => e.type)).toEqual(['accepted', 'started', 'result'])
  })

  it('a reader that does not keep up: events past the buffer are dropped and counted, the result still goes', async () => {
    const written: WireEvent[] = []
    let release!: () => void
    const blocked = new Promise<void>(resolve => { release = resolve })
    const sender = new JobEventSender(async e => { if (written.length === 0) await blocked; written.push(e) })
    for (let i = 0; i < 10_000; i++) sender.send({ type: 'log', text: `${i}` })
    const finished = sender.finish({ type: 'result', value: 'done' })
    release()
    await finished
    // the first event was being written while the buffer filled
    expect(written).toHaveLength(1 + c.JOB_EVENTS_BUFFERED + 2)
    expect(written.at(-2)).toEqual({ type: 'log', text: expect.stringMatching(/^\(9935 progress and log events dropped/) })
    expect(written.at(-1)).toEqual({ type: 'result', value: 'done' })
  })

  it('a write that never completes: finish rejects at its deadline', async () => {
    const sender = new JobEventSender(async () => { await new Promise(() => {}) })
    await expect(sender.finish({ type: 'result', value: 1 }, { signal: AbortSignal.timeout(50) })).rejects.toThrow()
  })

  it('a failed write: later events are not written and finish rejects with the failure', async () => {
    let calls = 0
    const sender = new JobEventSender(async () => { calls++; throw new Error('stream reset') })
    sender.send({ type: 'started' })
    await expect(sender.finish({ type: 'result', value: 1 })).rejects.toThrow('stream reset')
    expect(calls).toBe(1)
  })

  it('a result in parts goes after everything waiting, every part, in order', async () => {
    const written: WireEvent[] = []
    const sender = new JobEventSender(async e => { written.push(e) })
    sender.send({ type: 'started' })
    await sender.finish([{ type: 'result-part', part: new Uint8Array([1]) }, { type: 'result-part', part: new Uint8Array([2]) }, { type: 'result-end', bytes: 2 }])
    expect(written.map(e => e.type)).toEqual(['started', 'result-part', 'result-part', 'result-end'])
  })
})
