/**
 * Defaults and limits, each with the reason for its number.
 */

/** The grid a node joins unless told otherwise; `--network` isolates grids from each other. */
export const DEFAULT_NETWORK = 'main'

/** Network names end up in protocol IDs and DHT keys, so they stay short and path-safe. */
export const NETWORK_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,31}$/

/** The DHT speaks its own protocol per network, so a grid never joins the public IPFS DHT. */
export function kadProtocol (network: string): string {
  return `/grid/${network}/kad/1.0.0`
}

/**
 * Connection limits. libp2p's default of 5 inbound connections per second per host refuses
 * peers when many nodes share a host or a NAT (a lab, a test, a LAN behind one router), so
 * the grid allows a burst of 100/s per host; the pending-upgrade cap stays small enough that
 * a flood of half-open connections cannot exhaust memory.
 */
export const MAX_CONNECTIONS = 300
export const INBOUND_CONNECTION_THRESHOLD = 100
export const MAX_INCOMING_PENDING_CONNECTIONS = 100
/** A dial that has not connected in 10 s is to a peer too slow to be useful to the grid. */
export const DIAL_TIMEOUT = 10_000

/**
 * Known peers and their addresses are kept for a week, so a node restarted after a weekend
 * still finds its way back without `--bootstrap` (libp2p forgets addresses after one hour).
 */
export const MAX_ADDRESS_AGE = 7 * 24 * 60 * 60 * 1000
export const MAX_PEER_AGE = 7 * 24 * 60 * 60 * 1000

/** Re-bootstrap backoff: first retry after 1 s, doubling to a ceiling of one minute. */
export const REBOOTSTRAP_INITIAL_DELAY = 1_000
export const REBOOTSTRAP_MAX_DELAY = 60_000
/** How many remembered peers a lonely node dials per attempt, beyond its bootstrap list. */
export const KNOWN_PEERS_TO_DIAL = 20
/** A self-lookup visits O(log N) peers; 30 s covers a slow grid without hanging forever. */
export const SELF_LOOKUP_TIMEOUT = 30_000
/** Default deadline for a DHT lookup started through the node's API. */
export const LOOKUP_TIMEOUT = 30_000
/**
 * Ping streams per connection. libp2p allows one outbound at a time, but the DHT's routing
 * table, the connection monitor, liveness and search verification all ping: with one, they
 * fail each other at random.
 */
export const PING_MAX_STREAMS = 8
/** A connected peer that takes over 2 s to answer a ping is reported without a round-trip time. */
export const PING_TIMEOUT = 2_000

/** With a TLS certificate, a Node.js peer also serves `wss://` here, for pages served over https. */
export const DEFAULT_SECURE_WEBSOCKETS_LISTEN = '/ip4/0.0.0.0/tcp/7403/tls/ws'

/**
 * Circuit relay, served by every Node.js peer so browser tabs can be reached: 128 tabs per
 * relay, each reservation valid 2 h (libp2p's default; a tab refreshes it before then).
 * Relayed connections are not capped in time or bytes by default: libp2p treats a capped
 * connection as a stopgap and dials a new one for every stream to that peer (measured: 40 new
 * relayed connections for 40 jobs sent to one tab), and a tab has nothing to upgrade to.
 */
export const RELAY_MAX_RESERVATIONS = 128
/**
 * A relay's fair share (see network/relay-share.ts): below RELAY_SHARE_MIN reservations a
 * relay never refuses; above it, it refuses new ones past RELAY_SHARE_SLACK times its share of
 * the relaying its peers need (2 reservations per peer that serves no DHT, spread over this node
 * and the public relays it is connected to).
 */
export const RELAY_SHARE_MIN = 16
export const RELAY_SHARE_SLACK = 1.5
export const RELAYS_PER_PEER = 2
/** libp2p's circuit relay v2 hop protocol: a peer that lists it serves as a relay. */
export const RELAY_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'
export const RELAY_RESERVATION_TTL = 2 * 60 * 60 * 1000

/**
 * Reachability: a node with a public address asks 3 grid peers to dial it back on a new
 * connection; 2 agreeing answers decide (one lying or broken peer cannot). Each answering peer
 * dials only the asker's own IP, at most 4 addresses, at most 16 times per 10 s in all, so it
 * cannot be used to dial third parties. Verdicts are re-checked every 10 min.
 */
