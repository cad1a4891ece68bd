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

export const processIo: Io = {
  out: (text) => { if (!stdoutGone.signal.aborted) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`) },
  err: (text) => { process.stderr.write(text.endsWith('\n') ? text : `${text}\n`) },
  env: process.env,
  closed: stdoutGone.signal
}
