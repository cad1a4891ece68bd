import { throttleReports } from './report-throttle.js'
import type { EngineName, SandboxEngine, SandboxResult } from './engine.js'
import { forHost } from './worker-protocol.js'
import type { RunMessage, WorkerMessage } from './worker-protocol.js'

/** The engines a worker has: QuickJS everywhere, V8 on Node.js. */
export type WorkerEngines = Partial<Record<EngineName, SandboxEngine>>

/**
 * What every worker does with a run message, whatever the platform: sandbox it on the engine
 * it names, report back (progress and log bounded here, before they cost the host anything),
 * then say how much memory it holds — its sandbox's, and its own JavaScript heap where the
 * platform can tell (every call a job makes into the host leaves garbage there) — so the pool
 * can replace a worker that grew. The result goes back as the guest's JSON text, unparsed (a
 * large one as its UTF-8 bytes: `post` should transfer `transferOf(reply)`).
 */
export async function handleRun (message: RunMessage, post: (reply: WorkerMessage) => void, engines: WorkerEngines, jsHeapBytes: () => number = () => 0): Promise<void> {
  const { id } = message
  const engine = engines[message.engine]
  const reports = throttleReports({
    progress: value => { post({ type: 'progress', id, value }) },
    log: text => { post({ type: 'log', id, text }) }
  })
  let outcome: SandboxResult
  if (engine == null) {
    outcome = { ok: false, failure: 'threw', message: `this worker has no ${message.engine} engine` }
  } else {
    try {
      outcome = await engine.run({
        code: message.code,
        ...(message.dataJson != null ? { dataJson: message.dataJson } : {}),
        args: message.args,
        onProgress: value => { reports.progress(value) },
        onLog: text => { reports.log(text) },
        onDropped: logLines => { reports.dropped(logLines) }
      }, message.limits)
    } catch (err: any) {
      // the engine itself failed (isolated-vm could not load, say): this job's error, not the worker's end
      outcome = { ok: false, failure: 'threw', message: `the ${message.engine} engine failed: ${String(err?.message ?? err)}` }
    }
  }
  reports.finish()
  let heapBytes = 0
  for (const e of Object.values(engines)) heapBytes += await e.heapBytes()
  post({ type: 'done', id, outcome: forHost(outcome), heapBytes, jsHeapBytes: jsHeapBytes() })
  engine?.idle?.()
}
