import * as c from './constants.js'
import { EngineUnavailableError, InvalidIceServersError, InvalidLanSettingError, InvalidMultiaddrError, InvalidNetworkError, InvalidPublicRangeError, PlatformUnsupportedError, TlsConfigError } from './errors.js'
import { isEngineChoice } from './compute/engine.js'
import { parseMultiaddr } from './network/addresses.js'
import { PublicRanges } from './network/public-ranges.js'
import { defaultListen, jobEngines, relayByDefault } from '#platform'
import type { EngineChoice } from './compute/engine.js'
import type { GridNodeInit } from './index.js'
import type { LanSetting } from './network/address-policy.js'
import type { RelayInit } from './network/libp2p-options.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface Validated {
  network: string
  listen: string[]
  bootstrap: Multiaddr[]
  relay: RelayInit | false
  lan: LanSetting
  ranges: PublicRanges
  /** The engine jobs run on when they do not name one. */
  engine: EngineChoice
}

/** Checks everything a person typed before anything touches the data dir. */
export function validateInit (init: GridNodeInit): Validated {
  const network = init.network ?? c.DEFAULT_NETWORK
  if (!c.NETWORK_NAME_PATTERN.test(network)) throw new InvalidNetworkError(network)
  const listen = (init.listen ?? defaultListenFor(init)).map(a => parseMultiaddr('listen address', a).toString())
  const bootstrap = (init.bootstrap ?? []).map(a => parseMultiaddr('bootstrap address', a))
  const lan = init.lan ?? 'auto'
  if (lan !== true && lan !== false && lan !== 'auto') throw new InvalidLanSettingError(lan)
  if (init.publicRanges != null && !Array.isArray(init.publicRanges)) throw new InvalidPublicRangeError(init.publicRanges)
  const ranges = new PublicRanges(init.publicRanges ?? [])
  const secure = listen.filter(a => /\/(tls\/ws|wss)(\/|$)/.test(a))
  if (secure.length > 0 && init.tls == null) throw new TlsConfigError(`listening on ${secure.join(', ')} needs a TLS certificate and key (--tls-cert and --tls-key)`)
  if (init.tls != null && (typeof init.tls.cert !== 'string' || typeof init.tls.key !== 'string' || !init.tls.cert.includes('-----BEGIN') || !init.tls.key.includes('-----BEGIN'))) {
    throw new TlsConfigError('the TLS certificate and key must be PEM text (files starting with "-----BEGIN")')
  }
  if (init.relay != null && init.relay !== false && !relayByDefault) throw new PlatformUnsupportedError('serving as a circuit relay')
  const relay = init.relay === false || (init.relay == null && !relayByDefault) ? false : (init.relay === true || init.relay == null ? {} : init.relay)
  const engine = init.compute?.engine ?? 'auto'
  // 'v8' in a tab is refused here, not at the first job
  if (!isEngineChoice(engine) || (engine !== 'auto' && !jobEngines().includes(engine))) throw new EngineUnavailableError(String(engine), jobEngines())
  checkIceServers(init.iceServers)
  const webrtcListen = listen.find(a => a.split('/').includes('webrtc'))
  if (init.webrtc === false && webrtcListen != null) throw new InvalidMultiaddrError('listen address', webrtcListen, 'WebRTC is off (webrtc: false); drop this address or turn WebRTC on')
  return { network, listen, bootstrap, relay, lan, ranges, engine }
}

/** At most a few STUN/TURN servers, each with stun:, stuns:, turn: or turns: URLs and string credentials. */
function checkIceServers (servers: unknown): void {
  if (servers == null) return
  if (!Array.isArray(servers) || servers.length > c.MAX_ICE_SERVERS) throw new InvalidIceServersError('not a list of servers, or too many', c.MAX_ICE_SERVERS)
  for (const server of servers as unknown[]) {
    const { urls, username, credential } = (server ?? {}) as Record<string, unknown>
    const list = typeof urls === 'string' ? [urls] : urls
    if (!Array.isArray(list) || list.length === 0 || list.length > c.MAX_ICE_SERVERS || !list.every(u => typeof u === 'string' && /^(stuns?|turns?):[^\s]{1,250}$/.test(u))) {
      throw new InvalidIceServersError(`${JSON.stringify(urls)?.slice(0, 80)} is not a STUN/TURN URL`, c.MAX_ICE_SERVERS)
    }
    if ((username != null && typeof username !== 'string') || (credential != null && typeof credential !== 'string')) throw new InvalidIceServersError('username and credential must be text', c.MAX_ICE_SERVERS)
  }
}

/** The platform's listeners (without WebRTC's when it is off), plus secure WebSockets when a certificate is given. */
function defaultListenFor (init: GridNodeInit): string[] {
  const listen = init.webrtc === false ? defaultListen.filter(a => a !== '/webrtc') : defaultListen
  return init.tls != null ? [...listen, c.DEFAULT_SECURE_WEBSOCKETS_LISTEN] : listen
}
