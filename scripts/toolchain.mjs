// What `npm start`, `npm test`, `npm run setup` and `npm run bench` run. Plain JavaScript with no
// dependencies, so it works on a fresh clone with any Node.js >= 20 and npm: it fetches the
// toolchain grid-node needs (Node.js 24 when this one is older than 22, and pnpm) into .tools/,
// installs the workspace from the lockfile, builds it, then runs the command.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { installCommands, packagesPlan } from './test-packages.mjs'

const NODE_VERSION = '24.21.0'
const PNPM_VERSION = '10.34.9' // must equal package.json "packageManager", or pnpm fetches another
const REQUIRED_NODE_MAJOR = 22

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const tools = join(root, '.tools')
const nodePackage = `node-${process.platform}-${process.arch}`
const [command = 'setup', ...rest] = process.argv.slice(2)

function fail (step, code) {
  process.stderr.write(`grid-node: ${step} failed (exit ${code})\n`)
  process.exit(code || 1)
}

function run (step, file, args, env) {
  const result = spawnSync(file, args, { cwd: root, stdio: 'inherit', env })
  if (result.error != null) fail(`${step} (${result.error.message})`, 1)
  if (result.status !== 0) fail(step, result.status ?? 1)
}

function ensureToolchain () {
  const needNode = Number(process.versions.node.split('.')[0]) < REQUIRED_NODE_MAJOR
  const nodeBin = join(tools, 'node_modules', nodePackage, 'bin')
  const pnpmBin = join(tools, 'node_modules', '.bin', 'pnpm')
  const haveNode = existsSync(join(nodeBin, 'node'))
  const missing = []
  if (needNode && !haveNode) missing.push(`${nodePackage}@${NODE_VERSION}`)
  if (!existsSync(pnpmBin)) missing.push(`pnpm@${PNPM_VERSION}`)
  if (missing.length > 0) {
    process.stderr.write(`grid-node: fetching ${missing.join(' and ')} into .tools (first run only)\n`)
    // npm install --no-save keeps only the packages one call names and removes the others:
    // name everything .tools holds (pnpm fetched under Node.js 24, then Node.js 24 for a run under 20)
    const wanted = [...(needNode || haveNode ? [`${nodePackage}@${NODE_VERSION}`] : []), `pnpm@${PNPM_VERSION}`]
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    run('fetching the toolchain', npm, ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', tools, ...wanted], process.env)
  }
  const path = [needNode ? nodeBin : undefined, join(tools, 'node_modules', '.bin'), join(root, 'node_modules', '.bin'), process.env.PATH]
    .filter(Boolean).join(delimiter)
  return {
    node: needNode ? join(nodeBin, 'node') : process.execPath,
    // no "Update available … curl … | sh" box from pnpm: the toolchain's version is pinned on purpose
    env: { ...process.env, PATH: path, npm_config_manage_package_manager_versions: 'false', npm_config_update_notifier: 'false' }
  }
}

function ensureInstalled (env) {
  const stamp = join(root, 'node_modules', '.grid-node-installed')
  const lock = join(root, 'pnpm-lock.yaml')
  const fresh = existsSync(join(root, 'node_modules', '.modules.yaml')) && existsSync(stamp) &&
    statSync(stamp).mtimeMs >= statSync(lock).mtimeMs
  if (fresh) return
  run('pnpm install', 'pnpm', ['install', '--frozen-lockfile', '--reporter=append-only'], env)
  writeFileSync(stamp, '')
}

function exec (file, args, env) {
  const child = spawn(file, args, { cwd: root, stdio: 'inherit', env })
  // Ctrl-C reaches the child through the terminal's process group: let it decide how to stop
  process.on('SIGINT', () => {})
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => { child.kill(signal) })
  child.on('error', (err) => fail(`${command} (${err.message})`, 1))
  child.on('exit', (code, signal) => { process.exit(code ?? (signal === 'SIGINT' ? 130 : 143)) })
}

/** `npm run example -- <name>` names one of the folders in examples/. */
function checkExample (name) {
  const known = readdirSync(join(root, 'examples'), { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name)
  if (name != null && known.includes(name)) return
  process.stderr.write(`grid-node: ${name == null ? 'name an example' : `no example "${name}"`}: npm run example -- <name>, one of ${known.join(', ')}\n`)
  process.exit(2)
}

/** The tests need Debian's Chromium, iptables and iproute2: install them when this user can, else stop with the command. */
function ensureTestPackages () {
  const plan = packagesPlan({
    exists: existsSync,
    hasAptGet: () => existsSync('/usr/bin/apt-get'),
    isRoot: () => process.getuid?.() === 0,
    canSudo: () => spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0
  })
  if (plan.action === 'ready') return
  if (plan.action === 'stop') {
    process.stderr.write(`grid-node: ${plan.message}\n`)
    process.exit(1)
  }
  process.stderr.write(`grid-node: installing Debian's ${plan.missing.join(', ')} for the tests (first run only)\n`)
  for (const [file, args] of installCommands(plan.sudo, plan.missing)) {
    const result = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    if (result.status !== 0) fail(`installing ${plan.missing.join(', ')} (${[file, ...args].join(' ')})`, result.status ?? 1)
  }
}

const commands = {
  setup: () => process.exit(0),
  start: (toolchain) => exec(toolchain.node, [join(root, 'packages/cli/bin/grid-node.js'), 'start', ...rest], toolchain.env),
  test: (toolchain) => exec('pnpm', ['run', 'check', ...rest], toolchain.env),
  bench: (toolchain) => exec('pnpm', ['run', 'bench:run', ...rest], toolchain.env),
  // the examples need Node.js 22 like the library: run through here, they get the toolchain's
  example: (toolchain) => {
    const [name, ...args] = rest
    exec('pnpm', ['--silent', '--filter', `example-${name}`, name === 'browser-worker' ? 'dev' : 'start', ...args], toolchain.env)
  }
}

if (commands[command] == null) {
  process.stderr.write(`grid-node: unknown toolchain command "${command}"; use one of ${Object.keys(commands).join(', ')}\n`)
  process.exit(2)
}
// before minutes of installing: a test run that cannot drive a browser says so at once
if (command === 'test') ensureTestPackages()
if (command === 'example') checkExample(rest[0])
const toolchain = ensureToolchain()
ensureInstalled(toolchain.env)
run('build', 'pnpm', ['run', '--silent', 'build'], toolchain.env)
commands[command](toolchain)