export function dialBackProtocol (network: string): string {
  return `/grid/${network}/dialback/1.0.0`
}
export const DIAL_BACK_ASKED = 3
export const DIAL_BACK_MAJORITY = 2
export const DIAL_BACK_TIMEOUT = 10_000
export const DIAL_BACK_MAX_ADDRS = 4
export const DIAL_BACK_MAX_MESSAGE_BYTES = 4096
export const DIAL_BACK_RATE = { points: 16, durationS: 10 }
export const REACHABILITY_RECHECK = 10 * 60_000
/** How often the reachability state is re-derived from addresses, reservations and verdicts. */
export const REACHABILITY_TICK = 2_000

/**
 * A node that peers cannot dial reserves slots on 2 relays, so one relay going away does not
 * make it unreachable; relays must be on the grid's public side (a relay behind NAT hands out
 * addresses nobody can dial).
 */
export const RELAY_RESERVATIONS_WANTED = 2

/**
 * Hole punching over a relayed connection: 5 s per attempt (the exchange, then the crossed
 * dials, whose SYNs the kernel retransmits after 1 s and 3 s when a NAT dropped the first),
 * 2 attempts with fresh ports. A job waits up to 6 s for a punch in progress before it runs
 * over the relay instead.
 */
export function punchProtocol (network: string): string {
  return `/grid/${network}/punch/1.0.0`
}
export const PUNCH_TIMEOUT = 5_000
/** Two tabs met over a relay have this long to set up a WebRTC connection before the relay carries their traffic. */
export const WEBRTC_UPGRADE_TIMEOUT = 10_000
/** STUN/TURN servers a node may be given for WebRTC between tabs. */
export const MAX_ICE_SERVERS = 8
export const PUNCH_ATTEMPTS = 2
export const PUNCH_MAX_ADDRS = 8
export const PUNCH_MAX_MESSAGE_BYTES = 4096
export const DIRECT_PATH_WAIT = 6_000
/**
 * A peer a punch failed to (behind a symmetric NAT, say) is not tried again for 10 min, so
 * its jobs do not each wait for a punch that cannot work; 1,024 such peers are remembered.
 * Answering a punch dials addresses a peer named: 16 answers per 10 s in all.
 */
export const PUNCH_RETRY_AFTER = 10 * 60_000
export const PUNCH_FAILURES_KEPT = 1024
export const PUNCH_ANSWER_RATE = { points: 16, durationS: 10 }

/**
 * A search in a public grid also asks up to 16 peers this node reaches over its own LAN, so a
 * site cut off from the public side still finds its own holders.
 */
export const LAN_SEARCH_PEERS = 16

export function catalogProtocol (network: string): string {
  return `/grid/${network}/catalog/1.0.0`
}
/** A catalog request is a list of tags: 16 KiB holds 64 of the longest. */
export const MAX_CATALOG_REQUEST_BYTES = 16 * 1024
/** At most 64 tags per request; more is a search nobody needs and a cheap way to load a node. */
export const MAX_CATALOG_TAGS = 64
/** Descriptors only, never rows: 1 MiB is thousands of datasets with wide schemas. */
export const MAX_CATALOG_RESPONSE_BYTES = 1024 * 1024
/** One request, one answer: an inbound catalog stream that takes over 10 s is dropped. */
export const CATALOG_HANDLER_TIMEOUT = 10_000
export const CATALOG_MAX_INBOUND_STREAMS = 32

/**
 * Provider records: valid 30 min, re-provided once less than 15 min remain (checked every
 * 5 min), instead of the 24-48 h defaults, so a vanished holder's records age out soon. Search
 * still verifies every holder, because Kademlia cannot delete a record.
 */
export const PROVIDE_VALIDITY = 30 * 60 * 1000
export const REPROVIDE_THRESHOLD = 15 * 60 * 1000
export const REPROVIDE_INTERVAL = 5 * 60 * 1000
/** Holders drop others' expired records this often. */
export const PROVIDER_CLEANUP_INTERVAL = 5 * 60 * 1000

