// `datasets add` of a ~1 GB CSV through the real CLI (no running node): wall time and peak RSS,
// beside `sha256sum` + `wc -l` of the same file, the floor for reading, hashing and counting it.
import { spawn } from 'node:child_process'
import { createWriteStream, existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { once } from 'node:events'

const BIN = resolve(import.meta.dirname, '../../packages/cli/bin/grid-node.js')
const TARGET_BYTES = Number(process.env.BENCH_DATASET_BYTES ?? 1_000_000_000)
const TIME = '/usr/bin/time'

interface Measured { ms: number, peakRssBytes: number, code: number | null }

/** Streams a CSV of about `bytes` to disk, one 1 MB batch of rows at a time. */
async function writeCsv (path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path)
  out.write('id,name,price,weight,in_stock,category\n')
  let written = 0
  let id = 0
  while (written < bytes) {
    let batch = ''
    while (batch.length < 1024 * 1024) {
      batch += `${id},item-${id % 9973},${(id % 100_000) / 100},${id % 977}.5,${id % 3 === 0 ? 'true' : 'false'},"cat ${id % 17}"\n`
      id++
    }
    written += batch.length
    if (!out.write(batch)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

/** Runs a command to its end: wall time, and peak RSS from GNU time if present, else polled VmHWM. */
async function measure (command: string, args: string[]): Promise<Measured> {
  const useTime = existsSync(TIME)
  const report = join(tmpdir(), `bench-time-${process.pid}-${Date.now()}`)
  const child = useTime
    ? spawn(TIME, ['-f', '%M', '-o', report, command, ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
    : spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] })
  const started = performance.now()
  let polled = 0
  const poll = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then(s => { polled = Math.max(polled, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) * 1024) }, () => {})
  }, 50)
  const [code] = await once(child, 'exit') as [number | null]
  const ms = performance.now() - started
  clearInterval(poll)
  if (!useTime) return { ms, peakRssBytes: polled, code }
  const kb = Number((await readFile(report, 'utf8')).trim().split('\n').pop())
  await rm(report, { force: true })
  return { ms, peakRssBytes: kb * 1024, code }
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

const dir = await mkdtemp(join(tmpdir(), 'bench-dataset-add-'))
try {
  const file = join(dir, 'big.csv')
  await writeCsv(file, TARGET_BYTES)
  const size = (await stat(file)).size
  console.log(`file: ${mb(size)} CSV in ${dir}`)

  const add = await measure(process.execPath, [BIN, 'datasets', 'add', file, '--tag', '#bench', '--data-dir', join(dir, 'node'), '--json'])
  if (add.code !== 0) throw new Error(`datasets add exited with ${add.code}`)
  const hash = await measure('sha256sum', [file])
  const count = await measure('wc', ['-l', file])
  const baseline = { ms: hash.ms + count.ms, peakRssBytes: Math.max(hash.peakRssBytes, count.peakRssBytes) }

  console.log('')
  console.log('                         wall time   peak RSS   MB/s')
  console.log(`grid-node datasets add   ${s(add.ms).padStart(9)}   ${mb(add.peakRssBytes).padStart(8)}   ${(size / 1e3 / add.ms).toFixed(0).padStart(4)}`)
  console.log(`sha256sum + wc -l        ${s(baseline.ms).padStart(9)}   ${mb(baseline.peakRssBytes).padStart(8)}   ${(size / 1e3 / baseline.ms).toFixed(0).padStart(4)}`)
  console.log(`  (sha256sum ${s(hash.ms)}, wc -l ${s(count.ms)})`)
  console.log(`ratio                    ${(add.ms / baseline.ms).toFixed(1).padStart(8)}x   ${(add.peakRssBytes / baseline.peakRssBytes).toFixed(0).padStart(7)}x`)
  console.log(`peak RSS / file size     ${(100 * add.peakRssBytes / size).toFixed(1)} %`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
