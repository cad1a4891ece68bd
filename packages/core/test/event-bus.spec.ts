import { describe, expect, it } from 'vitest'
import { EventBus, RECENT_EVENTS_KEPT } from '../src/events/event-bus.js'
import { JobTracker } from '../src/events/job-tracker.js'
import type { GridEvent } from '../src/events/grid-events.js'

describe('EventBus', () => {
  it('numbers events in order and delivers each to every listener once', () => {
    const bus = new EventBus()
    const a: GridEvent[] = []
    const b: GridEvent[] = []
    bus.subscribe(e => a.push(e))
    const stopB = bus.subscribe(e => b.push(e))
    bus.emit({ type: 'ready' })
    stopB()
    bus.emit({ type: 'peer:up', peerId: 'p' })
    expect(a.map(e => [e.seq, e.type])).toEqual([[1, 'ready'], [2, 'peer:up']])
    expect(b.map(e => e.seq)).toEqual([1])
  })

  it('a listener that throws stops neither the others nor the emitter, and is reported', () => {
    const errors: unknown[] = []
    const bus = new EventBus(err => errors.push(err))
    const got: number[] = []
    bus.subscribe(() => { throw new Error('bad listener') })
    bus.subscribe(e => got.push(e.seq))
    expect(() => bus.emit({ type: 'ready' })).not.toThrow()
    expect(got).toEqual([1])
    expect(errors).toHaveLength(1)
  })

  it('keeps a bounded ring of recent events, readable after a seq', () => {
    const bus = new EventBus()
    for (let i = 0; i < RECENT_EVENTS_KEPT + 10; i++) bus.emit({ type: 'peer:up', peerId: String(i) })
    const recent = bus.recent()
    expect(recent).toHaveLength(RECENT_EVENTS_KEPT)
    expect(recent[0]!.seq).toBe(11)
    expect(bus.recent(bus.lastSeq - 2).map(e => e.seq)).toEqual([bus.lastSeq - 1, bus.lastSeq])
  })
})

describe('JobTracker', () => {
  it('gives each step its phase, a numeric progress, and the duration and error at the end; no log lines, no result values', async () => {
    const jobs = new JobTracker()
    expect(jobs.fields('j', 'p', { type: 'accepted', queuePosition: 2, via: 'direct' })).toEqual({ jobId: 'j', peerId: 'p', phase: 'accepted', queuePosition: 2, via: 'direct' })
    expect(jobs.fields('j', 'p', { type: 'log', text: 'x' })).toBeUndefined()
    expect(jobs.fields('j', 'p', { type: 'progress', value: 0.5 })?.progress).toBe(0.5)
    expect(jobs.fields('j', 'p', { type: 'progress', value: 'half' })?.progress).toBeUndefined()
    await new Promise(resolve => setTimeout(resolve, 20))
    const result = jobs.fields('j', 'p', { type: 'result', value: { big: 'x'.repeat(1000) } }, 'cars')!
    expect(result.durationMs).toBeGreaterThanOrEqual(15)
    expect(result.dataset).toBe('cars')
    expect(JSON.stringify(result)).not.toContain('xxx')
    const error = jobs.fields('k', 'p', { type: 'error', status: 'failed', message: 'boom' })!
    expect(error).toMatchObject({ phase: 'error', status: 'failed', message: 'boom', durationMs: 0 })
  })
})
