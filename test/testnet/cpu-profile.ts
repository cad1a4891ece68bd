// Where a process spends its CPU: a sampled profile over a window (node:inspector), summed by
// function, for finding what an idle grid pays for.
import { Session } from 'node:inspector/promises'

export interface ProfileEntry { fn: string, ms: number }

/** Self time per function over `ms`, the `top` most expensive first, plus the total sampled. */
export async function profileSelf (ms: number, top: number): Promise<{ totalMs: number, idleMs: number, entries: ProfileEntry[] }> {
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 500 })
    await session.post('Profiler.start')
    await new Promise(resolve => setTimeout(resolve, ms))
    const { profile } = await session.post('Profiler.stop')
    const selfUs = new Map<string, number>()
    const byId = new Map(profile.nodes.map(n => [n.id, n]))
    const deltas = profile.timeDeltas ?? []
    const samples = profile.samples ?? []
    let idleUs = 0
    let totalUs = 0
    for (let i = 0; i < samples.length; i++) {
      const node = byId.get(samples[i]!)
      const dt = deltas[i] ?? 0
      totalUs += dt
      if (node == null) continue
      const f = node.callFrame
      if (f.functionName === '(idle)' || f.functionName === '(program)') { idleUs += f.functionName === '(idle)' ? dt : 0 }
      const where = f.url === '' ? '' : ` ${f.url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^file:\/\/.*\/packages\//, 'packages/')}:${f.lineNumber + 1}`
      const key = `${f.functionName === '' ? '(anonymous)' : f.functionName}${where}`
      selfUs.set(key, (selfUs.get(key) ?? 0) + dt)
    }
    const entries = [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, us]) => ({ fn, ms: us / 1000 }))
    return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, entries }
  } finally {
    session.disconnect()
  }
}
