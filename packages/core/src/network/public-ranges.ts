/**
 * Which IP addresses count as the grid's public side. By default the internet's: every address
 * outside the private, loopback, link-local and reserved ranges. An organisation whose WAN is
 * `10.0.0.0/8`, with its sites behind NAT inside it, declares that range public: addresses in
 * it are then announced, kept in the DHT, verified for reachability and dialled for hole
 * punching like internet addresses, while the sites' own LAN addresses stay private.
 */
import { IpNet } from '@chainsafe/netmask'
import { isPrivateIp } from '@libp2p/utils'
import { InvalidPublicRangeError } from '../errors.js'

export type IpScope = 'loopback' | 'private' | 'public'

export class PublicRanges {
  static readonly internet = new PublicRanges([])

  /** The ranges as given, normalised (`10.0.0.0/8`). */
  readonly ranges: string[]
  private readonly nets: IpNet[]

  /** @throws InvalidPublicRangeError for anything that is not an IPv4 or IPv6 CIDR block */
  constructor (ranges: string[]) {
    this.nets = ranges.map(parseRange)
    this.ranges = this.nets.map(n => n.toString())
  }

  scopeOf (ip: string): IpScope {
    if (ip.startsWith('127.') || ip === '::1') return 'loopback'
    if (this.nets.some(n => contains(n, ip))) return 'public'
    return isPrivateIp(ip) === true ? 'private' : 'public'
  }
}

function parseRange (range: unknown): IpNet {
  if (typeof range !== 'string' || !/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(range.trim())) throw new InvalidPublicRangeError(range)
  try {
    return new IpNet(range.trim())
  } catch {
    throw new InvalidPublicRangeError(range)
  }
}

function contains (net: IpNet, ip: string): boolean {
  try {
    return net.contains(ip)
  } catch {
    return false
  }
}
