/**
 * Streams of the grid's protocols on the best connection to a peer: a direct one when there is
 * one; otherwise the relayed one, while a hole punch tries for a direct path. A job waits a
 * little for that punch (its data is worth a direct path), a catalog question does not.
 */
import { anySignal } from 'any-signal'
import type { GridServices } from './libp2p-options.js'
import type { AbortOptions, Libp2p, PeerId, Stream } from '@libp2p/interface'

/** How a stream reached its peer: on a direct connection, or through a relay. */
export type StreamPath = 'direct' | 'relay'

export interface OpenStreamOptions extends AbortOptions {
  /** On a relayed connection, wait this long for a hole punch before using the relay. @default 0 */
  waitForDirectMs?: number
}

export interface StreamOpener {
  open(peer: PeerId, protocol: string, options?: OpenStreamOptions): Promise<{ stream: Stream, via: StreamPath }>
}

export class GridStreams implements StreamOpener {
  private readonly libp2p: Pick<Libp2p<GridServices>, 'dial' | 'services'>

  constructor (libp2p: Pick<Libp2p<GridServices>, 'dial' | 'services'>) {
    this.libp2p = libp2p
  }

  async open (peer: PeerId, protocol: string, options: OpenStreamOptions = {}): Promise<{ stream: Stream, via: StreamPath }> {
    let connection = await this.libp2p.dial(peer, options)
    if (!connection.direct) {
      const wait = options.waitForDirectMs ?? 0
      const punched = this.libp2p.services.punch.direct(peer, wait > 0 ? { signal: anySignal([options.signal, AbortSignal.timeout(wait)]) } : {})
      if (wait > 0) connection = (await punched) ?? connection
    }
    const stream = await connection.newStream(protocol, { ...options, runOnLimitedConnection: true })
    return { stream, via: connection.direct ? 'direct' : 'relay' }
  }
}
