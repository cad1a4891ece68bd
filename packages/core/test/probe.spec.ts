/**
 * `/grid/<network>/probe/1.0.0` (src/discovery/probe.ts) over in-memory stream pairs between fake
 * peers (test/helpers/probe-mesh.ts): no sockets. The prober pings the named peer by its ID, over
 * a connection or from its own address book, and says whether it answered; it never tries a peer
 * it has no way to, refuses bytes that are not a peer ID, itself and the asker, resets a stream
 * carrying garbage, an oversized frame or nothing at all, turns BUSY past its rate limits, and
 * shares one ping among concurrent probes of a peer. The asker takes one helper reaching the
 * suspect as alive, helpers that all tried and failed as down, and anything else as unknown.
 * Real nodes: test/liveness.spec.ts.
 */
import { lpStream, pbStream, streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import * as c from '../src/constants.js'
import { ProbeRequest, ProbeResponse, Status } from '../src/pb/grid.js'
import { Mesh, newPeer } from './helpers/probe-mesh.js'
import { connectionFrom, ending } from './helpers/protocol-harness.js'
import type { MeshPeer } from './helpers/probe-mesh.js'
import type { PeerId, Stream } from '@libp2p/interface'

const PROTOCOL = c.probeProtocol('lab')
const { Outcome } = ProbeResponse

/** P serves probes; S is connected to it; the asker is a stranger, as any peer may be. */
async function prober (): Promise<{ mesh: Mesh, p: MeshPeer, s: MeshPeer, open: (from?: PeerId) => Promise<Stream> }> {
  const mesh = await Mesh.of(2)
  const [p, s] = mesh.peers as [MeshPeer, MeshPeer]
  mesh.connect(p, s)
  await p.serve()
  const stranger = await newPeer()
  const open = async (from: PeerId = stranger): Promise<Stream> => {
    const [requester, served] = await streamPair()
    void Promise.resolve(p.handlers.get(PROTOCOL)!.handler(served, connectionFrom(from)))
    return requester
  }
  return { mesh, p, s, open }
}

async function ask (requester: Stream, request: Partial<ProbeRequest>): Promise<ProbeResponse> {
  const pb = pbStream(requester)
  await pb.write({ peer: new Uint8Array(), timeoutMs: 0, ...request }, ProbeRequest)
  const response = await pb.read(ProbeResponse)
  await requester.close()
  return response
}

const about = (peer: PeerId, timeoutMs = 0): Partial<ProbeRequest> => ({ peer: peer.toMultihash().bytes, timeoutMs })

describe('probe protocol: the prober', () => {
  it('registers /grid/<network>/probe/1.0.0 with a per-connection stream cap, on relayed connections too, and unregisters on stop', async () => {
    const { p } = await prober()
    expect(p.handlers.get(PROTOCOL)?.options).toMatchObject({ maxInboundStreams: c.PROBE_MAX_STREAMS, maxOutboundStreams: c.PROBE_MAX_STREAMS, runOnLimitedConnection: true })
    await p.service?.stop()
    expect(p.handlers.size).toBe(0)
  })

  it('pings a connected peer by its ID and says whether it answered', async () => {
    const { mesh, p, s, open } = await prober()
    expect(await ask(await open(), about(s.id))).toMatchObject({ status: Status.OK, outcome: Outcome.REACHED, rttMs: 1 })
    mesh.freeze(s)
    const started = Date.now()
    // a timeout below the floor is raised to PROBE_MIN_TIMEOUT: too short a try proves nothing
    expect(await ask(await open(), about(s.id, 1))).toMatchObject({ status: Status.OK, outcome: Outcome.UNREACHED })
    expect(Date.now() - started).toBeGreaterThanOrEqual(c.PROBE_MIN_TIMEOUT - 5)
    expect(p.pinged.every(x => x.equals(s.id))).toBe(true)
  })

  it('tries a peer it is not connected to only from its own address book, and never without one', async () => {
    const { mesh, p, open } = await prober()
    const known = await mesh.add()
    const unknown = await mesh.add()
    mesh.know(p, known)
    expect(await ask(await open(), about(known.id))).toMatchObject({ status: Status.OK, outcome: Outcome.REACHED })
    expect(await ask(await open(), about(unknown.id))).toMatchObject({ status: Status.OK, outcome: Outcome.NOT_TRIED, message: expect.stringMatching(/no address/) })
    // one ping, of the known peer, by its ID: no address from the asker, no routing lookup
    expect(p.pinged.map(String)).toEqual([known.id.toString()])
  })

  it('refuses bytes that are not a peer ID, itself and the asker (BAD_REQUEST), pinging nobody', async () => {
    const { p, open } = await prober()
    const asker = await newPeer()
    for (const request of [{ peer: new Uint8Array([1, 2, 3]) }, {}, about(p.id), about(asker)]) {
      expect(await ask(await open(asker), request)).toMatchObject({ status: Status.BAD_REQUEST, outcome: Outcome.NOT_TRIED })
    }
    expect(p.pinged).toEqual([])
  })

  it('resets a stream carrying garbage, an oversized frame or nothing, and goes on serving', async () => {
    const { p, s, open } = await prober()
    const garbage = await open()
    void lpStream(garbage).write(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]))
    expect((await ending(garbage)).error).toBeDefined()

    const oversized = await open()
    void lpStream(oversized).write(new Uint8Array(c.PROBE_MAX_REQUEST_BYTES + 1))
    expect((await ending(oversized)).error).toBeDefined()

    const silent = await open()
    const started = Date.now()
    expect((await ending(silent)).error).toBeDefined()
    expect(Date.now() - started).toBeGreaterThanOrEqual(c.PROBE_READ_TIMEOUT - 50)

    expect(p.pinged).toEqual([])
    expect(await ask(await open(), about(s.id))).toMatchObject({ outcome: Outcome.REACHED })
  })

  it(`serves ${c.PROBE_RATE_PER_PEER.points} probes per asker and ${c.PROBE_RATE.points} in all per ${c.PROBE_RATE.durationS} s, then BUSY`, async () => {
    const { p, s, open } = await prober()
    const greedy = await newPeer()
    const outcomes = async (from: PeerId, n: number): Promise<Status[]> => Promise.all(Array.from({ length: n }, async () => (await ask(await open(from), about(s.id))).status))
    const first = await outcomes(greedy, c.PROBE_RATE_PER_PEER.points + 4)
    expect(first.filter(x => x === Status.OK).length).toBe(c.PROBE_RATE_PER_PEER.points)
    expect(first.filter(x => x === Status.BUSY).length).toBe(4)

    // others still get their share, until the global budget is spent
    const others = await Promise.all(Array.from({ length: c.PROBE_RATE.points / c.PROBE_RATE_PER_PEER.points }, async () => newPeer()))
    const rest = (await Promise.all(others.map(async o => outcomes(o, c.PROBE_RATE_PER_PEER.points)))).flat()
    expect(rest.filter(x => x === Status.OK).length).toBe(c.PROBE_RATE.points - c.PROBE_RATE_PER_PEER.points)
    const busy = await ask(await open(await newPeer()), about(s.id))
    expect(busy).toMatchObject({ status: Status.BUSY, message: expect.stringMatching(/too many probe requests/) })
    expect(p.pinged.length).toBeLessThanOrEqual(c.PROBE_RATE.points)
  })

  it('shares one ping among concurrent probes of the same peer, and says BUSY when its own streams to it are used up', async () => {
    const { mesh, p, s, open } = await prober()
    mesh.freeze(s)
    const answers = await Promise.all([0, 1, 2].map(async () => ask(await open(await newPeer()), about(s.id, 150))))
    expect(answers.map(a => a.outcome)).toEqual([Outcome.UNREACHED, Outcome.UNREACHED, Outcome.UNREACHED])
    expect(p.pinged.length).toBe(1)

    p.ownLimit.add(s.id.toString())
    expect(await ask(await open(), about(s.id))).toMatchObject({ status: Status.BUSY, outcome: Outcome.NOT_TRIED })
  })
})

