import { runInSandbox } from './sandbox.js'
import type { RunMessage, WorkerMessage } from './worker-protocol.js'

/** What every worker does with a run message, whatever the platform: sandbox it, report back. */
export async function handleRun (message: RunMessage, post: (reply: WorkerMessage) => void): Promise<void> {
  const { id } = message
  const outcome = await runInSandbox({
    code: message.code,
    data: message.data,
    args: message.args,
    onProgress: value => { post({ type: 'progress', id, value }) },
    onLog: text => { post({ type: 'log', id, text }) }
  }, message.limits)
  post({ type: 'done', id, outcome })
}