/** A search finds providers, verifies and describes them within 10 s unless told otherwise. */
export const SEARCH_TIMEOUT = 10_000
/** A candidate that does not answer a dial and ping within 3 s is not live enough to use. */
export const VERIFY_TIMEOUT = 3_000
/** Candidates verified at once per search. */
export const VERIFY_CONCURRENCY = 16
/** Search results are reused this long, so a burst of equal searches costs one lookup. */
export const SEARCH_CACHE_TTL = 5_000

/** Liveness: ping every 10 s, 5 s to answer, down after 3 misses in a row (30 s). */
export const LIVENESS_INTERVAL = 10_000
export const LIVENESS_TIMEOUT = 5_000
export const LIVENESS_MISSES = 3
/** Peers not seen for an hour are no longer tracked. */
export const LIVENESS_FORGET_AFTER = 60 * 60 * 1000

/** Sandbox defaults: a job gets 64 MiB of heap, 1 MiB of stack, 30 s, and may return 16 MiB. */
export const SANDBOX_MEMORY_BYTES = 64 * 1024 * 1024
export const SANDBOX_STACK_BYTES = 1024 * 1024
export const SANDBOX_TIMEOUT = 30_000
export const SANDBOX_RESULT_BYTES = 16 * 1024 * 1024
/**
 * The sandbox's WebAssembly memory starts at 16 MiB (Emscripten's default) and may grow to twice
 * the heap limit plus 32 MiB: room for the job's heap, the input text copied in and the result
 * copied out, and a hard ceiling on what a guest can make the host hold (QuickJS's own limit
 * misses some allocations: an array bomb grew an unbounded memory to 2 GiB).
 */
export const SANDBOX_WASM_INITIAL_BYTES = 16 * 1024 * 1024
export function sandboxWasmCeiling (memoryBytes: number): number {
  return 2 * memoryBytes + 32 * 1024 * 1024
}
/**
 * V8 isolates each job worker keeps made ahead of time: creating one (and its context) costs a
 * few ms, more than a no-op job itself. Two cover back-to-back jobs while the next is made after
 * each job; each holds only V8's empty heap (~1 MiB) until used, and is disposed after its job.
 */
export const V8_WARM_ISOLATES = 2
/**
 * A job's data of at least this many characters of JSON is parsed and frozen ahead of time in a
 * warm isolate for the next job with the same data (100k rows: ~80 ms of a job's ~130 ms).
 * Smaller data costs little to parse, and preparing it would only hold the worker up.
 */
export const V8_PREPARE_DATA_CHARS = 64 * 1024
/** A holder keeps the JSON text of this many datasets' rows for the next job on them (see DatasetJson)... */
export const DATASET_JSON_CACHE_ENTRIES = 4
/** ...and no more than this many characters of it in all: one job's heap's worth. */
export const DATASET_JSON_CACHE_CHARS = 64 * 1024 * 1024
/** Pending promise jobs run this many at a time between deadline checks. */
export const SANDBOX_PENDING_JOBS_BATCH = 1000
/**
 * What a running job may report: log lines in a burst of 100, then 50 a second, each cut at
 * 4,096 characters; progress at most every 100 ms (the latest value wins), each at most 64 KiB
 * of JSON. Enough for a person watching; a job logging in a tight loop no longer floods the
 * holder, the wire and the requester (a million log() calls took 1 GB on the requester).
 */
export const JOB_LOG_BURST = 100
export const JOB_LOG_RATE = 50
export const JOB_LOG_LINE_CHARS = 4096
export const JOB_PROGRESS_INTERVAL = 100
export const JOB_PROGRESS_BYTES = 64 * 1024
/**
 * The pool's own deadline: a worker still running a job 5 s past the job's deadline (the sandbox
 * interrupts at the deadline; 5 s covers compiling the engine and copying a large result) is
 * terminated and replaced, whatever the job did to it.
 */
export const POOL_DEADLINE_MARGIN = 5_000
/**
 * A worker whose sandbox memory grew past 48 MiB (it starts at 16 MiB; no-op jobs stay there) is
 * replaced after its job: a WebAssembly memory never shrinks, and a fresh worker costs ~50 ms.
 */
export const WORKER_RECYCLE_HEAP_BYTES = 48 * 1024 * 1024
/**
 * Likewise a worker whose own JavaScript heap passed 64 MiB (a fresh one has ~10 MiB): a job
 * calling log() a million times left ~200 MiB of garbage there that V8 kept as its heap.
 */
