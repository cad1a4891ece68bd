/**
 * `/grid/<network>/dialback/1.0.0` (src/network/dial-back.ts) over in-memory stream pairs, with a
 * fake connection manager that records what it dials: no sockets. The answering side refuses a
 * relayed connection, dials only addresses at the IP the request came from (never a third party,
 * never through a relay, only among the first 4 given), says whether the dial reached the asker,
 * turns BUSY past its rate limit and resets a stream carrying garbage while it goes on serving.
 * The asking side returns the answer and throws on a refusal. Real NATs: test/testnet-grid.spec.ts.
 */
import { defaultLogger } from '@libp2p/logger'
import { lpStream, pbStream, streamPair } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import * as c from '../src/constants.js'
import { DialBack } from '../src/network/dial-back.js'
import { PublicRanges } from '../src/network/public-ranges.js'
import { DialBackRequest, DialBackResponse, Status } from '../src/pb/grid.js'
import { ending, FRIEND, HOLDER, STRANGER } from './helpers/protocol-harness.js'
import type { DialBackComponents } from '../src/network/dial-back.js'
import type { Connection, PeerId, Stream, StreamHandler } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const ASKER = HOLDER
const ANSWERER = FRIEND
const RELAY = STRANGER
const ASKER_IP = '8.8.4.4'
const ma = (text: string): Multiaddr => multiaddr(text)
const log = defaultLogger().forComponent('grid:test:dial-back')
const PROTOCOL = c.dialBackProtocol('lab')

/** The asker's connection as the answering peer sees it. */
function inbound (remoteAddr: string, extra: Partial<Connection> = {}): Connection {
  return { remotePeer: ASKER, remoteAddr: ma(remoteAddr), direct: true, ...extra } as unknown as Connection
}
const DIRECT = inbound(`/ip4/${ASKER_IP}/tcp/50123`)

type Dial = (addr: Multiaddr) => Promise<PeerId>

/** An answering DialBack whose connection manager records each dial and answers it with `dial`. */
async function answering (dial: Dial = async () => ASKER, init: { lie?: boolean } = {}) {
  const handlers = new Map<string, { handler: StreamHandler, options: unknown }>()
  const dialed: Array<{ addr: string, force?: boolean }> = []
  const closed: string[] = []
  const components = {
    registrar: {
      handle: async (protocol: string, handler: StreamHandler, options: unknown) => { handlers.set(protocol, { handler, options }) },
      unhandle: async (protocol: string) => { handlers.delete(protocol) }
    },
    connectionManager: {
      openConnection: async (addr: Multiaddr, options: { force?: boolean } = {}) => {
        dialed.push({ addr: addr.toString(), ...(options.force != null ? { force: options.force } : {}) })
        const remotePeer = await dial(addr)
        return { remotePeer, close: async () => { closed.push(remotePeer.toString()) } }
      }
    }
  }
  const service = new DialBack(components as unknown as DialBackComponents, { network: 'lab', ranges: PublicRanges.internet, log, ...init })
  await service.start()
  /** A stream from the asker to the handler over `connection`; the test holds the asker's end. */
  const open = async (connection: Connection = DIRECT): Promise<Stream> => {
    const registered = handlers.get(PROTOCOL)
    if (registered == null) throw new Error('no dial-back handler registered')
    const [asker, answerer] = await streamPair()
    void registered.handler(answerer, connection)
    return asker
  }
  const request = async (addrs: string[], connection: Connection = DIRECT): Promise<DialBackResponse> => {
    const stream = await open(connection)
    const pb = pbStream(stream)
    await pb.write({ addrs: addrs.map(a => ma(a).bytes) }, DialBackRequest)
    const response = await pb.read(DialBackResponse)
    await stream.close()
    return response
  }
  return { service, handlers, dialed, closed, open, request }
}

const addrOf = (response: DialBackResponse): string | undefined => response.addr.byteLength > 0 ? multiaddr(response.addr).toString() : undefined

