import { throttleReports } from './report-throttle.js'
import { runInSandbox, sandboxHeapBytes } from './sandbox.js'
import type { RunMessage, WorkerMessage } from './worker-protocol.js'

/**
 * What every worker does with a run message, whatever the platform: sandbox it, report back
 * (progress and log bounded here, before they cost the host anything), then say how much
 * memory it holds — its sandbox's, and its own JavaScript heap where the platform can tell
 * (every call a job makes into the host leaves garbage there) — so the pool can replace a
 * worker that grew.
 */
export async function handleRun (message: RunMessage, post: (reply: WorkerMessage) => void, jsHeapBytes: () => number = () => 0): Promise<void> {
  const { id } = message
  const reports = throttleReports({
    progress: value => { post({ type: 'progress', id, value }) },
    log: text => { post({ type: 'log', id, text }) }
  })
  const outcome = await runInSandbox({
    code: message.code,
    data: message.data,
    args: message.args,
    onProgress: value => { reports.progress(value) },
    onLog: text => { reports.log(text) },
    onDropped: logLines => { reports.dropped(logLines) }
  }, message.limits)
  reports.finish()
  post({ type: 'done', id, outcome, heapBytes: await sandboxHeapBytes(), jsHeapBytes: jsHeapBytes() })
}
