import { nodeOptions, requireApi } from '../../running-node.js'
import { duration, json } from '../../format.js'
import { flag } from '../../options.js'
import { reachabilityText } from '../../reachability-text.js'
import type { StatusAnswer } from '../../api/shapes.js'
import type { Command, Context } from '../../options.js'

export const status: Command = {
  name: 'status',
  summary: 'Show the running node: peer ID, version, addresses, peers, routing-table size, uptime, network.',
  options: nodeOptions('print a JSON object'),
  execute: async ({ values, io }: Context) => {
    const s = await (await requireApi(values)).get<StatusAnswer>('/v1/status')
    if (flag(values, 'json')) {
      io.out(json(s))
      return 0
    }
    const row = (label: string, value: string): void => { io.out(`${label.padEnd(14)} ${value}`) }
    row('Peer ID', s.peerId)
    if (s.version != null) row('Version', s.version)
    row('Network', s.network)
    row('Ready', s.ready ? 'yes' : 'no (joining)')
    row('Peers', String(s.peers))
    row('Routing table', String(s.routingTableSize))
    row('Uptime', duration(s.uptimeMs))
    for (const addr of s.addrs) row('Address', addr)
    if (s.addressPolicy != null) row('DHT addresses', `${s.addressPolicy.mode === 'lan' ? 'private and loopback shared' : 'public only'}: ${s.addressPolicy.reason}`)
    if (s.reachability != null) row('Reachable', reachabilityText(s.reachability))
    if (s.addressWarning != null) row('Warning', s.addressWarning.message)
    return 0
  }
}
