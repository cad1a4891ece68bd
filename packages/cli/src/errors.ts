import { CodeCidInvalidError, InvalidMultiaddrError, InvalidNetworkError, MessageTooLargeError, TagInvalidError, TopicInvalidError } from '@grid-node/core'

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {
  static override name = 'UsageError'
  constructor (message: string) {
    super(message)
    this.name = UsageError.name
  }
}

/** No node runs for the data dir or API address given. */
export class NodeNotRunningError extends Error {
  static override name = 'NodeNotRunningError'
  constructor (where: string) {
    super(`no running node found at ${where}; start one with \`grid-node start\`, or point to it with --data-dir or --api host:port`)
    this.name = NodeNotRunningError.name
  }
}

/** A short-lived client could not join the grid: each --bootstrap address with why it failed. */
export class BootstrapUnreachableError extends Error {
  static override name = 'BootstrapUnreachableError'
  constructor (failures: Array<[address: string, reason: string]>) {
    super(`could not join the grid: ${failures.map(([addr, reason]) => `${addr}: ${reason}`).join('; ')}; check ${failures.length === 1 ? 'the address' : 'the addresses'} (a running node prints its own as "Bootstrap")`)
    this.name = BootstrapUnreachableError.name
  }
}

/** `grid-node events`: the running node's event stream broke or ended (the node stopped, or went silent). */
export class EventStreamEndedError extends Error {
  static override name = 'EventStreamEndedError'
  constructor (url: string, why: string) {
    super(`the event stream of the node at ${url} ended: ${why}; check it is still running (\`grid-node status\`) and run \`grid-node events\` again`)
    this.name = EventStreamEndedError.name
  }
}

/** `grid-node sub`: the running node's stream of a topic broke or ended (the node stopped, or went silent). */
export class SubscriptionEndedError extends Error {
  static override name = 'SubscriptionEndedError'
  constructor (url: string, topic: string, why: string) {
    super(`the node at ${url} stopped sending '${topic}': ${why}; check it is still running (\`grid-node status\`) and run \`grid-node sub ${topic}\` again`)
    this.name = SubscriptionEndedError.name
  }
}

export class DataDirError extends Error {
  static override name = 'DataDirError'
  constructor (dir: string, detail: string) {
    super(`cannot use data dir ${dir} (${detail}); pass a writable directory with --data-dir or GRID_NODE_DATA_DIR`)
    this.name = DataDirError.name
  }
}

/** The running node refused or failed a request; `errorName` is the node's own error class, when it sent one. */
export class ApiError extends Error {
  static override name = 'ApiError'
  readonly status: number
  readonly errorName?: string
  constructor (status: number, message: string, errorName?: string) {
    super(message)
    this.name = ApiError.name
    this.status = status
    if (errorName != null) this.errorName = errorName
  }
}

/**
 * A job file the sandbox would refuse, found before it is sent: `job.js:3:14: Unexpected token`.
 * Exit code 2: the job, like a flag, is the caller's input.
 */
export class JobSyntaxError extends Error {
  static override name = 'JobSyntaxError'
  constructor (file: string, reason: string, at?: { line: number, column: number }) {
    super(`${file}${at != null ? `:${at.line}:${at.column}` : ''}: ${reason}; nothing was sent`)
    this.name = JobSyntaxError.name
  }
}

/** Errors of the core library that mean the input was wrong, not the world. */
export const USAGE_ERROR_NAMES = new Set([UsageError.name, JobSyntaxError.name, InvalidMultiaddrError.name, InvalidNetworkError.name, TagInvalidError.name, TopicInvalidError.name, MessageTooLargeError.name, CodeCidInvalidError.name])

/**
 * 2 for a command called wrongly (here, or as the running node judged the request it was
 * sent: its API names the error class), 1 for everything else.
 */
export function exitCodeOf (err: any): 1 | 2 {
  const name = err instanceof ApiError ? err.errorName : err?.name
  return USAGE_ERROR_NAMES.has(name) ? 2 : 1
}
