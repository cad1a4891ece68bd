import { nodeOptions, requireApi } from '../../api/client.js'
import { duration, json, table } from '../../format.js'
import { flag } from '../../options.js'
import type { Command, Context } from '../../options.js'

interface PeerRow { peerId: string, state: string, addr: string, direction: string, rttMs: number | null, lastSeen: number }

export const peers: Command = {
  name: 'peers',
  summary: 'List the running node\'s peers: connected ones and recently seen ones, with state (up/down), last seen, round-trip time, direction and address.',
  options: nodeOptions('print a JSON array'),
  run: async ({ values, io }: Context) => {
    const api = await requireApi(values)
    const list = await api.get<PeerRow[]>('/v1/peers')
    if (flag(values, 'json')) {
      io.out(json(list))
    } else if (list.length === 0) {
      io.out('no peers connected')
    } else {
      const now = Date.now()
      io.out(table(['PEER', 'STATE', 'RTT', 'LAST SEEN', 'DIRECTION', 'ADDRESS'], list.map(p => [
        p.peerId,
        p.state,
        p.rttMs == null ? '-' : `${p.rttMs < 10 ? p.rttMs.toFixed(1) : Math.round(p.rttMs)} ms`,
        p.lastSeen > 0 ? `${duration(Math.max(0, now - p.lastSeen))} ago` : '-',
        p.direction === '' ? '-' : p.direction,
        p.addr === '' ? '-' : p.addr
      ])))
    }
    return 0
  }
}
