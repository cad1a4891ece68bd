// The network-namespace testnet: isolated from the machine, NATs that map and filter as their
// kind says, TCP hole punching by simultaneous open between two endpoint-independent NATs (and
// not with a symmetric one), partitions, and cleanup even after the owner is SIGKILLed.
// Needs root with iproute2 and iptables: Testnet.create fails with what is missing otherwise.
import { execFileSync, spawn } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertCanBuild, listNamespaces, processesIn } from './testnet/netns.js'
import { tcpConnect, TcpListener } from './testnet/probes.js'
import { Testnet } from './testnet/testnet.js'
import type { Namespaced } from './testnet/topology.js'
import type { ChildProcess } from 'node:child_process'
import type { AddressInfo } from 'node:net'

const CLI = resolve(import.meta.dirname, 'testnet/cli.ts')
/** Long enough for a SYN to cross every namespace many times over; silence after it is a drop. */
const DROP_MS = 1_500
/** A hole punch gets this long, as a library would give it. */
const PUNCH_MS = 5_000
/** Both punching halves start their Node process first, then dial at the same instant. */
const PUNCH_START_MS = 1_000
const EXIT_MS = 5_000

// not root, or no `ip` or iptables: every test fails with what is missing
beforeAll(assertCanBuild)

describe('the testnet harness', () => {
  let net: Testnet

  beforeAll(async () => {
    net = await Testnet.create({
      publicHosts: 3,
      sites: [{ name: 'a', nat: 'eim', hosts: 2 }, { name: 'b', nat: 'eim', hosts: 2 }, { name: 'c', nat: 'symmetric', hosts: 2 }]
    })
  })

  // kills the listeners too
  afterAll(async () => { await net?.destroy() })

  async function listen (on: Namespaced, port: number, say: string): Promise<TcpListener> {
    return TcpListener.start(net, on, port, say)
  }

  it('cuts the namespaces off from this machine: no route out, only their own segment\'s', async () => {
    const server = createServer(socket => socket.end())
    await new Promise<void>(resolve => server.listen(0, '0.0.0.0', resolve))
    try {
      const machine = { host: defaultInterfaceAddress(), port: (server.address() as AddressInfo).port }
      expect(await connectsFromHere(machine), 'control: this process reaches its own listener').toBe(true)
      const [fromPublic, fromSite] = await Promise.all([
        tcpConnect(net, net.host('p1'), { ...machine, deadlineMs: DROP_MS }),
        tcpConnect(net, net.host('a-1'), { ...machine, deadlineMs: DROP_MS })
      ])
      expect(fromPublic.outcome).toBe('unreachable')
      expect(fromSite.outcome).toBe('unreachable')
    } finally {
      server.close()
    }
    expect(await routes(net, net.host('a-1'))).toEqual(['default via 192.168.1.1 dev eth0', '192.168.1.0/24 dev eth0'])
    expect(await routes(net, net.host('p1'))).toEqual(['10.99.0.0/16 dev eth0'])
    expect(await routes(net, net.site('a'))).toEqual(['10.99.0.0/16 dev wan', '192.168.1.0/24 dev lan'])
  })

  it('NATs a site\'s outbound TCP: eim keeps the port for every destination, symmetric maps each anew', async () => {
    const [p1, p2] = [await listen(net.host('p1'), 7000, 'from p1'), await listen(net.host('p2'), 7000, 'from p2')]
    const seen = async (from: string, localPort: number): Promise<Array<{ remoteAddress: string, remotePort: number }>> => {
      const result = []
      for (const [to, listener] of [[net.host('p1').ip, p1], [net.host('p2').ip, p2]] as const) {
        const report = await tcpConnect(net, net.host(from), { host: to, port: 7000, localPort })
        expect(report.outcome, `${from} → ${to}`).toBe('connected')
        const { remoteAddress, remotePort } = await listener.nextAccepted()
        result.push({ remoteAddress, remotePort })
      }
      return result
    }

    const eim = await seen('a-1', 41001)
    expect(eim).toEqual([{ remoteAddress: net.site('a').wanIp, remotePort: 41001 }, { remoteAddress: net.site('a').wanIp, remotePort: 41001 }])

    const symmetric = await seen('c-1', 41001)
    expect(symmetric.map(s => s.remoteAddress)).toEqual([net.site('c').wanIp, net.site('c').wanIp])
    expect(symmetric.map(s => s.remotePort)).not.toContain(41001)
    expect(symmetric[0]!.remotePort, 'a new port for each destination').not.toBe(symmetric[1]!.remotePort)
  })

  it('drops unsolicited inbound at a site\'s router: a prober times out, it is never refused', async () => {
    const site = net.site('a')
    const siteHost = net.host('a-1')
    await listen(siteHost, 7100, 'from a-1')
    await listen(site, 7101, 'from router a')
    const p1 = net.host('p1')
    const noRoute = await tcpConnect(net, p1, { host: siteHost.ip, port: 7100, deadlineMs: DROP_MS })
    const [lanToHost, lanToRouter, host, routerListening, routerClosed, routerForwardedNot] = await Promise.all([
      tcpConnect(net, net.host('a-2'), { host: siteHost.ip, port: 7100 }),
      tcpConnect(net, net.host('a-2'), { host: site.lanIp, port: 7101 }),
      withRoute(net, p1, `192.168.1.0/24 via ${site.wanIp}`, async () => tcpConnect(net, p1, { host: siteHost.ip, port: 7100, deadlineMs: DROP_MS })),
      tcpConnect(net, p1, { host: site.wanIp, port: 7101, deadlineMs: DROP_MS }),
      tcpConnect(net, p1, { host: site.wanIp, port: 22, deadlineMs: DROP_MS }),
      tcpConnect(net, p1, { host: site.wanIp, port: 7100, deadlineMs: DROP_MS })
    ])
    expect(lanToHost.outcome, 'control: the host listens').toBe('connected')
    expect(lanToRouter.outcome, 'control: the router listens').toBe('connected')
    expect(noRoute.outcome, 'the public has no route to a site').toBe('unreachable')
    expect(host.outcome, 'even routed through the router, its FORWARD chain drops').toBe('timeout')
    expect(routerListening.outcome, 'the router\'s INPUT chain drops').toBe('timeout')
    expect(routerClosed.outcome, 'a closed port is dropped, not refused').toBe('timeout')
    expect(routerForwardedNot.outcome, 'a site host\'s listening port is not forwarded').toBe('timeout')
  })

  it('punches TCP by simultaneous open between two eim sites, and not between eim and symmetric', async () => {
    const startAt = Date.now() + PUNCH_START_MS
    const punch = async (from: string, to: string, localPort: number, remotePort: number): ReturnType<typeof tcpConnect> =>
      tcpConnect(net, net.host(from), { host: net.site(to).wanIp, port: remotePort, localPort, say: `from ${from}`, startAt, deadlineMs: PUNCH_MS, retry: true })
    const [a1, b1, a2, c2] = await Promise.all([
      punch('a-1', 'b', 40001, 40002),
      punch('b-1', 'a', 40002, 40001),
      punch('a-2', 'c', 40003, 40004),
      punch('c-2', 'a', 40004, 40003)
    ])
    expect(a1).toMatchObject({ outcome: 'connected', received: 'from b-1' })
    expect(b1).toMatchObject({ outcome: 'connected', received: 'from a-1' })
    expect(a2.outcome, 'symmetric: the SYN goes to a port no mapping holds, and is dropped').toBe('timeout')
    expect(c2.outcome).toBe('timeout')
  })

  it('partitions a site from the public segment and heals it', async () => {
    const p3 = net.host('p3')
    await listen(p3, 7200, 'from p3')
    await net.cutSite('a')
    const cut = await tcpConnect(net, net.host('a-1'), { host: p3.ip, port: 7200, deadlineMs: DROP_MS })
    await net.healSite('a')
    const healed = await tcpConnect(net, net.host('a-1'), { host: p3.ip, port: 7200 })
    expect(cut.outcome, 'silently lost, as on a real partition').toBe('timeout')
    expect(healed.outcome).toBe('connected')
  })
})