describe('probe protocol: the asker', () => {
  /** A asks about S; H1..H4 are connected to both and serve probes. */
  async function asker (): Promise<{ mesh: Mesh, a: MeshPeer, s: MeshPeer, helpers: MeshPeer[] }> {
    const mesh = await Mesh.of(6)
    const [a, s, ...helpers] = mesh.peers as [MeshPeer, MeshPeer, ...MeshPeer[]]
    for (const h of helpers) { mesh.connect(a, h); mesh.connect(s, h) }
    mesh.connect(a, s)
    await Promise.all(mesh.peers.map(async x => x.serve()))
    return { mesh, a, s, helpers }
  }
  const candidates = (a: MeshPeer): PeerId[] => a.libp2p.getPeers()

  it('asks at most 3 helpers, never the suspect itself, and takes one reaching it as alive without waiting for the rest', async () => {
    const { a, s, helpers } = await asker()
    await a.service!.probe(s.id, candidates(a), { timeoutMs: 300 })
    expect(helpers.filter(h => h.pinged.length > 0).length).toBe(c.PROBE_HELPERS)
    expect(s.pinged).toEqual([])
  })

  it('takes one helper reaching the suspect as alive without waiting for the rest', async () => {
    const { a, s, helpers } = await asker()
    // three candidates, so all are asked: one never answers, and need not be waited for
    helpers[3]!.mute = true
    const three = [helpers[0]!.id, helpers[1]!.id, helpers[3]!.id]
    const started = Date.now()
    const verdict = await a.service!.probe(s.id, three, { timeoutMs: 2_000 })
    expect(verdict).toBe('alive')
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('down when every helper tried and none reached it; unknown when none could say', async () => {
    const { mesh, a, s, helpers } = await asker()
    mesh.freeze(s)
    expect(await a.service!.probe(s.id, candidates(a), { timeoutMs: 300 })).toBe('down')

    for (const h of helpers) h.mute = true
    const started = Date.now()
    expect(await a.service!.probe(s.id, candidates(a), { timeoutMs: 300 })).toBe('unknown')
    // every wait ends: the whole probe within its deadline
    expect(Date.now() - started).toBeLessThan(600)

    expect(await a.service!.probe(s.id, [s.id], { timeoutMs: 300 })).toBe('unknown')
  })

  it('one helper reaching it outweighs others that could not', async () => {
    const { mesh, a, s, helpers } = await asker()
    mesh.freeze(s)
    for (const h of helpers) mesh.set(h, s, 'answers')
    mesh.set(helpers[0]!, s, 'silent')
    mesh.set(helpers[1]!, s, 'silent')
    // three of four are asked: at least one of them reaches S
    expect(await a.service!.probe(s.id, candidates(a), { timeoutMs: 300 })).toBe('alive')
  })
})
