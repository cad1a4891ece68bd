import * as c from '../constants.js'
import type { GossipsubOpts, StrictSign } from '@libp2p/gossipsub'

// gossipsub's constant by value, not imported: a value import would put gossipsub's code in a
// page's first chunk (see lazy-gossipsub.ts)
const STRICT_SIGN: typeof StrictSign = 'StrictSign'

/**
 * Gossipsub as the grid runs it: every message signed by its sender and checked (StrictSign);
 * peers scored, with the grid's penalties as the application-specific score (`score`: minus a
 * peer's points) and the thresholds of PUBSUB_SCORE_THRESHOLDS; no floodsub fallback (every grid
 * peer speaks gossipsub); streams also over relayed, limited connections (browser tabs); a
 * node's own messages delivered to its own subscribers; publishing to a topic nobody is
 * subscribed to yet is not an error (it reaches nobody, and `publish` says 0).
 *
 * IP colocation is not scored (libp2p's default penalises more than 10 peers behind one
 * address): the grid is meant to hold many nodes behind one NAT, a host or a relay.
 */
export function gossipOptions (score: (peer: string) => number): Partial<GossipsubOpts> {
  return {
    globalSignaturePolicy: STRICT_SIGN,
    fallbackToFloodsub: false,
    emitSelf: true,
    allowPublishToZeroTopicPeers: true,
    runOnLimitedConnection: true,
    maxInboundDataLength: c.PUBSUB_MAX_FRAME_BYTES,
    debugName: 'grid:gossipsub',
    scoreParams: {
      appSpecificScore: score,
      appSpecificWeight: 1,
      IPColocationFactorWeight: 0
    },
    scoreThresholds: c.PUBSUB_SCORE_THRESHOLDS
  }
}