describe('dial-back: the answering peer', () => {
  it('registers /grid/<network>/dialback/1.0.0 on start and unregisters on stop', async () => {
    const { service, handlers } = await answering()
    expect([...handlers.keys()]).toEqual(['/grid/lab/dialback/1.0.0'])
    await service.stop()
    expect(handlers.size).toBe(0)
  })

  it('dials the asker at its own IP, says reached, and closes the connection again', async () => {
    const { request, dialed, closed } = await answering()
    const response = await request([`/ip4/${ASKER_IP}/tcp/7400`])
    expect(response).toMatchObject({ status: Status.OK, reached: true, message: 'reached' })
    expect(addrOf(response)).toBe(`/ip4/${ASKER_IP}/tcp/7400`)
    // a new connection to the asker's peer ID, not one it already has
    expect(dialed).toEqual([{ addr: `/ip4/${ASKER_IP}/tcp/7400/p2p/${ASKER.toString()}`, force: true }])
    expect(closed).toEqual([ASKER.toString()])
  })

  it('keeps a /p2p suffix the asker gave', async () => {
    const { request, dialed } = await answering()
    expect((await request([`/ip4/${ASKER_IP}/tcp/7401/ws/p2p/${ASKER.toString()}`])).reached).toBe(true)
    expect(dialed.map(d => d.addr)).toEqual([`/ip4/${ASKER_IP}/tcp/7401/ws/p2p/${ASKER.toString()}`])
  })

  it('refuses over a relayed connection with BAD_REQUEST, dialling nothing', async () => {
    const { request, dialed } = await answering()
    const viaRelay = inbound(`/ip4/1.1.1.1/tcp/7400/p2p/${RELAY.toString()}/p2p-circuit/p2p/${ASKER.toString()}`, { direct: false })
    const limited = inbound(`/ip4/${ASKER_IP}/tcp/50123`, { limits: { bytes: 1n << 17n, seconds: 120 }, direct: false })
    for (const connection of [viaRelay, limited]) {
      const response = await request([`/ip4/${ASKER_IP}/tcp/7400`, '/ip4/1.1.1.1/tcp/7400'], connection)
      expect(response).toMatchObject({ status: Status.BAD_REQUEST, reached: false, message: expect.stringMatching(/direct connection/) })
      expect(response.addr.byteLength).toBe(0)
    }
    expect(dialed).toEqual([])
  })

  it('never dials a third party nor a relayed address, even one through a relay at the asker\'s IP', async () => {
    const { request, dialed } = await answering()
    const response = await request([
      '/ip4/1.1.1.1/tcp/7400',
      `/ip4/${ASKER_IP}/tcp/7400/p2p/${RELAY.toString()}/p2p-circuit/p2p/${ASKER.toString()}`,
      '/dns4/grid.example.org/tcp/7400',
      '/ip6/2606:4700::1111/tcp/7400'
    ])
    expect(response).toMatchObject({ status: Status.OK, reached: false, message: `no address at ${ASKER_IP}, the address your request came from` })
    expect(response.addr.byteLength).toBe(0)
    expect(dialed).toEqual([])
  })

  it('picks the address at the asker\'s IP among third parties and relayed ones', async () => {
    const { request, dialed } = await answering()
    const response = await request([
      '/ip4/1.1.1.1/tcp/7400',
      `/ip4/${ASKER_IP}/tcp/7400/p2p/${RELAY.toString()}/p2p-circuit`,
      `/ip4/${ASKER_IP}/tcp/7401/ws`
    ])
    expect(response.reached).toBe(true)
    expect(addrOf(response)).toBe(`/ip4/${ASKER_IP}/tcp/7401/ws`)
    expect(dialed.map(d => d.addr)).toEqual([`/ip4/${ASKER_IP}/tcp/7401/ws/p2p/${ASKER.toString()}`])
  })

  it('answers an IPv6 asker at its IPv6 address only', async () => {
    const { request, dialed } = await answering()
    const v6 = inbound('/ip6/2606:4700::1111/tcp/50123')
    expect((await request([`/ip4/${ASKER_IP}/tcp/7400`, '/ip6/2606:4700::1111/tcp/7400'], v6)).reached).toBe(true)
    expect(dialed.map(d => d.addr)).toEqual([`/ip6/2606:4700::1111/tcp/7400/p2p/${ASKER.toString()}`])
  })

  it('looks at the first 4 addresses only, and tries at most 4', async () => {
    const { request, dialed } = await answering(async () => { throw new Error('connection refused') })
    // an eligible 5th address behind 4 ineligible ones is not looked at
    const late = await request(['/ip4/1.1.1.1/tcp/1', '/ip4/1.1.1.1/tcp/2', '/ip4/1.1.1.1/tcp/3', '/ip4/1.1.1.1/tcp/4', `/ip4/${ASKER_IP}/tcp/7400`])
    expect(late).toMatchObject({ status: Status.OK, reached: false, message: expect.stringContaining(`no address at ${ASKER_IP}`) })
    expect(dialed).toEqual([])
    // twenty at the asker's IP: at most 4 dials, all among the first 4 given
    const many = Array.from({ length: 20 }, (_, i) => `/ip4/${ASKER_IP}/tcp/${7400 + i}`)
    await request(many)
    expect(dialed.length).toBeGreaterThanOrEqual(1)
    expect(dialed.length).toBeLessThanOrEqual(c.DIAL_BACK_MAX_ADDRS)
    const allowed = many.slice(0, c.DIAL_BACK_MAX_ADDRS).map(a => `${a}/p2p/${ASKER.toString()}`)
    for (const { addr } of dialed) expect(allowed).toContain(addr)
  })

  it('tries the next address at the asker\'s IP when one fails: one closed listener does not make it look unreachable', async () => {
    const { request, dialed } = await answering(async addr => {
      if (addr.toString().includes('/tcp/7400/')) throw new Error('connection refused')
      return ASKER
    })
    const response = await request([`/ip4/${ASKER_IP}/tcp/7400`, `/ip4/${ASKER_IP}/tcp/7401/ws`])
    expect(response).toMatchObject({ status: Status.OK, reached: true })
    expect(addrOf(response)).toBe(`/ip4/${ASKER_IP}/tcp/7401/ws`)
    expect(dialed.map(d => d.addr)).toEqual([`/ip4/${ASKER_IP}/tcp/7400/p2p/${ASKER.toString()}`, `/ip4/${ASKER_IP}/tcp/7401/ws/p2p/${ASKER.toString()}`])
  })

  it('dials nothing when the asker\'s connection has no IP (a DNS or in-memory address): no third party by name', async () => {
    const { request, dialed } = await answering()
    for (const remote of ['/dns4/grid.example.org/tcp/7400', '/memory/abc']) {
      const response = await request(['/dns4/victim.example/tcp/80', '/ip4/8.8.4.4/tcp/2'], inbound(remote))
      expect(response).toMatchObject({ status: Status.OK, reached: false, message: expect.stringMatching(/only addresses at your IP/) })
    }
    expect(dialed).toEqual([])
  })

  it('answers not reached, naming the error, when the dial fails', async () => {
    const { request, closed } = await answering(async () => { throw new Error('connection refused') })
    const response = await request([`/ip4/${ASKER_IP}/tcp/7400`])
    expect(response).toMatchObject({ status: Status.OK, reached: false, message: 'dial failed: connection refused' })
    expect(addrOf(response)).toBe(`/ip4/${ASKER_IP}/tcp/7400`)
    expect(closed).toEqual([])
  })

  it('answers not reached when another peer answers at the address, and closes that connection', async () => {
    const { request, closed } = await answering(async () => RELAY)
    const response = await request([`/ip4/${ASKER_IP}/tcp/7400`])
    expect(response).toMatchObject({ status: Status.OK, reached: false, message: 'another peer answered there' })
    expect(closed).toEqual([RELAY.toString()])
  })

  it('with the lie fault, answers not reached without dialling', async () => {
    const { request, dialed } = await answering(undefined, { lie: true })
    expect(await request([`/ip4/${ASKER_IP}/tcp/7400`])).toMatchObject({ status: Status.OK, reached: false })
    expect(dialed).toEqual([])
  })

  it(`answers BUSY past ${c.DIAL_BACK_RATE.points} requests in ${c.DIAL_BACK_RATE.durationS} s, dialling nothing more`, async () => {
    const { request, dialed } = await answering()
    for (let i = 0; i < c.DIAL_BACK_RATE.points; i++) {
      expect((await request([`/ip4/${ASKER_IP}/tcp/7400`])).status).toBe(Status.OK)
    }
    const busy = await request([`/ip4/${ASKER_IP}/tcp/7400`])
    expect(busy).toMatchObject({ status: Status.BUSY, reached: false, message: expect.stringMatching(/too many dial-back requests.*ask another peer/) })
    expect(dialed).toHaveLength(c.DIAL_BACK_RATE.points)
  })

  it.each([
    ['a frame that does not decode', Uint8Array.from([0x0f, 0x01, 0x02, 0x03])],
    ['a truncated address field', Uint8Array.from([0x0a, 0x7f, 0x01])],
    ['a frame over the size limit', new Uint8Array(c.DIAL_BACK_MAX_MESSAGE_BYTES + 1).fill(0x0a)]
  ])('resets the stream on %s, dials nothing, and goes on serving', async (_what, frame) => {
    const { open, request, dialed } = await answering()
    const stream = await open()
    const ended = ending(stream)
    // the answerer may reset while we write or close
    await lpStream(stream).write(frame).catch(() => {})
    await stream.close().catch(() => {})
    const end = await ended
    expect(end.error).toBeDefined()
    expect(end.received).toBe(0)
    expect(stream.status).toBe('reset')
    expect(dialed).toEqual([])
    expect((await request([`/ip4/${ASKER_IP}/tcp/7400`])).reached).toBe(true)
  })

  it('resets the stream when the asker sends nothing and closes', async () => {
    const { open, request } = await answering()
    const stream = await open()
    const ended = ending(stream)
    await stream.close().catch(() => {})
    expect((await ended).received).toBe(0)
    expect((await request([`/ip4/${ASKER_IP}/tcp/7400`])).reached).toBe(true)
  })
})

