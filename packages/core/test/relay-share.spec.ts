/**
 * RelayShare (src/network/relay-share.ts): a relay refuses a new reservation once it holds its
 * fair share of what its connected peers need, so nodes behind NAT spread over the public side
 * instead of all sitting on the bootstrap nodes; a refresh is never refused, nor anything in a
 * small grid.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import * as c from '../src/constants.js'
import { PeerRoles } from '../src/network/peer-roles.js'
import { RelayShare } from '../src/network/relay-share.js'
import type { PeerId } from '@libp2p/interface'

const KAD = c.kadProtocol('main')

async function peers (n: number): Promise<PeerId[]> {
  return Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
}

/** A relay's view: identify of its connected peers, and the reservations it holds. */
function relay (): { share: RelayShare, held: Set<string>, identify: (peer: PeerId, protocols: string[]) => void, disconnect: (peer: PeerId) => void } {
  const events = new EventTarget()
  const held = new Set<string>()
  const roles = new PeerRoles(KAD)
  roles.attach({ addEventListener: events.addEventListener.bind(events) as any })
  const share = new RelayShare(roles)
  share.attach(() => ({ size: held.size, has: (peer: PeerId) => held.has(peer.toString()) }))
  return {
    share,
    held,
    identify: (peerId, protocols) => { events.dispatchEvent(new CustomEvent('peer:identify', { detail: { peerId, protocols } })) },
    disconnect: peer => { events.dispatchEvent(new CustomEvent('peer:disconnect', { detail: peer })) }
  }
}

describe('a relay\'s fair share', () => {
  it('a lone public node relays for everyone up to its hard cap: alone, its share is all the reservations its peers need', async () => {
    const r = relay()
    const natted = await peers(100)
    for (const p of natted) r.identify(p, ['/ipfs/id/1.0.0', c.RELAY_HOP_PROTOCOL])
    // 100 peers behind NAT need 200 reservations, one relay: more than the hard cap allows anyway
    expect(r.share.limit()).toBeGreaterThanOrEqual(c.RELAY_MAX_RESERVATIONS)
    for (const p of natted.slice(0, 99)) r.held.add(p.toString())
    expect(r.share.denies(natted[99]!)).toBe(false)
  })

  it('with other public relays connected, a new reservation past 1.5 × its share is refused, a refresh never', async () => {
    const r = relay()
    const relays = await peers(9)
    const natted = await peers(90)
    for (const p of relays) r.identify(p, [KAD, c.RELAY_HOP_PROTOCOL])
    for (const p of natted) r.identify(p, [c.RELAY_HOP_PROTOCOL])
    // 90 × 2 reservations over 10 relays: 18 each, 27 with the slack
    expect(r.share.limit()).toBe(27)
    for (const p of natted.slice(0, 27)) r.held.add(p.toString())
    expect(r.share.denies(natted[27]!)).toBe(true)
    expect(r.share.denies(natted[0]!)).toBe(false)
    r.held.delete(natted[0]!.toString())
    expect(r.share.denies(natted[27]!)).toBe(false)
  })

  it('never refuses below the minimum (a small grid, a few tabs)', async () => {
    const r = relay()
    const relays = await peers(20)
    const natted = await peers(4)
    for (const p of relays) r.identify(p, [KAD, c.RELAY_HOP_PROTOCOL])
    for (const p of natted) r.identify(p, [])
    expect(r.share.limit()).toBe(c.RELAY_SHARE_MIN)
    const many = await peers(c.RELAY_SHARE_MIN)
    for (const p of many.slice(0, -1)) r.held.add(p.toString())
    expect(r.share.denies(many.at(-1)!)).toBe(false)
  })

  it('counts only peers still connected, and public peers that do not relay do not share the load', async () => {
    const r = relay()
    const relays = await peers(3)
    const servers = await peers(5)
    const natted = await peers(60)
    for (const p of relays) r.identify(p, [KAD, c.RELAY_HOP_PROTOCOL])
    for (const p of servers) r.identify(p, [KAD])
    for (const p of natted) r.identify(p, [])
    // 120 reservations over 4 relays: 30 each, 45 with the slack
    expect(r.share.limit()).toBe(45)
    for (const p of natted.slice(0, 30)) r.disconnect(p)
    expect(r.share.limit()).toBe(Math.ceil(1.5 * 2 * 30 / 4))
    r.identify(relays[0]!, [KAD])
    expect(r.share.limit()).toBe(Math.ceil(1.5 * 2 * 30 / 3))
  })

  it('refuses nothing before the relay server exists', async () => {
    const share = new RelayShare(new PeerRoles(KAD))
    const [p] = await peers(1)
    expect(share.denies(p!)).toBe(false)
  })
})
