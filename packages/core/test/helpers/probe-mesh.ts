// A few fake peers for the liveness monitor and the probe protocol: each has a libp2p that knows
// which peers it is connected to, how its pings of them go, what its address book holds, and
// opens in-memory stream pairs to the probe handlers of the others. No sockets.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { ProbeService } from '../../src/discovery/probe.js'
import { connectionFrom } from './protocol-harness.js'
import type { LivenessComponents } from '../../src/discovery/liveness.js'
import type { ProbeComponents } from '../../src/discovery/probe.js'
import type { AbortOptions, PeerId, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'

/** How a ping from one peer to another goes: answered, or never (a frozen peer: until the deadline). */
export type Link = 'answers' | 'silent'

export const NETWORK = 'lab'

export async function newPeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

export class MeshPeer {
  readonly id: PeerId
  readonly mesh: Mesh
  readonly handlers = new Map<string, { handler: StreamHandler, options?: StreamHandlerOptions }>()
  /** Peers it pinged, in order. */
  readonly pinged: PeerId[] = []
  /** Peers whose ping must fail at once as this node's own limit (too many outbound streams). */
  readonly ownLimit = new Set<string>()
  readonly hungUp: string[] = []
  /** Answers no probe request: opens the stream and never reads it. */
  mute = false
  service?: ProbeService
  private onConnect?: (evt: CustomEvent<PeerId>) => void

  constructor (mesh: Mesh, id: PeerId) {
    this.mesh = mesh
    this.id = id
    this.libp2p.peerId = id
  }

  /** The libp2p both the monitor and the probe service of this peer see. */
  readonly libp2p = {
    peerId: undefined as unknown as PeerId,
    handle: async (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => { this.handlers.set(protocol, { handler, ...(options != null ? { options } : {}) }) },
    unhandle: async (protocol: string) => { this.handlers.delete(protocol) },
    getPeers: () => this.mesh.linksOf(this.id),
    getConnections: (peer: PeerId) => this.mesh.link(this.id, peer) != null ? [connectionFrom(peer)] : [],
    hangUp: async (peer: PeerId) => { this.hungUp.push(peer.toString()) },
    addEventListener: (_: string, fn: (evt: CustomEvent<PeerId>) => void) => { this.onConnect = fn },
    removeEventListener: () => { this.onConnect = undefined },
    peerStore: {
      get: async (peer: PeerId) => {
        const other = this.mesh.find(peer)
        const known = this.mesh.link(this.id, peer) != null || this.mesh.addressBook(this.id).has(peer.toString())
        if (other == null || !known) throw Object.assign(new Error('not found'), { name: 'NotFoundError' })
        return { id: peer, protocols: [...other.handlers.keys()], addresses: this.mesh.addressBook(this.id).has(peer.toString()) ? [{ multiaddr: multiaddr('/ip4/127.0.0.1/tcp/1'), isCertified: false }] : [] }
      }
    },
    services: {
      ping: {
        ping: async (peer: PeerId, options: AbortOptions = {}): Promise<number> => {
          this.pinged.push(peer)
          if (this.ownLimit.has(peer.toString())) throw Object.assign(new Error('too many streams'), { name: 'TooManyOutboundProtocolStreamsError' })
          const link = this.mesh.link(this.id, peer) ?? (this.mesh.addressBook(this.id).has(peer.toString()) ? this.mesh.reachable(peer) : undefined)
          if (link == null) throw Object.assign(new Error('no route'), { name: 'NoValidAddressesError' })
          if (link === 'answers') return 1
          return new Promise((_resolve, reject) => {
            const signal = options.signal
            if (signal == null) return
            if (signal.aborted) { reject(signal.reason); return }
            signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
          })
        }
      }
    },
    dialProtocol: async (peer: PeerId, protocol: string): Promise<Stream> => {
      const other = this.mesh.find(peer)
      const registered = other?.handlers.get(protocol)
      if (other == null || registered == null) throw Object.assign(new Error(`${peer.toString()} does not speak ${protocol}`), { name: 'UnsupportedProtocolError' })
      const [outbound, inbound] = await streamPair()
      if (!other.mute) void Promise.resolve(registered.handler(inbound, connectionFrom(this.id)))
      return outbound
    }
  }

  /** A new connection from `peer`, as libp2p would announce it. */
  connect (peer: PeerId): void {
    this.onConnect?.(new CustomEvent('peer:connect', { detail: peer }))
  }

  /** Starts serving probes. */
  async serve (): Promise<ProbeService> {
    this.service = new ProbeService({ libp2p: this.libp2p as unknown as ProbeComponents['libp2p'], logger: defaultLogger() }, { network: NETWORK })
    await this.service.start()
    return this.service
  }

  livenessComponents (withProbe = true): LivenessComponents {
    return {
      libp2p: this.libp2p as unknown as LivenessComponents['libp2p'],
      logger: defaultLogger(),
      ...(withProbe && this.service != null ? { probe: this.service } : {})
    }
  }
}

/** Peers, who is connected to whom with which kind of ping, and who has whose address. */
export class Mesh {
  readonly peers: MeshPeer[] = []
  private readonly links = new Map<string, Map<string, Link>>()
  private readonly addresses = new Map<string, Set<string>>()
  /** How a peer answers a ping from someone who dials it (not connected, address known). */
  private readonly answers = new Map<string, Link>()

  static async of (count: number): Promise<Mesh> {
    const mesh = new Mesh()
    for (let i = 0; i < count; i++) await mesh.add()
    return mesh
  }

  /** One more peer, connected to nobody yet. */
  async add (): Promise<MeshPeer> {
    const peer = new MeshPeer(this, await newPeer())
    this.peers.push(peer)
    return peer
  }

  find (id: PeerId): MeshPeer | undefined { return this.peers.find(p => p.id.equals(id)) }

  /** Connects a and b; `link` is how a ping goes from either side. */
  connect (a: MeshPeer, b: MeshPeer, link: Link = 'answers'): void {
    this.set(a, b, link)
    this.set(b, a, link)
  }

  /** How pings from `from` to `to` go from now on (one direction). */
  set (from: MeshPeer, to: MeshPeer, link: Link): void {
    let m = this.links.get(from.id.toString())
    if (m == null) this.links.set(from.id.toString(), m = new Map())
    m.set(to.id.toString(), link)
  }

  /** `peer` freezes (SIGSTOP): connections stay open, pings of it from everyone go unanswered. */
  freeze (peer: MeshPeer): void {
    for (const m of this.links.values()) if (m.has(peer.id.toString())) m.set(peer.id.toString(), 'silent')
    this.answers.set(peer.id.toString(), 'silent')
  }

  /** `from` is not connected to `to` but has its address. */
  know (from: MeshPeer, to: MeshPeer): void {
    let s = this.addresses.get(from.id.toString())
    if (s == null) this.addresses.set(from.id.toString(), s = new Set())
    s.add(to.id.toString())
  }

  link (from: PeerId, to: PeerId): Link | undefined { return this.links.get(from.toString())?.get(to.toString()) }
  linksOf (from: PeerId): PeerId[] { return [...this.links.get(from.toString())?.keys() ?? []].map(k => this.peers.find(p => p.id.toString() === k)!.id) }
  addressBook (from: PeerId): Set<string> { return this.addresses.get(from.toString()) ?? new Set() }
  reachable (peer: PeerId): Link { return this.answers.get(peer.toString()) ?? 'answers' }
}