/** The connection to the answering peer as the asker sees it: each new stream goes to `answer`. */
function outbound (answer: (stream: Stream) => Promise<void>): Connection & { protocols: string[] } {
  const protocols: string[] = []
  return {
    remotePeer: ANSWERER,
    remoteAddr: ma('/ip4/1.1.1.1/tcp/7400'),
    protocols,
    newStream: async (protocol: string) => {
      protocols.push(protocol)
      const [asker, answerer] = await streamPair()
      void answer(answerer).catch(err => { answerer.abort(err) })
      return asker
    }
  } as unknown as Connection & { protocols: string[] }
}

/** A scripted answering peer: records the addresses asked about and answers with `response`. */
function scripted (response: DialBackResponse): { asked: string[][], answer: (stream: Stream) => Promise<void> } {
  const asked: string[][] = []
  return {
    asked,
    answer: async (stream) => {
      const pb = pbStream(stream)
      const request = await pb.read(DialBackRequest)
      asked.push(request.addrs.map(b => multiaddr(b).toString()))
      await pb.write(response, DialBackResponse)
      await stream.close()
    }
  }
}

function asker (): DialBack {
  const components = { registrar: { handle: async () => {}, unhandle: async () => {} }, connectionManager: {} }
  return new DialBack(components as unknown as DialBackComponents, { network: 'lab', ranges: PublicRanges.internet, log })
}

