import { describe, expect, it } from 'vitest'
import * as c from '../src/constants.js'
import { throttleReports } from '../src/compute/report-throttle.js'

function harness (): { logs: string[], progress: unknown[], clock: { t: number }, reports: ReturnType<typeof throttleReports> } {
  const logs: string[] = []
  const progress: unknown[] = []
  const clock = { t: 1_000_000 }
  const reports = throttleReports({ log: t => logs.push(t), progress: v => progress.push(v) }, () => clock.t)
  return { logs, progress, clock, reports }
}

describe('throttleReports', () => {
  it('a million log lines at once: a burst passes, the rest is counted in one line', () => {
    const { logs, reports } = harness()
    for (let i = 0; i < 1_000_000; i++) reports.log(`line ${i}`)
    reports.finish()
    expect(logs).toHaveLength(c.JOB_LOG_BURST + 1)
    expect(logs.at(-1)).toMatch(/^\(999900 log lines dropped/)
  })

  it('refills at the steady rate', () => {
    const { logs, clock, reports } = harness()
    for (let i = 0; i < c.JOB_LOG_BURST; i++) reports.log('x')
    reports.log('dropped')
    clock.t += 1000
    for (let i = 0; i < 2 * c.JOB_LOG_RATE; i++) reports.log('y')
    expect(logs.filter(l => l === 'y')).toHaveLength(c.JOB_LOG_RATE)
  })

  it('cuts a long line', () => {
    const { logs, reports } = harness()
    reports.log('z'.repeat(c.JOB_LOG_LINE_CHARS + 10))
    expect(logs[0]).toHaveLength(c.JOB_LOG_LINE_CHARS + '… (10 more characters cut)'.length)
  })

  it('coalesces progress to the latest value, sent at the end if held back', () => {
    const { progress, clock, reports } = harness()
    for (let i = 1; i <= 1000; i++) reports.progress(i / 1000)
    clock.t += c.JOB_PROGRESS_INTERVAL
    reports.progress('later')
    reports.progress('last')
    reports.finish()
    expect(progress).toEqual([0.001, 'later', 'last'])
  })

  it('drops progress values too large or too deep, and says so', () => {
    const { progress, logs, reports } = harness()
    let deep: unknown = 1
    for (let i = 0; i < 5000; i++) deep = [deep]
    reports.progress('x'.repeat(c.JOB_PROGRESS_BYTES + 1))
    reports.progress(deep)
    reports.finish()
    expect(progress).toEqual([])
    expect(logs).toEqual([expect.stringMatching(/^\(2 progress values dropped/)])
  })
})