export const WORKER_RECYCLE_JS_HEAP_BYTES = 64 * 1024 * 1024
/**
 * Deadlines of a job between requester and holder. While a job waits in a holder's queue the
 * holder repeats `accepted` (with its place) every 5 s, and a requester that hears nothing for
 * 20 s gives up on that holder; a job waits at most 5 min in a queue. Once started, the
 * requester waits the job's own deadline plus 10 s (the holder's pool margin of 5 s, and time
 * to carry a 16 MiB result), then treats the holder as gone: an error, or another holder.
 */
export const QUEUE_KEEPALIVE_INTERVAL = 5_000
export const QUEUE_SILENCE_TIMEOUT = 20_000
export const MAX_QUEUE_WAIT = 5 * 60 * 1000
export const JOB_RESULT_MARGIN = 10_000
/**
 * Events of one job buffered for a requester that reads slowly: past 64, progress and log
 * events are dropped (and counted); the result always goes, within 30 s or the stream is reset.
 */
export const JOB_EVENTS_BUFFERED = 64
/**
 * A job's events wait this long to go out together in one write: a short job's accepted,
 * started and result leave as one packet (each write is a yamux frame, a noise message and a
 * system call on both sides), and the requester hears of a long job 2 ms later than it could.
 */
export const JOB_EVENTS_COALESCE = 2
/** ...or fewer, when this many events wait: a burst of log lines goes out at once, well before JOB_EVENTS_BUFFERED would drop any. */
export const JOB_EVENTS_COALESCE_MAX = 16
export const JOB_RESULT_SEND_TIMEOUT = 30_000
/** Results nested deeper than this are refused: real results are shallow, and deep ones overflow stacks. */
export const MAX_RESULT_DEPTH = 128

/** A provide reaches the k closest peers in O(log N) hops; 10 s covers a slow grid. */
export const PROVIDE_TIMEOUT = 10_000
/** After a first connection, wait for identify and the routing table before providing. */
export const PROVIDE_RETRY_DELAY = 1_000
/** A provide that failed with peers around is tried again after about a minute. */
export const PROVIDE_FAILED_RETRY_DELAY = 60_000
/** kad-dht's own self-query gives up after 5 s; the joiner waits a little longer before running its own. */
export const DHT_SELF_QUERY_WAIT = 6_000

/** A job whose holder dies is sent to another holder of the same data this many times. */
export const JOB_RETRIES = 2
/** How many times one job may be sent again to the same peer after its relayed connection closed as it opened. */
export const JOB_REDIALS = 1

/** Replicas of one job (`run --replicas k`): 16 distinct peers outvote any few liars; more only costs. */
export const MAX_REPLICAS = 16
/**
 * Peers whose replica results this node scores (majority / minority), in memory and in the
 * store: a few KiB. Past it the oldest record of a peer not avoided goes first, so a flood of new
 * peer IDs cannot wash out what a liar did.
 */
export const MAX_SCORED_PEERS = 4096
/** One minority result outweighs this many agreeing ones: a liar is avoided until it agreed 10 times per lie. */
export const MINORITY_WEIGHT = 10
/**
 * A worker's claimed load in catalog answers is a hint: its pool counts at most 64 workers and
 * its busy jobs at most 1024 (4 × the queue), so a peer cannot claim to be an endless sink.
 */
export const MAX_CLAIMED_POOL = 64
export const MAX_CLAIMED_BUSY = 1024
/** Peers whose load this node keeps (claimed and its own jobs in flight there); the idle oldest go first. */
export const MAX_LOAD_PEERS = 4096

/** Provided by every node whose compute is open to all, so data-free jobs find workers. */
export const COMPUTE_CAPABILITY_TAG = '#compute:js'

export function computeProtocol (network: string): string {
  return `/grid/${network}/compute/1.0.0`
}
/** A job request is code and args: 1 MiB is far more code than a job should ship. */
export const MAX_JOB_REQUEST_BYTES = 1024 * 1024
/**
 * Code CIDs one node approves (`grid-node approve`): each is a ~60-byte key, all kept in memory
 * and checked on every job on an approve-only node. Thousands of distinct vetted programs are
 * more than any operator reviews by hand; the bound keeps a script in a loop from growing it.
 */
