// What the catalog and compute protocol specs share: peers, a libp2p that only records handlers
// and hands out in-memory stream pairs, and how a stream ended. No sockets.
import { peerIdFromString } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import type { Connection, PeerId, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'

export const HOLDER = peerIdFromString('12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z')
export const STRANGER = peerIdFromString('12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz')
export const FRIEND = peerIdFromString('12D3KooWBWX4Ga8wr8APCbAuPhXnWeE22cqPSLsiYR59ZDQwGPdP')

/** A libp2p whose `handle` records the handler, and a stream opener whose `open` hands one end of a stream pair to `holder`. */
export function fakeLibp2p (holder?: (stream: Stream) => void) {
  const handlers = new Map<string, { handler: StreamHandler, options?: StreamHandlerOptions }>()
  return {
    handlers,
    dialed: [] as Array<{ peer: string, protocol: string }>,
    handle: async (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => { handlers.set(protocol, { handler, options }) },
    unhandle: async (protocol: string) => { handlers.delete(protocol) },
    /** The grid's stream opener: every stream is "direct". */
    async open (peer: PeerId, protocol: string): Promise<{ stream: Stream, via: 'direct' }> {
      this.dialed.push({ peer: peer.toString(), protocol })
      const [outbound, inbound] = await streamPair()
      holder?.(inbound)
      return { stream: outbound, via: 'direct' }
    }
  }
}

export function connectionFrom (peer: PeerId): Connection {
  return { remotePeer: peer } as unknown as Connection
}

/** How a stream ended, and how many bytes it received before. */
export async function ending (stream: Stream): Promise<{ error?: Error, received: number }> {
  let received = 0
  stream.addEventListener('message', evt => { received += evt.data.byteLength })
  return new Promise(resolve => {
    if (stream.status === 'reset' || stream.status === 'aborted') resolve({ error: new Error(`stream ${stream.status}`), received })
    stream.addEventListener('close', evt => { resolve({ ...(evt.error != null ? { error: evt.error } : {}), received }) }, { once: true })
  })
}
