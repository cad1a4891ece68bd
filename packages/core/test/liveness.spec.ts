import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { LivenessMonitor } from '../src/discovery/liveness.js'
import { Mesh } from './helpers/probe-mesh.js'
import type { LivenessComponents } from '../src/discovery/liveness.js'
import type { MeshPeer } from './helpers/probe-mesh.js'

const PEER = peerIdFromString('12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz')

function fake (): { answering: boolean, connected: boolean, pings: number, hangUps: number, connect: () => void, components: LivenessComponents } {
  let onConnect: ((evt: CustomEvent) => void) | undefined
  const f = {
    answering: true,
    connected: true,
    pings: 0,
    hangUps: 0,
    connect: () => { onConnect?.(new CustomEvent('peer:connect', { detail: PEER })) },
    components: {
      logger: defaultLogger(),
      libp2p: {
        getPeers: () => f.connected ? [PEER] : [],
        services: { ping: { ping: async () => { f.pings++; if (!f.answering) throw new Error('no answer'); return 1 } } },
        hangUp: async () => { f.hangUps++ },
        addEventListener: (_: string, fn: any) => { onConnect = fn },
        removeEventListener: () => { onConnect = undefined }
      } as unknown as LivenessComponents['libp2p']
    }
  }
  return f
}

describe('LivenessMonitor', () => {
  it('keeps last seen and round-trip time, marks a peer down after 3 misses, up again on connect', async () => {
    const f = fake()
    const monitor = new LivenessMonitor(f.components, { intervalMs: 60_000, timeoutMs: 100, misses: 3 })
    monitor.start()
    try {
      await monitor.tick()
      const seen = monitor.get(PEER)
      expect(seen).toMatchObject({ state: 'up', misses: 0 })
      expect(seen?.rttMs).toBeGreaterThanOrEqual(0)
      expect(seen?.lastSeen).toBeGreaterThan(0)

      f.answering = false
      f.connected = false
      await monitor.tick()
      await monitor.tick()
      expect(monitor.get(PEER)).toMatchObject({ state: 'up', misses: 2 })
      await monitor.tick()
      expect(monitor.get(PEER)).toMatchObject({ state: 'down', misses: 3, lastSeen: seen?.lastSeen })
      expect(f.hangUps).toBe(1)

      const pings = f.pings
      await monitor.tick()
      expect(f.pings).toBe(pings) // a down peer is not pinged again until it reconnects

      f.answering = true
      f.connect()
      expect(monitor.get(PEER)).toMatchObject({ state: 'up', misses: 0 })
      expect(monitor.snapshot().length).toBe(1)
    } finally {
      monitor.stop()
    }
  })
})

/**
 * With indirect probes (src/discovery/probe.ts): fake peers whose pings answer or go silent, and
 * whose probe handlers are reached over in-memory stream pairs. A: the monitor; S: the suspect;
 * H1, H2: other connected grid peers.
 */