export const MAX_APPROVALS = 4096
/** A label kept with an approval (the job file's name), in characters. */
export const MAX_APPROVAL_LABEL = 256

/** Jobs waiting for a worker, per node; past it the answer is BUSY. */
export const MAX_JOB_QUEUE = 256
/** Jobs one peer may have running or waiting here at once: half the queue, so no single peer fills it. */
export const MAX_JOBS_PER_PEER = 128
/** A job's deadline is never above this cap, whatever it asks for. */
export const MAX_JOB_TIMEOUT = 30_000
/** An event frame carries a result of at most SANDBOX_RESULT_BYTES, plus framing. */
export const MAX_JOB_EVENT_BYTES = 16 * 1024 * 1024 + 64 * 1024
/**
 * A result whose JSON text is larger goes in RESULT_PART frames of this many bytes (to a
 * requester that takes them): the first part is on the wire while the rest wait their turn, and
 * no stream buffer has to hold a 16 MiB frame. A requester puts the parts together up to
 * MAX_JOB_EVENT_BYTES in all, whatever a holder claims.
 */
export const RESULT_PART_BYTES = 1024 * 1024

/**
 * Dataset files. Adding one reads it whole once (hashed, rows counted, schema typed) and every
 * job on it reads it again, so a file may be at most 1 GiB by default: seconds of streaming I/O
 * at add time, millions of rows, and a bound on what a path can cost (a symlink to /dev/zero
 * once grew a node to 16.7 GB). Configurable per node and per `datasets add`.
 */
export const MAX_DATASET_FILE_BYTES = 1024 * 1024 * 1024
/** Read 256 KiB at a time: each chunk is parsed in a few ms, so the event loop keeps turning. */
export const DATASET_READ_CHUNK_BYTES = 256 * 1024
/**
 * One row (a CSV record, a JSONL line, a JSON array element) is a record, not a document: at most
 * 16 MiB, so a file that is one endless line costs 16 MiB while streaming, not the whole file.
 */
export const MAX_DATASET_ROW_BYTES = 16 * 1024 * 1024
/** Distinct columns: a descriptor travels in catalog answers (1 MiB for all matching datasets). */
export const MAX_DATASET_COLUMNS = 1024
/**
 * Catalog answers carry each file's last known status (ok, changed, missing) and never touch the
 * files: a background re-check, started by a catalog request, runs at most once a minute.
 * `datasets ls` re-checks at once.
 */
export const DATASET_STATUS_REFRESH_INTERVAL = 60_000

/**
 * Indirect liveness probes (SWIM's ping-req). After a missed ping, 3 other grid peers are asked
 * to ping the suspect: any one reaching it keeps it up (the miss was this node's own slowness or
 * a bad path); none reaching it while at least one tried marks it down at once; no answer at all
 * leaves the misses rule to decide. The probe takes at most 0.4 of an interval, never more than
 * the ping timeout, so a dead peer is down within interval + timeout + 0.4 × interval of dying
 * (19 s with the defaults, against 30 s for three misses), with 0.2 of an interval to spare for
 * timers and scheduling against the goal of 1.6 × interval + timeout. Helpers get 70% of the
 * probe to ping the suspect; the rest opens the stream to them, carries the question there and
 * the answer back (1.2 s with the defaults: two round trips of a slow path, and a busy helper).
 */
export function probeProtocol (network: string): string {
  return `/grid/${network}/probe/1.0.0`
}
export const PROBE_HELPERS = 3
export const PROBE_INTERVAL_SHARE = 0.4
export const PROBE_HELPER_SHARE = 0.7
/**
 * A ping whose deadline fired over 200 ms late (or a tenth of the timeout, if more) was timed by
 * a node that was itself stalled (a blocked event loop, a starved process, a throttled tab): when
 * no other peer could say, that miss is not counted, so a busy node does not mark its peers down.
 */
export const LIVENESS_STALL_MIN = 200
export const LIVENESS_STALL_SHARE = 0.1
/**
 * Serving probes for others, whoever asks: a request is one peer ID (the largest, an identity
 * multihash of a secp256k1 key, is 39 bytes; 128 leave room for the timeout and framing), and
 * must arrive within 2 s. A probe tries for 100 ms to 5 s, whatever is asked, and shares its ping
 * with any probe of the same peer already under way. 4 streams per connection; 16 probes per
 * asker and 64 in all per 10 s: a whole grid asking about one death costs each helper about 3,
 * and no asker makes this node ping or dial at its own pace.
 */