describe('testnet cleanup', () => {
  it('destroy() removes every namespace of the run and kills every process in them', async () => {
    const net = await Testnet.create({ publicHosts: 1, sites: [{ name: 'a', nat: 'eim', hosts: 1 }] })
    const sleepers = [net.spawn(net.host('p1'), ['sleep', '600']), net.spawn(net.host('a-1'), ['sleep', '600'])]
    await Promise.all(sleepers.map(async s => new Promise(resolve => s.once('spawn', resolve))))
    await net.destroy()
    expect(listNamespaces().filter(ns => ns.startsWith(`${net.prefix}-`))).toEqual([])
    expect(sleepers.map(s => s.signalCode)).toEqual(['SIGKILL', 'SIGKILL'])
  })

  it('`down` sweeps a run whose owner was SIGKILLed, with the processes left in it', async () => {
    const owner = spawn(process.execPath, [CLI, 'up', '--sites', '1', '--public', '1', '--hosts', '1'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const prefix = await runPrefixOf(owner)
    const orphan = spawn('ip', ['netns', 'exec', `${prefix}-a-1`, 'sleep', '600'], { detached: true, stdio: 'ignore' })
    await waitFor(() => processesIn(`${prefix}-a-1`).includes(orphan.pid!), 'the orphan to run in a-1')
    owner.kill('SIGKILL')
    await exited(owner)
    expect(listNamespaces().filter(ns => ns.startsWith(`${prefix}-`)), 'a SIGKILLed owner cleans nothing').toHaveLength(4)

    const down = execFileSync(process.execPath, [CLI, 'down', '--run', prefix], { encoding: 'utf8' })
    expect(down).toContain(`${prefix}-a-1`)
    expect(listNamespaces().filter(ns => ns.startsWith(`${prefix}-`))).toEqual([])
    await exited(orphan)
    expect(orphan.signalCode).toBe('SIGKILL')
  })
})

/** The IPv4 address of this machine's default-route interface (any non-loopback one if there is no default route). */
function defaultInterfaceAddress (): string {
  const [route] = JSON.parse(execFileSync('ip', ['-j', 'route', 'show', 'default'], { encoding: 'utf8' })) as Array<{ dev: string }>
  const address = Object.entries(networkInterfaces())
    .filter(([name]) => route == null || name === route.dev)
    .flatMap(([, addrs]) => addrs ?? [])
    .find(a => a.family === 'IPv4' && !a.internal)
  if (address == null) throw new Error('this machine has no non-loopback IPv4 address to test isolation against')
  return address.address
}

async function connectsFromHere (target: { host: string, port: number }): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(target, () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

/** `ip route` of a namespace, each route as `<dst> [via <gateway>] dev <dev>`. */
async function routes (net: Testnet, where: Namespaced): Promise<string[]> {
  const run = await net.exec(where, ['ip', '-j', 'route'])
  return (JSON.parse(run.stdout) as Array<{ dst: string, gateway?: string, dev: string }>)
    .map(r => [r.dst, ...(r.gateway == null ? [] : ['via', r.gateway]), 'dev', r.dev].join(' '))
}

/** Runs `fn` while `where` has an extra route, as an attacker on the public segment could add. */
async function withRoute<T> (net: Testnet, where: Namespaced, route: string, fn: () => Promise<T>): Promise<T> {
  await net.exec(where, ['ip', 'route', 'add', ...route.split(' ')])
  try {
    return await fn()
  } finally {
    await net.exec(where, ['ip', 'route', 'del', ...route.split(' ')])
  }
}

/** The run prefix a `testnet up` prints once its testnet is built. */
async function runPrefixOf (owner: ChildProcess): Promise<string> {
  const lines = createInterface({ input: owner.stdout! })
  const timer = setTimeout(() => lines.close(), EXIT_MS)
  try {
    for await (const line of lines) {
      const match = /^testnet (gt[0-9a-f]{4}) is up/.exec(line)
      if (match != null) return match[1]!
    }
  } finally {
    clearTimeout(timer)
  }
  throw new Error(`\`testnet up\` printed no run prefix within ${EXIT_MS} ms`)
}

async function waitFor (check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + EXIT_MS
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited ${EXIT_MS} ms for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

async function exited (child: ChildProcess): Promise<void> {
  await waitFor(() => child.exitCode != null || child.signalCode != null, `pid ${child.pid} to exit`)
}
