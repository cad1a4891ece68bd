/**
 * @packageDocumentation
 *
 * The `grid-node` command line: `start` runs a node with its local HTTP API; `id`, `peers`
 * and `status` ask a running node (found through `--data-dir` or `--api`). `main(argv)`
 * runs a command and returns its exit code, for tests and embedding.
 */
export { main, commands, usage } from './main.js'
export type { Io } from './io.js'
