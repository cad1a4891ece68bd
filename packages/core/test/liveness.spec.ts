import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { LivenessMonitor } from '../src/discovery/liveness.js'
import type { LivenessComponents } from '../src/discovery/liveness.js'

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
