/** The browser Web Worker entry: one job at a time from the pool, on QuickJS (tabs have no V8 engine). */
import { quickJsEngine } from './sandbox.js'
import { handleRun } from './worker-body.js'
import { transferOf } from './worker-protocol.js'
import type { RunMessage, WorkerMessage } from './worker-protocol.js'

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent<RunMessage>) => void) | null, postMessage: (message: WorkerMessage, transfer: Transferable[]) => void }
scope.onmessage = event => {
  void handleRun(event.data, reply => { scope.postMessage(reply, transferOf(reply)) }, { quickjs: quickJsEngine })
}
