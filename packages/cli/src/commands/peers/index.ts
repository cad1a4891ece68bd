import { API_OPTION, requireApi } from '../../api/client.js'
import { DATA_DIR_OPTION } from '../../data-dir.js'
import { json, table } from '../../format.js'
import { flag } from '../../options.js'
import type { Command, Context } from '../../options.js'

interface PeerRow { peerId: string, addr: string, direction: string, rttMs: number | null }

export const peers: Command = {
  name: 'peers',
  summary: 'List the peers the running node is connected to, with address, direction and round-trip time.',
  options: {
    'data-dir': DATA_DIR_OPTION,
    api: API_OPTION,
    json: { type: 'boolean', description: 'print a JSON array' }
  },
  run: async ({ values, io }: Context) => {
    const api = await requireApi(values)
    const list = await api.get<PeerRow[]>('/v1/peers')
    if (flag(values, 'json')) {
      io.out(json(list))
    } else if (list.length === 0) {
      io.out('no peers connected')
    } else {
      io.out(table(['PEER', 'DIRECTION', 'RTT', 'ADDRESS'], list.map(p => [
        p.peerId, p.direction, p.rttMs == null ? '-' : `${p.rttMs < 10 ? p.rttMs.toFixed(1) : Math.round(p.rttMs)} ms`, p.addr
      ])))
    }
    return 0
  }
}
