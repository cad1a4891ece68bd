/**
 * Limits of the local HTTP API, each with the reason for its number. The API is a control
 * plane for one person's CLI and scripts: requests are small and few, so every bound is tight.
 */
import { MAX_CATALOG_TAGS } from '@grid-node/core'

/** Control-plane bodies are small (a job's code is the biggest); anything larger is refused with 413 before it is buffered. */
export const MAX_BODY_BYTES = 64 * 1024

/**
 * JSON nested deeper than this is refused before it is parsed. Real bodies nest three levels
 * (rows of objects holding arrays); 64 leaves room for a job's args while keeping any
 * recursive code later (structured clone, the sandbox, the catalog) far from the stack's limit.
 */
export const MAX_JSON_DEPTH = 64

/**
 * The longest URL answered (414 beyond it). The longest real one is a search for 64 tags of
 * 65 characters, about 5 KiB URL-encoded; dataset names are 64 characters.
 */
export const MAX_URL_BYTES = 8 * 1024

/** Request line plus headers (Node's own default, made explicit): past it the answer is 431 or 414. */
export const MAX_HEADER_BYTES = 16 * 1024

/** Browsers send about 20 headers and the CLI 5; a request with 64 or more is refused with 431. */
export const MAX_HEADERS_COUNT = 64

/** A client on the same machine sends its headers in milliseconds; 10 s means it is stalling on purpose. */
export const HEADERS_TIMEOUT = 10_000

/**
 * Time to receive a whole request, body included (Node's requestTimeout stops counting once
 * the request is received, so `POST /v1/run`, NDJSON searches and event streams may stream
 * their answers far longer). 64 KiB over loopback takes microseconds; 30 s only cuts off a body that drips.
 */
export const REQUEST_TIMEOUT = 30_000

/** How often Node checks the two timeouts above (its default of 30 s would let a 10 s timeout run to 40 s). */
export const CONNECTIONS_CHECKING_INTERVAL = 1_000

/** An idle keep-alive connection is closed after 5 s: the CLI makes one request per command. */
export const KEEP_ALIVE_TIMEOUT = 5_000

/**
 * Server-Sent Event streams (`GET /v1/events`) open at once; one more is refused with 503. A
 * terminal following a node holds one, a status page one per tab: 256 is dashboards for a whole
 * lab, and with EVENT_STREAM_BUFFER bounds what they can make the node hold (128 MiB).
 */
export const MAX_EVENT_STREAMS = 256

/**
 * Open connections at once; more are closed as they arrive. A CLI command holds one, a
 * long `run` or streaming search one each, a browser tab six: 64 is far beyond one person's
 * use, and bounds the file descriptors and memory a local process can make the node spend.
 * Event streams are long-lived and counted on top, so that a full house of them still leaves
 * 64 connections for the CLI.
 */
export const MAX_CONNECTIONS = 64 + MAX_EVENT_STREAMS

/**
 * After answering a malformed or stalled request, the socket is half-closed and what the client
 * still sends is read and dropped for up to 1 s, so it reads the answer instead of a reset.
 */
export const CLIENT_ERROR_LINGER = 1_000

/** A search answered over HTTP may take its full timeout; cap what a client can ask for. */
export const MAX_SEARCH_TIMEOUT = 60_000

/** Holders a search may be asked to stop after: more than a person can read. */
export const MAX_SEARCH_LIMIT = 1_000

/** Tags per search, job or dataset: as many as the catalog protocol takes in one request (64). */
export const MAX_TAGS = MAX_CATALOG_TAGS

/** Peers named in one run: each gets its own job; 64 is a lab, not a grid. */
export const MAX_RUN_PEERS = 64

/** Peers on a private dataset's allow-list. */
export const MAX_ALLOW_PEERS = 256

/**
 * The longest job timeout a requester may ask for: the holder caps it anyway (30 s unless it
 * allows more), an hour covers a holder set up for long jobs, and a bound keeps values like
 * 1e300 out of timers (Node fires any delay over 2^31-1 ms at once).
 */
export const MAX_RUN_TIMEOUT = 60 * 60 * 1000

/** Each retry sends the job to another holder of the same data; ten is more holders than a dataset has. */
export const MAX_RUN_RETRIES = 10

/** Linux's PATH_MAX: no real file path is longer. */
export const MAX_PATH_LENGTH = 4096

/** A multiaddr with a /p2p/ peer ID is about 100 characters; relayed ones about 200. */
export const MAX_MULTIADDR_LENGTH = 1024

/**
 * `peers` lists a peer that is not connected only if it was seen this recently (or `?all=1`):
 * the liveness monitor remembers a peer for days, so every short-lived CLI client and closed
 * tab would stay listed as `down`. Ten minutes is a few liveness rounds, long enough to notice
 * a holder that just dropped out.
 */
export const RECENT_PEER_WINDOW = 10 * 60 * 1000

/**
 * Bytes of events an event stream may have waiting to be sent: beyond it, the client is not
 * reading (the socket buffers of both kernels are full as well) and the stream is closed; it
 * may come back with Last-Event-ID. A replay of 512 events of about 300 bytes takes a third of
 * it, and a burst of six pub/sub messages of 64 KiB in one tick still fits, so a client that
 * reads is never dropped for a burst.
 */
export const EVENT_STREAM_BUFFER = 512 * 1024

/**
 * A comment line (`: keep-alive`) on an idle event stream this often: proxies and clients that
 * close a silent connection keep it, and a client knows a stream silent for much longer is dead.
 */
export const EVENT_KEEP_ALIVE = 15_000

/** A code CID in a body or path: a sha256 CIDv1 in base32 is 59 characters; room for other bases. */
export const MAX_CID_LENGTH = 200
