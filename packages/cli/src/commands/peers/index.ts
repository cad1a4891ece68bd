import { nodeOptions, requireApi } from '../../running-node.js'
import { RECENT_PEER_WINDOW } from '../../api/constants.js'
import { duration, json, table } from '../../format.js'
import { flag } from '../../options.js'
import type { PeerAnswer } from '../../api/shapes.js'
import type { Command, Context } from '../../options.js'

const RECENT = `${RECENT_PEER_WINDOW / 60_000} minutes`

export const peers: Command = {
  name: 'peers',
  summary: `List the running node's peers: connected ones and those seen in the last ${RECENT} (--all: every peer it remembers), with state (up/down), round-trip time, last seen, direction and address.`,
  options: {
    ...nodeOptions('print a JSON array'),
    all: { type: 'boolean', description: `also the peers not seen for ${RECENT} (the node remembers them for days)` }
  },
  execute: async ({ values, io }: Context) => {
    const api = await requireApi(values)
    const all = flag(values, 'all')
    const list = await api.get<PeerAnswer[]>(all ? '/v1/peers?all=1' : '/v1/peers')
    if (flag(values, 'json')) {
      io.out(json(list))
    } else if (list.length === 0) {
      io.out(all ? 'no peers connected or remembered' : `no peers connected or seen in the last ${RECENT} (--all lists older ones)`)
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
