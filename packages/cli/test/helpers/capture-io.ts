import type { Io } from '../../src/io.js'

export type CapturingIo = Io & { stdout: string, stderr: string }

/** An Io for `main()` that keeps what a command prints. */
export function capture (env: Io['env'] = {}): CapturingIo {
  const io: CapturingIo = {
    stdout: '',
    stderr: '',
    env,
    out: (text: string) => { io.stdout += `${text}\n` },
    err: (text: string) => { io.stderr += `${text}\n` }
  }
  return io
}
