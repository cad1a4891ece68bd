// A peer that speaks the grid's compute protocol as a hostile holder would: it reads the job,
// says `accepted` (or also `started`), then never says anything again.
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { JobEvent, Status } from '../../packages/core/src/pb/grid.ts'
import type { Libp2p, Stream } from '@libp2p/interface'

export interface SilentHolder { node: Libp2p, requests: number, stop: () => Promise<void> }

/** `lastWord`: the last event it sends before falling silent. */
export async function startSilentHolder (lastWord: 'accepted' | 'started', network = 'main'): Promise<SilentHolder> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  const held: Stream[] = []
  const holder: SilentHolder = {
    node,
    requests: 0,
    stop: async () => {
      for (const s of held) s.abort(new Error('test over'))
      await node.stop()
    }
  }
  await node.handle(`/grid/${network}/compute/1.0.0`, async (stream) => {
    held.push(stream)
    // the job request: any bytes will do, it is never read
    for await (const chunk of stream) { if (chunk.byteLength > 0) break }
    holder.requests++
    const base = { queuePosition: 0, json: '', text: '', status: Status.OK, failure: '' }
    const frame = (type: JobEvent.Type): Uint8Array => {
      const body = JobEvent.encode({ ...base, type })
      const prefix = varint(body.byteLength)
      const out = new Uint8Array(prefix.byteLength + body.byteLength)
      out.set(prefix)
      out.set(body, prefix.byteLength)
      return out
    }
    stream.send(frame(JobEvent.Type.ACCEPTED))
    if (lastWord === 'started') stream.send(frame(JobEvent.Type.STARTED))
    // and then nothing, ever
  })
  return holder
}

/** A protobuf varint, as the length prefix of a frame. */
function varint (value: number): Uint8Array {
  const bytes: number[] = []
  for (; value >= 0x80; value >>>= 7) bytes.push((value & 0x7f) | 0x80)
  bytes.push(value)
  return Uint8Array.from(bytes)
}
