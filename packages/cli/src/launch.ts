/**
 * What the bin shim runs. It must load on any Node.js, so it checks the version before it
 * imports anything that needs Node.js 22 (libp2p uses Promise.withResolvers). From a clone of
 * the repository, an older Node.js hands over to the one `npm start` fetched into `.tools`; an
 * installed CLI (under node_modules) says which Node.js it needs and exits 1.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const REQUIRED_MAJOR = 22
const major = Number(process.versions.node.split('.')[0])

if (major >= REQUIRED_MAJOR) {
  const { runProcess } = await import('./main.js')
  await runProcess(process.argv.slice(2))
} else {
  const here = dirname(fileURLToPath(import.meta.url))
  // an installed CLI (under node_modules) never borrows a repository's toolchain
  const installed = here.split(sep).includes('node_modules')
  const toolchainNode = installed ? undefined : findToolchainNode(here)
  if (toolchainNode == null) {
    const remedy = installed
      ? `install Node.js ${REQUIRED_MAJOR} or newer (https://nodejs.org) and run grid-node with it`
      : 'install a newer Node.js, or run `npm start` once in the grid-node repository to fetch one'
    process.stderr.write(`grid-node: error: Node.js ${REQUIRED_MAJOR} or newer is needed, this is ${process.versions.node} (${process.execPath}); ${remedy}\n`)
    process.exit(1)
  }
  const child = spawn(toolchainNode, [process.argv[1] ?? '', ...process.argv.slice(2)], { stdio: 'inherit' })
  // Ctrl-C reaches the child through the terminal's process group; forwarding it too would
  // count as a second Ctrl-C and force the stop
  process.on('SIGINT', () => {})
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => { child.kill(signal) })
  }
  child.on('exit', (code, signal) => { process.exit(code ?? (signal != null ? 128 + 2 : 1)) })
}

function findToolchainNode (from: string): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, '.tools', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node')
    if (existsSync(candidate)) return candidate
  }
  return undefined
}