describe('dial-back: the asking peer', () => {
  const first = ma(`/ip4/${ASKER_IP}/tcp/7400`)
  const mine = [first, ...Array.from({ length: 5 }, (_, i) => ma(`/ip4/${ASKER_IP}/tcp/${7401 + i}`))]

  it('sends at most 4 addresses on the grid\'s protocol and returns the parsed answer', async () => {
    const peer = scripted({ status: Status.OK, reached: true, addr: first.bytes, message: 'reached' })
    const conn = outbound(peer.answer)
    const answer = await asker().ask(conn, mine)
    expect(conn.protocols).toEqual([PROTOCOL])
    expect(peer.asked).toEqual([mine.slice(0, c.DIAL_BACK_MAX_ADDRS).map(String)])
    expect(answer.reached).toBe(true)
    expect(answer.message).toBe('reached')
    expect(answer.addr?.toString()).toBe(first.toString())
  })

  it('returns a not-reached answer without an address when none was eligible', async () => {
    const peer = scripted({ status: Status.OK, reached: false, addr: new Uint8Array(), message: 'no address at 1.2.3.4' })
    const answer = await asker().ask(outbound(peer.answer), mine)
    expect(answer).toEqual({ reached: false, message: 'no address at 1.2.3.4' })
  })

  it.each([
    [Status.BUSY, 'too many dial-back requests here right now; ask another peer'],
    [Status.BAD_REQUEST, 'ask over a direct connection']
  ])('throws on a refusal (status %s), naming the message', async (status, message) => {
    const peer = scripted({ status, reached: false, addr: new Uint8Array(), message })
    await expect(asker().ask(outbound(peer.answer), mine)).rejects.toThrow(`peer refused to dial back: ${message}`)
  })

  it('throws when the answering peer resets the stream', async () => {
    const conn = outbound(async (stream) => { stream.abort(new Error('go away')) })
    await expect(asker().ask(conn, mine)).rejects.toThrow()
  })

  it('throws when the caller aborts', async () => {
    const conn = outbound(async () => {})
    await expect(asker().ask(conn, mine, { signal: AbortSignal.abort() })).rejects.toThrow()
  })

  it('asks a real answering peer over a stream pair end to end', async () => {
    const peer = await answering()
    const registered = peer.handlers.get(PROTOCOL)
    if (registered == null) throw new Error('no dial-back handler registered')
    const conn = outbound(async (stream) => { void registered.handler(stream, DIRECT) })
    const answer = await asker().ask(conn, [ma('/ip4/1.1.1.1/tcp/7400'), ma(`/ip4/${ASKER_IP}/tcp/7400`)])
    expect(answer).toMatchObject({ reached: true, message: 'reached' })
    expect(answer.addr?.toString()).toBe(`/ip4/${ASKER_IP}/tcp/7400`)
    expect(peer.dialed.map(d => d.addr)).toEqual([`/ip4/${ASKER_IP}/tcp/7400/p2p/${ASKER.toString()}`])
  })
})
