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

export class DataDirError extends Error {
  static override name = 'DataDirError'
  constructor (dir: string, detail: string) {
    super(`cannot use data dir ${dir} (${detail}); pass a writable directory with --data-dir or GRID_NODE_DATA_DIR`)
    this.name = DataDirError.name
  }
}

export class ApiError extends Error {
  static override name = 'ApiError'
  readonly status: number
  constructor (status: number, message: string) {
    super(message)
    this.name = ApiError.name
    this.status = status
  }
}

/** Errors of the core library that mean the input was wrong, not the world. */
export const USAGE_ERROR_NAMES = new Set([UsageError.name, 'InvalidMultiaddrError', 'InvalidNetworkError', 'TagInvalidError'])
