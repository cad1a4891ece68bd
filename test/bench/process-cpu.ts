// CPU time of processes, read from /proc: what the testnet's runners cost the machine.
import { readFileSync } from 'node:fs'

/** USER_HZ: /proc/<pid>/stat counts CPU time in ticks of 1/100 s on Linux. */
const TICKS_PER_SECOND = 100

/** user + system CPU seconds of a process so far; 0 once it is gone. */
export function cpuSeconds (pid: number): number {
  try {
    // the command name, in parentheses, may hold spaces: the fields after it are split safely
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}

/** Cores the processes `pids` kept busy over `windowMs`. */
export async function coresUsed (pids: number[], windowMs: number): Promise<number> {
  const before = pids.map(cpuSeconds)
  const started = performance.now()
  await new Promise(resolve => setTimeout(resolve, windowMs))
  const seconds = (performance.now() - started) / 1000
  return pids.reduce((sum, pid, i) => sum + (cpuSeconds(pid) - before[i]!) / seconds, 0)
}
