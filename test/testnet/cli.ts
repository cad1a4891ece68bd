// The testnet from a shell (`pnpm testnet`):
//   node test/testnet/cli.ts up [--sites 3] [--public 3] [--hosts 2]
//   node test/testnet/cli.ts down [--run gt3a9f]
//   node test/testnet/cli.ts exec <host> -- <command…>
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { listNamespaces, RUN_NAMESPACE, sweep } from './netns.ts'
import { Testnet } from './testnet.ts'
import { PUBLIC_SEGMENT, SITE_PREFIX_LENGTH } from './topology.ts'
import type { NatKind, SiteInit } from './topology.ts'

const USAGE = `usage:
  testnet up [--sites 3] [--public 3] [--hosts 2]   build a testnet, print it, keep it until Ctrl-C
  testnet down [--run gt3a9f]                       remove every testnet namespace crashed runs left (or one run's)
  testnet exec <host> -- <command…>                 run a command in a host (or router, e.g. a-r) of a testnet that is up
`
/** Site n gets the nth kind, round and round: the default three sites are eim, eim, symmetric. */
const NAT_CYCLE: NatKind[] = ['eim', 'eim', 'symmetric']
const SITE_NAMES = 'abcdefghijklmnopqrstuvwxyz'
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

export async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === 'up') return up(rest)
  if (command === 'down') return down(rest)
  if (command === 'exec') return exec(rest)
  process.stderr.write(USAGE)
  return command === 'help' || command === '--help' ? 0 : 2
}

async function up (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { sites: { type: 'string', default: '3' }, public: { type: 'string', default: '3' }, hosts: { type: 'string', default: '2' } } })
  const siteCount = Number(values.sites)
  if (!Number.isInteger(siteCount) || siteCount < 0 || siteCount > SITE_NAMES.length) throw new RangeError(`--sites ${values.sites}: a whole number from 0 to ${SITE_NAMES.length}`)
  const sites: SiteInit[] = Array.from({ length: siteCount }, (_, i) => ({ name: SITE_NAMES[i]!, nat: NAT_CYCLE[i % NAT_CYCLE.length]!, hosts: Number(values.hosts) }))
  const net = await Testnet.create({ publicHosts: Number(values.public), sites })
  process.stdout.write(describe(net))
  await untilStopSignal()
  await net.destroy()
  process.stdout.write(`testnet ${net.prefix} removed\n`)
  return 0
}

function describe (net: Testnet): string {
  const row = (name: string, ip: string, ns: string): string => `    ${name.padEnd(6)} ${ip.padEnd(15)} ${ns}\n`
  let text = `testnet ${net.prefix} is up; Ctrl-C removes it\n  public segment ${PUBLIC_SEGMENT}\n`
  for (const host of net.hosts.filter(h => h.site == null)) text += row(host.name, host.ip, host.ns)
  for (const site of net.sites) {
    text += `  site ${site.name}: ${site.nat} NAT, router ${site.ns} (WAN ${site.wanIp}, LAN ${site.lanIp}/${SITE_PREFIX_LENGTH})\n`
    for (const host of site.hosts) text += row(host.name, host.ip, host.ns)
  }
  const example = net.hosts.at(-1)?.name ?? 'p1'
  return `${text}run a command in one: node test/testnet/cli.ts exec ${example} -- ip addr\n`
}

async function untilStopSignal (): Promise<void> {
  const keepAlive = setInterval(() => {}, 2 ** 30)
  await new Promise<void>(resolve => { for (const signal of STOP_SIGNALS) process.once(signal, () => resolve()) })
  clearInterval(keepAlive)
}

function down (args: string[]): number {
  const { values } = parseArgs({ args, options: { run: { type: 'string' } } })
  const removed = sweep(values.run)
  process.stdout.write(removed.length === 0 ? 'no testnet namespace left\n' : `removed ${removed.join(' ')}\n`)
  return 0
}

function exec (args: string[]): number {
  const dashes = args.indexOf('--')
  const [host] = args.slice(0, dashes)
  const command = args.slice(dashes + 1)
  if (dashes !== 1 || host == null || command.length === 0) throw new Error('usage: testnet exec <host> -- <command…>')
  const run = spawnSync('ip', ['netns', 'exec', namespaceOf(host), ...command], { stdio: 'inherit' })
  return run.status ?? 1
}

/** `a-1` names host a-1 of the one testnet up; a full namespace name (`gt3a9f-a-1`) picks among several. */
function namespaceOf (host: string): string {
  const running = listNamespaces().filter(ns => RUN_NAMESPACE.test(ns))
  if (running.includes(host)) return host
  const matches = running.filter(ns => ns.replace(RUN_NAMESPACE, '') === host)
  if (matches.length === 1) return matches[0]!
  if (matches.length === 0) throw new Error(`no testnet host "${host}" is up: start one with \`testnet up\`, or see \`ip netns list\``)
  throw new Error(`"${host}" is up in several testnets: name one of ${matches.join(', ')}`)
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`testnet: ${err.message}\n`)
    return 1
  })
}
