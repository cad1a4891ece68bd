/** Where a command writes, so tests can call `main()` and read what a person would see. */
export interface Io {
  out(text: string): void
  err(text: string): void
  env: Record<string, string | undefined>
  /** Aborted once nothing reads stdout any more (`grid-node events | head` after head exits): a command that follows stops. */
  readonly closed?: AbortSignal
}

const stdoutGone = new AbortController()

// the reader of a pipe went away: an EPIPE, which would otherwise crash the process with a stack trace
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
  stdoutGone.abort()
})

/**
 * What may wait for a slow reader of stdout: past it, lines are dropped and counted, and the count
 * is said once the reader catches up. A pipe nobody reads (a supervisor that never drains it)
 * would otherwise hold every line of a node that runs for weeks in memory.
 */
export const STDOUT_BACKLOG_BYTES = 1024 * 1024
let dropped = 0

function writeOut (text: string): void {
  if (stdoutGone.signal.aborted) return
  const line = text.endsWith('\n') ? text : `${text}\n`
  if (process.stdout.writableLength + line.length <= STDOUT_BACKLOG_BYTES) {
    process.stdout.write(line)
    return
  }
  if (dropped++ > 0) return
  process.stdout.once('drain', () => {
    process.stdout.write(`(${dropped} output lines dropped: stdout was not being read)\n`)
    dropped = 0
  })
}

export const processIo: Io = {
  out: writeOut,
  err: (text) => { process.stderr.write(text.endsWith('\n') ? text : `${text}\n`) },
  env: process.env,
  closed: stdoutGone.signal
}
