// Builds a planned topology: namespaces, the public switch's bridge, veths, addresses, routes,
// and each site router's forwarding and NAT. Each namespace is set up by one `ip -batch`.
import { ip, runIn } from './netns.ts'
import { LAN, routerRules, WAN } from './router-rules.ts'
import { PUBLIC_PREFIX_LENGTH, SITE_PREFIX_LENGTH } from './topology.ts'
import type { Host, Site, Topology } from './topology.ts'

const BRIDGE = 'br0'
/** A host's only interface, whichever segment it is on. */
const HOST_LINK = 'eth0'

export async function buildTopology (topology: Topology): Promise<void> {
  await ip(['-batch', '-'], allNamespaces(topology).map(ns => `netns add ${ns}`))
  // each veth is created from one end's namespace, so its other end exists before step two
  await Promise.all([
    inNs(topology.switchNs, ['link set lo up', `link add ${BRIDGE} type bridge`, ...ipv4Only(BRIDGE), `link set ${BRIDGE} up`]),
    ...topology.publicHosts.map(async host => inNs(host.ns, hostLink(host, topology.switchNs, host.name, PUBLIC_PREFIX_LENGTH))),
    ...topology.sites.map(async site => inNs(site.ns, routerLinks(site, topology.switchNs))),
    ...topology.sites.flatMap(site => site.hosts.map(async (host, i) => inNs(host.ns, [...hostLink(host, site.ns, lanPort(i), SITE_PREFIX_LENGTH), `route add default via ${site.lanIp}`])))
  ])
  await Promise.all([
    inNs(topology.switchNs, [...topology.publicHosts.map(h => h.name), ...topology.sites.map(s => s.switchPort)].flatMap(port => attach(port, BRIDGE))),
    ...topology.sites.map(async site => {
      await inNs(site.ns, site.hosts.flatMap((_, i) => attach(lanPort(i), LAN)))
      await runIn(site.ns, ['sysctl', '-qw', 'net.ipv4.ip_forward=1'])
      await runIn(site.ns, ['iptables-restore'], routerRules(site.nat))
    })
  ])
}

/** Every namespace of the run, switch first. */
export function allNamespaces (topology: Topology): string[] {
  return [topology.switchNs, ...topology.publicHosts.map(h => h.ns), ...topology.sites.flatMap(s => [s.ns, ...s.hosts.map(h => h.ns)])]
}

async function inNs (ns: string, commands: string[]): Promise<void> {
  await ip(['-n', ns, '-batch', '-'], commands)
}

/** The host's veth, its far end `peerName` left down in `peerNs` until attached to a bridge there. */
function hostLink (host: Host, peerNs: string, peerName: string, prefixLength: number): string[] {
  return [
    'link set lo up',
    `link add ${HOST_LINK} type veth peer name ${peerName} netns ${peerNs}`,
    ...ipv4Only(HOST_LINK),
    `addr add ${host.ip}/${prefixLength} dev ${HOST_LINK}`,
    `link set ${HOST_LINK} up`
  ]
}

function routerLinks (site: Site, switchNs: string): string[] {
  return [
    'link set lo up',
    `link add ${WAN} type veth peer name ${site.switchPort} netns ${switchNs}`,
    ...ipv4Only(WAN),
    `addr add ${site.wanIp}/${PUBLIC_PREFIX_LENGTH} dev ${WAN}`,
    `link set ${WAN} up`,
    `link add ${LAN} type bridge`,
    ...ipv4Only(LAN),
    `addr add ${site.lanIp}/${SITE_PREFIX_LENGTH} dev ${LAN}`,
    `link set ${LAN} up`
  ]
}

function attach (port: string, bridge: string): string[] {
  return [...ipv4Only(port), `link set ${port} master ${bridge}`, `link set ${port} up`]
}

/**
 * No IPv6 link-local address on `link` (loopback keeps ::1): the testnet is IPv4 only, so no
 * traffic can go around the routers' IPv4 NAT and firewall.
 */
function ipv4Only (link: string): string[] {
  return [`link set ${link} addrgenmode none`]
}

/** The veth end of a site's host number `index` (from 0) in its router's namespace: `h1`, `h2`… */
function lanPort (index: number): string {
  return `h${index + 1}`
}
