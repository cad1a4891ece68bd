/** Where a command writes, so tests can call `main()` and read what a person would see. */
export interface Io {
  out(text: string): void
  err(text: string): void
  env: Record<string, string | undefined>
}

export const processIo: Io = {
  out: (text) => { process.stdout.write(text.endsWith('\n') ? text : `${text}\n`) },
  err: (text) => { process.stderr.write(text.endsWith('\n') ? text : `${text}\n`) },
  env: process.env
}
