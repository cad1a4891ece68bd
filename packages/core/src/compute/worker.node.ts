/** The Node.js worker-thread entry: one job at a time from the pool, on QuickJS or V8. */
import { getHeapStatistics } from 'node:v8'
import { parentPort } from 'node:worker_threads'
import { quickJsEngine } from './sandbox.js'
import { handleRun } from './worker-body.js'
import type { WorkerEngines } from './worker-body.js'
import { transferOf } from './worker-protocol.js'
import type { RunMessage } from './worker-protocol.js'

const port = parentPort
if (port == null) throw new Error('worker.node.js runs as a worker thread of the grid-node worker pool')

const engines: WorkerEngines = { quickjs: quickJsEngine }
// isolated-vm is a native addon: where it cannot load, V8 jobs fail with the reason and QuickJS jobs still run
const v8 = import('./sandbox-v8.js').then(m => {
  engines.v8 = m.v8Engine
  m.warmUp()
}, (err: Error) => {
  engines.v8 = { run: async () => { throw new Error(`isolated-vm cannot load on this system (${err.message}); run the job on QuickJS (engine quickjs)`) }, heapBytes: async () => 0 }
})

port.on('message', (message: RunMessage) => {
  // a worker thread's heap figures are its own isolate's; read alone, not with process.memoryUsage(), which reads the RSS from the system on every job
  void v8.then(async () => { await handleRun(message, reply => { port.postMessage(reply, transferOf(reply)) }, engines, () => getHeapStatistics().total_heap_size) })
})
