import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGridNode } from '../src/index.js'
import type { GridNode } from '../src/index.js'

/** Sends raw bytes on a catalog stream and reports how the stream ended. */
async function sendRaw (from: GridNode, to: GridNode, bytes: Uint8Array): Promise<{ received: number, error?: string }> {
  const stream = await from.libp2p.dialProtocol(to.peerId, '/grid/main/catalog/1.0.0')
  stream.send(bytes)
  let received = 0
  try {
    for await (const chunk of stream) received += chunk.byteLength
    return { received }
  } catch (err: any) {
    return { received, error: err.name }
  }
}

describe('the catalog protocol', () => {
  const dirs: string[] = []
  let holder: GridNode
  let asker: GridNode

  beforeAll(async () => {
    const make = async (bootstrap: string[]): Promise<GridNode> => {
      const dataDir = await mkdtemp(join(tmpdir(), 'grid-catalog-'))
      dirs.push(dataDir)
      return createGridNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, lan: true })
    }
    holder = await make([])
    asker = await make([holder.shareableAddrs()[0]!.toString()])
    await asker.whenReady()
    await holder.datasets.add({ name: 'open', rows: [{ a: 1 }], tags: ['#x'] })
    await holder.datasets.add({ name: 'closed', rows: [{ a: 2 }], tags: ['#x'], private: true })
    await holder.datasets.add({ name: 'shared', rows: [{ a: 3 }], tags: ['#x'], allow: [asker.peerId.toString()] })
  })

  afterAll(async () => {
    await Promise.all([holder.stop(), asker.stop()])
    await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true })))
  })

  it('describes public datasets and the private ones shared with the asker, never rows', async () => {
    const [result] = await asker.searchAll(['#x'], { cache: false })
    expect(result?.peerId.equals(holder.peerId)).toBe(true)
    expect(result?.datasets.map(d => d.name).sort()).toEqual(['open', 'shared'])
    expect(JSON.stringify(result)).not.toContain('"a":1')
  })

  it('resets a stream whose frame is too large or does not decode, and keeps serving', async () => {
    const oversized = await sendRaw(asker, holder, new Uint8Array([0x80, 0x80, 0x80, 0x01])) // varint length 2 MiB
    expect(oversized.received).toBe(0)
    expect(oversized.error).toBeDefined()
    const garbage = await sendRaw(asker, holder, new Uint8Array([3, 0xff, 0xff, 0xff]))
    expect(garbage.received).toBe(0)
    expect(garbage.error).toBeDefined()
    expect((await asker.searchAll(['#x'], { cache: false })).length).toBe(1)
  })
})
