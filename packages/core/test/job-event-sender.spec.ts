import { describe, expect, it } from 'vitest'
import * as c from '../src/constants.js'
import { JobEventSender } from '../src/compute/job-event-sender.js'
import type { WireEvent } from '../src/compute/convert.js'

describe('JobEventSender', () => {
  it('one write at a time, in order, the final event last; what comes within JOB_EVENTS_COALESCE ms goes in one write', async () => {
    const writes: WireEvent[][] = []
    let inFlight = 0
    const sender = new JobEventSender(async events => {
      inFlight++
      expect(inFlight).toBe(1)
      await new Promise(resolve => setTimeout(resolve, 5))
      writes.push(events)
      inFlight--
    })
    sender.send({ type: 'accepted', queuePosition: 0 })
    sender.send({ type: 'started' })
    // a job that ends at once: its accepted, started and result in one write
    await sender.finish({ type: 'result', value: 1 })
    expect(writes.map(w => w.map(e => e.type))).toEqual([['accepted', 'started', 'result']])
    // a longer job: what it said so far goes after JOB_EVENTS_COALESCE ms; what comes while that write is under way, with the next
    const later = new JobEventSender(async events => { await new Promise(resolve => setTimeout(resolve, 20)); writes.push(events) })
    writes.length = 0
    later.send({ type: 'accepted', queuePosition: 0 })
    await new Promise(resolve => setTimeout(resolve, c.JOB_EVENTS_COALESCE + 10))
    later.send({ type: 'started' })
    later.send({ type: 'log', text: 'a' })
    expect(writes).toEqual([])
    await later.finish({ type: 'result', value: 2 })
    expect(writes.map(w => w.map(e => e.type))).toEqual([['accepted'], ['started', 'log', 'result']])
    // a burst (as a worker's messages come: a few at a time) goes without waiting for the timer, and nothing of it is dropped
    const burst = new JobEventSender(async events => { writes.push(events) })
    writes.length = 0
    for (let i = 0; i < c.JOB_EVENTS_BUFFERED * 3; i++) {
      burst.send({ type: 'log', text: `${i}` })
      if (i % 10 === 9) await new Promise(resolve => setImmediate(resolve))
    }
    await burst.finish({ type: 'result', value: 3 })
    expect(writes.flat()).toHaveLength(c.JOB_EVENTS_BUFFERED * 3 + 1)
  })

  it('a reader that does not keep up: events past the buffer are dropped and counted, the result still goes', async () => {
    const written: WireEvent[] = []
    let release!: () => void
    const blocked = new Promise<void>(resolve => { release = resolve })
    const sender = new JobEventSender(async events => { if (written.length === 0) await blocked; written.push(...events) })
    sender.send({ type: 'log', text: 'first' })
    await new Promise(resolve => setTimeout(resolve, c.JOB_EVENTS_COALESCE + 10))
    for (let i = 0; i < 10_000; i++) sender.send({ type: 'log', text: `${i}` })
    const finished = sender.finish({ type: 'result', value: 'done' })
    release()
    await finished
    // the first event was being written while the buffer filled
    expect(written).toHaveLength(1 + c.JOB_EVENTS_BUFFERED + 2)
    expect(written.at(-2)).toEqual({ type: 'log', text: expect.stringMatching(/^\(9936 progress and log events dropped/) })
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
    const writes: WireEvent[][] = []
    const sender = new JobEventSender(async events => { writes.push(events) })
    sender.send({ type: 'started' })
    await sender.finish([{ type: 'result-part', part: new Uint8Array([1]) }, { type: 'result-part', part: new Uint8Array([2]) }, { type: 'result-end', bytes: 2 }])
    // one part a write: each waits for the stream to take the one before
    expect(writes.map(w => w.map(e => e.type))).toEqual([['started', 'result-part'], ['result-part'], ['result-end']])
  })
})
