// A site router's iptables rules, fed to iptables-restore: NAT on the WAN side, and a stateful
// firewall that silently drops whatever the WAN sends unasked, as a home router does.
import type { NatKind } from './topology.ts'

export const WAN = 'wan'
export const LAN = 'lan'

/**
 * `eim`: MASQUERADE keeps the source port unless another mapping holds it, whatever the
 * destination, so the external port is endpoint-independent. `symmetric`: --random-fully draws a
 * new external port for every connection.
 *
 * Filtering is the same for both: only packets conntrack matches to a connection the site opened
 * come in. A SYN from the peer a site host is dialling at the same moment matches that
 * connection's reply tuple, which is what lets simultaneous open punch through an `eim` NAT.
 * Everything else is dropped, not rejected, so a prober sees a timeout, as on the internet.
 */
export function routerRules (nat: NatKind): string {
  const masquerade = nat === 'symmetric' ? 'MASQUERADE --random-fully' : 'MASQUERADE'
  return [
    '*nat',
    `-A POSTROUTING -o ${WAN} -j ${masquerade}`,
    'COMMIT',
    '*filter',
    `-A INPUT -i ${WAN} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
    `-A INPUT -i ${WAN} -j DROP`,
    `-A FORWARD -i ${WAN} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
    `-A FORWARD -i ${WAN} -j DROP`,
    'COMMIT',
    ''
  ].join('\n')
}
