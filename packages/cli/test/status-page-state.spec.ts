/**
 * What the status page keeps from the event stream, without a DOM (src/status-page/page/jobs.ts
 * and activity.ts): a job's row from its first event to its result or error, redispatches,
 * missing steps, the bound on rows; the chart's buckets over a sliding window.
 */
import { describe, expect, it } from 'vitest'
import { Activity } from '../src/status-page/page/activity.js'
import { Jobs, JOBS_KEPT } from '../src/status-page/page/jobs.js'
import type { GridEvent } from '../src/status-page/page/types.js'

let seq = 0
function job (type: 'job:served' | 'job:requested', at: number, fields: Partial<GridEvent>): GridEvent {
  return { seq: ++seq, at, type, jobId: 'j1', peerId: 'P', ...fields }
}

describe('Jobs', () => {
  it('follows a served job from accepted through progress to its result, with its duration', () => {
    const jobs = new Jobs()
    jobs.apply(job('job:served', 1000, { phase: 'accepted', queuePosition: 2, dataset: 'cars', via: 'direct' }))
    expect(jobs.running()).toMatchObject([{ side: 'served', phase: 'accepted', queuePosition: 2, dataset: 'cars', firstAt: 1000 }])
    jobs.apply(job('job:served', 1100, { phase: 'started' }))
    jobs.apply(job('job:served', 1500, { phase: 'progress', progress: 0.25 }))
    jobs.apply(job('job:served', 1900, { phase: 'progress', progress: 7 }))
    expect(jobs.running()).toMatchObject([{ phase: 'started', progress: 1, startedAt: 1100 }])
    jobs.apply(job('job:served', 2600, { phase: 'result', durationMs: 1600 }))
    expect(jobs.running()).toEqual([])
    expect(jobs.recent()).toMatchObject([{ phase: 'result', durationMs: 1600, endedAt: 2600, progress: 1 }])
    // a late event changes nothing
    jobs.apply(job('job:served', 2700, { phase: 'progress', progress: 0.5 }))
    expect(jobs.recent()).toMatchObject([{ phase: 'result', progress: 1 }])
  })

  it('a requested job sent again to another holder stays one row, on the new peer; an error keeps its status and message', () => {
    const jobs = new Jobs()
    jobs.apply(job('job:requested', 10, { phase: 'dispatched', peerId: 'A' }))
    jobs.apply(job('job:requested', 20, { phase: 'dispatched', peerId: 'B' }))
    expect(jobs.running()).toMatchObject([{ side: 'requested', peerId: 'B', attempts: 2 }])
    jobs.apply(job('job:requested', 90, { phase: 'error', peerId: 'B', status: 'failed', message: 'Error: boom', durationMs: 80 }))
    expect(jobs.recent()).toMatchObject([{ phase: 'error', status: 'failed', message: 'Error: boom', durationMs: 80 }])
  })

  it('jobs of the same id from two requesters are two rows; a progress with no start seen means it runs; no id gets a row of its own', () => {
    const jobs = new Jobs()
    jobs.apply(job('job:served', 5, { phase: 'progress', progress: 0.5, peerId: 'A' }))
    jobs.apply(job('job:served', 6, { phase: 'accepted', peerId: 'B' }))
    expect(jobs.running().map(r => [r.peerId, r.phase])).toEqual([['A', 'started'], ['B', 'accepted']])
    jobs.apply(job('job:requested', 7, { phase: 'error', jobId: '', peerId: '', message: 'no live holder found for #x' }))
    jobs.apply(job('job:requested', 8, { phase: 'error', jobId: '', peerId: '', message: 'no live holder found for #y' }))
    expect(jobs.recent().map(r => r.message)).toEqual(['no live holder found for #y', 'no live holder found for #x'])
    expect(jobs.apply({ seq: ++seq, at: 9, type: 'peer:up', peerId: 'A' })).toBe(false)
  })

  it(`keeps at most ${JOBS_KEPT} rows: the oldest finished go first`, () => {
    const jobs = new Jobs()
    jobs.apply(job('job:served', 0, { phase: 'started', jobId: 'long' }))
    for (let i = 0; i < JOBS_KEPT + 50; i++) {
      jobs.apply(job('job:served', i + 1, { phase: 'accepted', jobId: `j${i}` }))
      jobs.apply(job('job:served', i + 1, { phase: 'result', jobId: `j${i}`, durationMs: 1 }))
    }
    expect(jobs.running().map(r => r.jobId)).toEqual(['long'])
    expect(jobs.recent(Infinity)).toHaveLength(JOBS_KEPT - 1)
    expect(jobs.recent(1)[0]?.jobId).toBe(`j${JOBS_KEPT + 49}`)
  })
})

describe('Activity', () => {
  it('counts finished jobs by side, failures and searches, and sums them into buckets of 1/60 of the window shown', () => {
    const a = new Activity({ bucketMs: 1_000, keepMs: 900_000 })
    a.apply(job('job:served', 500, { phase: 'result' }))
    a.apply(job('job:served', 900, { phase: 'progress' }))
    a.apply(job('job:requested', 1500, { phase: 'result' }))
    a.apply(job('job:requested', 1600, { phase: 'error' }))
    a.apply({ seq: ++seq, at: 6_000, type: 'search', holders: 2, durationMs: 30, ok: true })
    expect(a.apply({ seq: ++seq, at: 6_100, type: 'peer:up' })).toBe(false)
    // a minute: a bucket a second
    expect(a.window(10_000, 60_000)).toEqual([
      { start: 0, counts: { served: 1, requested: 0, failed: 0, searches: 0 } },
      { start: 1000, counts: { served: 0, requested: 1, failed: 1, searches: 0 } },
      { start: 6000, counts: { served: 0, requested: 0, failed: 0, searches: 1 } }
    ])
    // five minutes: a bucket every 5 s
    expect(a.bucketFor(300_000)).toBe(5_000)
    expect(a.window(10_000, 300_000)).toEqual([
      { start: 0, counts: { served: 1, requested: 1, failed: 1, searches: 0 } },
      { start: 5000, counts: { served: 0, requested: 0, failed: 0, searches: 1 } }
    ])
  })

  it('leaves out what slid out of the window, and forgets what is older than it keeps', () => {
    const a = new Activity({ bucketMs: 1_000, keepMs: 60_000 })
    a.apply(job('job:served', 500, { phase: 'result' }))
    a.apply(job('job:served', 30_500, { phase: 'result' }))
    expect(a.window(45_000, 30_000).map(b => b.start)).toEqual([30_000])
    expect(a.window(45_000, 60_000).map(b => b.start)).toEqual([0, 30_000])
    // forgotten: a longer window than kept does not bring it back
    expect(a.window(70_000, 600_000).map(b => b.start)).toEqual([30_000])
    expect(a.window(120_000, 60_000)).toEqual([])
  })
})
