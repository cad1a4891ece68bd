/** The Node.js worker-thread entry: one job at a time from the pool. */
import { parentPort } from 'node:worker_threads'
import { handleRun } from './worker-body.js'
import type { RunMessage } from './worker-protocol.js'

const port = parentPort
if (port == null) throw new Error('worker.node.js runs as a worker thread of the grid-node worker pool')
port.on('message', (message: RunMessage) => {
  // a worker thread's heap figures are its own isolate's
  void handleRun(message, reply => { port.postMessage(reply) }, () => process.memoryUsage().heapTotal)
})