describe('LivenessMonitor with indirect probes', () => {
  // a 500 ms timeout leaves helpers 150 ms to answer on a loaded test machine; 2 misses keep the
  // misses-rule cases short
  const TIMING = { intervalMs: 60_000, timeoutMs: 500, misses: 2 }

  async function grid (): Promise<{ mesh: Mesh, a: MeshPeer, s: MeshPeer, h1: MeshPeer, h2: MeshPeer, monitor: LivenessMonitor }> {
    const mesh = await Mesh.of(4)
    const [a, s, h1, h2] = mesh.peers as [MeshPeer, MeshPeer, MeshPeer, MeshPeer]
    for (const [x, y] of [[a, s], [a, h1], [a, h2], [s, h1], [s, h2], [h1, h2]] as const) mesh.connect(x, y)
    await Promise.all(mesh.peers.map(async p => p.serve()))
    const monitor = new LivenessMonitor(a.livenessComponents(), TIMING)
    return { mesh, a, s, h1, h2, monitor }
  }

  it('a missed ping that no helper can make up for either: down after one round, before the misses rule would', async () => {
    const { mesh, a, s, h1, h2, monitor } = await grid()
    await monitor.tick()
    expect(monitor.get(s.id)).toMatchObject({ state: 'up', misses: 0 })

    mesh.freeze(s)
    const started = Date.now()
    await monitor.tick()
    const took = Date.now() - started
    expect(monitor.get(s.id)).toMatchObject({ state: 'down', misses: 1 })
    expect(a.hungUp).toEqual([s.id.toString()])
    // both helpers tried S themselves, and stay up
    expect(h1.pinged.some(p => p.equals(s.id))).toBe(true)
    expect(h2.pinged.some(p => p.equals(s.id))).toBe(true)
    expect(monitor.get(h1.id)).toMatchObject({ state: 'up', misses: 0 })
    // the ping's timeout, then the probe (at most the timeout again)
    expect(took).toBeLessThan(2 * TIMING.timeoutMs + 200)
  })

  it('a missed ping that one helper makes up for (a bad path, not a dead peer): stays up, misses back to 0', async () => {
    const { mesh, a, s, h1, h2, monitor } = await grid()
    mesh.set(a, s, 'silent')
    mesh.set(h2, s, 'silent')
    for (let round = 0; round < TIMING.misses + 1; round++) {
      await monitor.tick()
      expect(monitor.get(s.id)).toMatchObject({ state: 'up', misses: 0 })
    }
    expect(a.hungUp).toEqual([])
    expect(h1.pinged.filter(p => p.equals(s.id)).length).toBe(TIMING.misses + 1)
  })

  it('no helper to ask (none speaks the protocol): the misses rule, as before', async () => {
    const { mesh, a, s, h1, h2 } = await grid()
    await h1.service?.stop()
    await h2.service?.stop()
    const monitor = new LivenessMonitor(a.livenessComponents(), TIMING)
    mesh.freeze(s)
    await monitor.tick()
    expect(monitor.get(s.id)).toMatchObject({ state: 'up', misses: 1 })
    await monitor.tick()
    expect(monitor.get(s.id)).toMatchObject({ state: 'down', misses: 2 })
    expect(h1.pinged.length + h2.pinged.length).toBe(0)
  })

  it('helpers that do not answer (mute, or refusing) decide nothing: the misses rule', async () => {
    const { mesh, s, h1, h2, monitor } = await grid()
    h1.mute = true
    h2.ownLimit.add(s.id.toString()) // answers BUSY: its own streams to S are used up
    mesh.freeze(s)
    await monitor.tick()
    expect(monitor.get(s.id)).toMatchObject({ state: 'up', misses: 1 })
    await monitor.tick()
    expect(monitor.get(s.id)).toMatchObject({ state: 'down', misses: 2 })
  })

  it('a miss timed while this node was stalled (its deadline fired late) is not counted when no helper could say', async () => {
    const mesh = await Mesh.of(2)
    const [a, s] = mesh.peers as [MeshPeer, MeshPeer]
    mesh.connect(a, s)
    a.libp2p.services.ping.ping = async () => {
      // the deadline fires 300 ms late, as in a process that was blocked meanwhile
      await new Promise(resolve => setTimeout(resolve, TIMING.timeoutMs + 300))
      throw new Error('The operation was aborted due to timeout')
    }
    const monitor = new LivenessMonitor(a.livenessComponents(false), TIMING)
    for (let round = 0; round < TIMING.misses; round++) await monitor.tick()
    expect(monitor.get(s.id)).toMatchObject({ state: 'up', misses: 0 })
  })

  it('a slow check of a dead peer does not hold back the next pings of the others, and is followed by another at once', async () => {
    const mesh = await Mesh.of(3)
    const [a, s, h] = mesh.peers as [MeshPeer, MeshPeer, MeshPeer]
    mesh.connect(a, s)
    mesh.connect(a, h)
    mesh.set(a, s, 'silent')
    const monitor = new LivenessMonitor(a.livenessComponents(false), { intervalMs: 100, timeoutMs: 400, misses: 1_000 })
    monitor.start()
    await new Promise(resolve => setTimeout(resolve, 1_000))
    monitor.stop()
    const pings = (peer: MeshPeer): number => a.pinged.filter(p => p.equals(peer.id)).length
    // H every interval (about 9 in 1 s after a random start); S once per 400 ms timeout, back to back
    expect(pings(h)).toBeGreaterThanOrEqual(5)
    expect(pings(s)).toBeGreaterThanOrEqual(2)
    expect(pings(s)).toBeLessThanOrEqual(3)
  })

  it('stops serving probes when stopped', async () => {
    const { a, monitor } = await grid()
    monitor.start()
    await new Promise(resolve => setTimeout(resolve, 10))
    expect([...a.handlers.keys()]).toEqual(['/grid/lab/probe/1.0.0'])
    monitor.stop()
    await new Promise(resolve => setTimeout(resolve, 10))
    expect([...a.handlers.keys()]).toEqual([])
  })
})