export const PROBE_MAX_REQUEST_BYTES = 128
export const PROBE_MAX_RESPONSE_BYTES = 512
export const PROBE_READ_TIMEOUT = 2_000
export const PROBE_MIN_TIMEOUT = 100
export const PROBE_MAX_TIMEOUT = 5_000
export const PROBE_MAX_STREAMS = 4
export const PROBE_RATE = { points: 64, durationS: 10 }
export const PROBE_RATE_PER_PEER = { points: 16, durationS: 10 }

/**
 * Pub/sub (gossipsub). A topic is `/grid/<network>/topic/<name>` on the wire, so two grids never
 * share one; a name is what users type (`chat`): 1-64 of A-Z a-z 0-9 . _ - : starting with a
 * letter or digit (no `/`, so a wire topic always splits back into network and name).
 */
export function pubsubTopic (network: string, name: string): string {
  return `/grid/${network}/topic/${name}`
}
export const TOPIC_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/
/**
 * A message is at most 64 KiB: chat lines, events and small JSON documents; anything bigger is a
 * dataset or a job result. Gossipsub keeps the last few seconds of messages for gossip and every
 * peer in a topic holds a copy, so the cap bounds what one message costs the whole grid.
 */
export const PUBSUB_MAX_MESSAGE_BYTES = 64 * 1024
/**
 * What one sender may publish: a burst of 20 messages, then 10 a second (a chat at typing speed,
 * an event feed). A node refuses its own publishes past it (PublishRateError) so peers never
 * have to; receivers allow twice the burst at the same rate, so network jitter that bunches an
 * honest sender's messages never gets it penalised.
 */
export const PUBSUB_PUBLISH_RATE = { burst: 20, perSecond: 10 }
export const PUBSUB_RECEIVE_BURST = 40
/** Senders whose rate is tracked at once; the least recently seen is forgotten first. */
export const PUBSUB_MAX_TRACKED_SENDERS = 4096
/**
 * Scoring. A message over the rate that a peer sends itself costs it 1 point, one over the size
 * limit 10 (no honest node publishes or forwards one); points decay by 10% a second and stop at
 * 1000. Gossipsub scores a peer minus its points (its application-specific score), so 10 points
 * stop gossip with it, 50 stop publishing to it, and at 80 every message of it is ignored
 * (graylisted): a flood of hundreds a second is shut out within a second and forgiven about a
 * minute after it stops. A peer that only forwards someone's excess is never penalised: its
 * messages are ignored, not rejected.
 */
export const PUBSUB_PENALTY = { overRate: 1, overSize: 10, max: 1000, decayPerSecond: 0.9 }
export const PUBSUB_SCORE_THRESHOLDS = { gossipThreshold: -10, publishThreshold: -50, graylistThreshold: -80, acceptPXThreshold: 10, opportunisticGraftThreshold: 20 }
/**
 * One gossipsub frame may carry many messages (an answer to IWANT, forwarded batches): 4 MiB,
 * the framing library's own default, holds 60 of the largest. A larger frame ends the stream.
 */
export const PUBSUB_MAX_FRAME_BYTES = 4 * 1024 * 1024
/**
 * A subscription buffers up to 128 messages or 2 MiB for a consumer that reads slowly; past
 * either, the oldest are dropped and the next message says how many. A node holds at most 128
 * subscriptions on at most 64 topics: 256 MiB in the very worst case, usually nothing.
 */
export const PUBSUB_SUBSCRIPTION_BUFFER = { messages: 128, bytes: 2 * 1024 * 1024 }
export const PUBSUB_MAX_SUBSCRIPTIONS = 128
export const PUBSUB_MAX_TOPICS = 64
/**
 * A `pubsub:message` event carries the message itself up to 16 KiB (chat lines, small JSON);
 * a larger one only its size: the node keeps its last 512 events, and a flood of 64 KiB messages
 * would otherwise hold 45 MiB of them and replay that to every event stream that reconnects.
 */
export const PUBSUB_EVENT_MAX_BYTES = 16 * 1024
