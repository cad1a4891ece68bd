/**
 * One class per failure, matched by `name`, each with a message a person can act on.
 */
/** Why a sandboxed job failed, for the `error` event and for people (declared beside SandboxError, which carries it). */
export type SandboxFailure =
  | 'syntax' | 'threw' | 'timeout' | 'memory' | 'stack' | 'import-refused'
  | 'no-default-export' | 'never-settled' | 'not-serialisable' | 'result-too-large' | 'result-too-deep'
import type { Status } from './pb/grid.js'

export class InvalidMultiaddrError extends Error {
  static override name = 'InvalidMultiaddrError'
  constructor (what: string, value: string, reason: string) {
    super(`invalid ${what} "${value}": ${reason}; expected a multiaddr such as /ip4/203.0.113.7/tcp/7400/p2p/12D3KooW…`)
    this.name = InvalidMultiaddrError.name
  }
}

export class InvalidNetworkError extends Error {
  static override name = 'InvalidNetworkError'
  constructor (network: string) {
    super(`invalid network name "${network}": use 1-32 characters of a-z, 0-9, . _ - starting with a letter or digit`)
    this.name = InvalidNetworkError.name
  }
}

export class StoreLockedError extends Error {
  static override name = 'StoreLockedError'
  constructor (location: string) {
    super(`the database ${location} is in use by another running node; stop that node first or choose another data dir`)
    this.name = StoreLockedError.name
  }
}

export class StoreCorruptError extends Error {
  static override name = 'StoreCorruptError'
  constructor (location: string, detail: string) {
    super(`the database in ${location} is corrupt (${detail}); move the data dir aside and start again, or choose another data dir`)
    this.name = StoreCorruptError.name
  }
}

export class StoreOpenError extends Error {
  static override name = 'StoreOpenError'
  constructor (location: string, detail: string) {
    super(`cannot open the database in ${location} (${detail}); check that the data dir is a writable directory, or choose another`)
    this.name = StoreOpenError.name
  }
}

export class ListenError extends Error {
  static override name = 'ListenError'
  constructor (addrs: string[], detail: string) {
    super(`cannot listen on ${addrs.join(', ')} (${detail}); free the port or pick another listen address (port 0 picks a free one)`)
    this.name = ListenError.name
  }
}

export class DialError extends Error {
  static override name = 'DialError'
  constructor (addr: string, detail: string) {
    super(`cannot reach ${addr} (${detail}); check that a node listens there and that the /p2p/ peer ID matches`)
    this.name = DialError.name
  }
}

export class NotStartedError extends Error {
  static override name = 'NotStartedError'
  constructor () {
    super('the node is not started; call start() first')
    this.name = NotStartedError.name
  }
}

export class TagInvalidError extends Error {
  static override name = 'TagInvalidError'
  constructor (tag: string) {
    super(`invalid tag "${tag}": use # followed by a letter or digit, then up to 63 of a-z, 0-9, - _ . : /`)
    this.name = TagInvalidError.name
  }
}

export class DatasetParseError extends Error {
  static override name = 'DatasetParseError'
  constructor (file: string, line: number | undefined, reason: string) {
    super(`${file}${line != null ? `:${line}` : ''}: ${reason}`)
    this.name = DatasetParseError.name
  }
}

export class DatasetFileError extends Error {
  static override name = 'DatasetFileError'
  constructor (file: string, detail: string, advice = 'check the path and its permissions') {
    super(`cannot read dataset file ${file} (${detail}); ${advice}`)
    this.name = DatasetFileError.name
  }
}

export class DatasetExistsError extends Error {
  static override name = 'DatasetExistsError'
  constructor (name: string) {
    super(`a dataset named "${name}" already exists; remove it first or pick another --name`)
    this.name = DatasetExistsError.name
  }
}

export class DatasetNotFoundError extends Error {
  static override name = 'DatasetNotFoundError'
  constructor (name: string) {
    super(`no dataset named "${name}"; see the names with \`grid-node datasets ls\``)
    this.name = DatasetNotFoundError.name
  }
}

export class DatasetInvalidError extends Error {
  static override name = 'DatasetInvalidError'
  constructor (message: string) {
    super(message)
    this.name = DatasetInvalidError.name
  }
}

/** A search asked for nothing it can look up. */
export class SearchInvalidError extends Error {
  static override name = 'SearchInvalidError'
  constructor (message: string) {
    super(message)
    this.name = SearchInvalidError.name
  }
}

/** `replicas` that is not a whole number from 1 to MAX_REPLICAS. */
export class ReplicasInvalidError extends Error {
  static override name = 'ReplicasInvalidError'
  constructor (value: unknown, max: number) {
    super(`replicas must be a whole number from 1 to ${max}, not ${String(value)}: 3 outvotes one wrong result`)
    this.name = ReplicasInvalidError.name
  }
}

/** A federated round in which no holder returned a usable update. */
export class FederateRoundError extends Error {
  static override name = 'FederateRoundError'
  constructor (round: number, tags: string[], modelLength: number) {
    super(`round ${round}: no holder of ${tags.join(' ')} returned { update: number[${modelLength}], n }`)
    this.name = FederateRoundError.name
  }
}

/** Text given as a job's code CID that is not one. */
export class CodeCidInvalidError extends Error {
  static override name = 'CodeCidInvalidError'
  constructor (text: string, reason: string) {
    super(`"${text.slice(0, 100)}" is not a job's code CID (${reason}): give the CID \`grid-node approve job.js\` prints, e.g. bafkrei…`)
    this.name = CodeCidInvalidError.name
  }
}

/** Removing an approval this node does not have. */
export class ApprovalNotFoundError extends Error {
  static override name = 'ApprovalNotFoundError'
  constructor (cid: string) {
    super(`no approval of ${cid} on this node; \`grid-node approvals ls\` lists the approved code CIDs`)
    this.name = ApprovalNotFoundError.name
  }
}

/** One approval more than a node keeps. */
export class ApprovalLimitError extends Error {
  static override name = 'ApprovalLimitError'
  constructor (limit: number) {
    super(`this node already approves ${limit} code CIDs, its limit; remove some with \`grid-node approvals rm <cid>\``)
    this.name = ApprovalLimitError.name
  }
}

/** A dataset added by path on a node without a file system (a browser tab). */
export class NoFileSystemError extends Error {
  static override name = 'NoFileSystemError'
  constructor (path: string) {
    super(`cannot read "${path}": a browser node has no file system; add the dataset with rows instead of a path`)
    this.name = NoFileSystemError.name
  }
}

export class PlatformUnsupportedError extends Error {
  static override name = 'PlatformUnsupportedError'
  /** `what` is not supported in a browser; or, with `message`, the runtime itself is not. */
  constructor (what: string, message?: string) {
    super(message ?? `${what} is not supported in a browser; use a Node.js node for it`)
    this.name = PlatformUnsupportedError.name
  }
}

export class TlsConfigError extends Error {
  static override name = 'TlsConfigError'
  constructor (message: string) {
    super(message)
    this.name = TlsConfigError.name
  }
}

export class InvalidIceServersError extends Error {
  static override name = 'InvalidIceServersError'
  constructor (detail: string, max: number) {
    super(`iceServers: ${detail}; give at most ${max} servers like { urls: 'stun:stun.example.org:3478' } (turn: and turns: may add username and credential)`)
    this.name = InvalidIceServersError.name
  }
}

export class BusyError extends Error {
  static override name = 'BusyError'
  constructor (message: string) {
    super(message)
    this.name = BusyError.name
  }
}

/** A holder that went silent or overran a job's deadline: the requester stops waiting for it. */
export class JobDeadlineError extends Error {
  static override name = 'JobDeadlineError'
  constructor (message: string) {
    super(message)
    this.name = JobDeadlineError.name
  }
}

export class DatasetTooLargeError extends Error {
  static override name = 'DatasetTooLargeError'
  constructor (file: string, bytes: number, limit: number, grew = false) {
    super(`dataset file ${file} ${grew ? `grew past ${limit} bytes while it was being read` : `is ${bytes} bytes, over the limit of ${limit}`}; split it, or raise the limit (--dataset-max-bytes, GRID_NODE_DATASET_MAX_BYTES)`)
    this.name = DatasetTooLargeError.name
  }
}

export class InvalidLanSettingError extends Error {
  static override name = 'InvalidLanSettingError'
  constructor (value: unknown) {
    super(`invalid lan setting ${JSON.stringify(value) ?? String(value)}: use 'auto' (the default: decide from the addresses this node sees), true (a grid on one host or LAN) or false (public addresses only)`)
    this.name = InvalidLanSettingError.name
  }
}

/** A `publicRanges` entry (`--public-ranges`) that is not a CIDR block. */
export class InvalidPublicRangeError extends Error {
  static override name = 'InvalidPublicRangeError'
  constructor (value: unknown) {
    super(`invalid public range ${JSON.stringify(value) ?? String(value)}: give CIDR blocks such as 10.0.0.0/8 or fd00::/8, comma-separated on the command line`)
    this.name = InvalidPublicRangeError.name
  }
}

/** A peer answered a catalog request with an error status. */
export class CatalogError extends Error {
  static override name = 'CatalogError'
  readonly status: Status
  constructor (status: Status, message: string) {
    super(message)
    this.name = CatalogError.name
    this.status = status
  }
}

/** A job the sandbox stopped for a reason of its own (deadline, result size, no default export…). */
export class SandboxError extends Error {
  static override name = 'SandboxError'
  readonly failure: SandboxFailure
  constructor (failure: SandboxFailure, message: string) {
    super(message)
    this.name = SandboxError.name
    this.failure = failure
  }
}

/** A pub/sub topic name that is not 1-64 of A-Z a-z 0-9 . _ - : starting with a letter or digit. */
export class TopicInvalidError extends Error {
  static override name = 'TopicInvalidError'
  constructor (topic: string) {
    super(`invalid topic "${topic.length > 80 ? `${topic.slice(0, 80)}…` : topic}": use 1-64 characters of A-Z, a-z, 0-9, . _ - : starting with a letter or digit (e.g. chat)`)
    this.name = TopicInvalidError.name
  }
}

/** A message over the pub/sub size limit. */
export class MessageTooLargeError extends Error {
  static override name = 'MessageTooLargeError'
  /** `bytes` undefined: more than the limit was offered (read from a stream, which stopped there). */
  constructor (bytes: number | undefined, limit: number) {
    super(`the message is ${bytes != null ? `${bytes} bytes, over` : 'over'} the limit of ${limit} bytes; send large data as a dataset or a job result`)
    this.name = MessageTooLargeError.name
  }
}

/** This node published faster than peers accept from one sender. */
export class PublishRateError extends Error {
  static override name = 'PublishRateError'
  constructor (burst: number, perSecond: number) {
    super(`publishing too fast: peers accept a burst of ${burst} messages from one sender, then ${perSecond} a second; wait and send again`)
    this.name = PublishRateError.name
  }
}

/** Too many subscriptions or topics on this node at once. */
export class SubscriptionLimitError extends Error {
  static override name = 'SubscriptionLimitError'
  constructor (message: string) {
    super(message)
    this.name = SubscriptionLimitError.name
  }
}

/** A job or node asked for a JavaScript engine this platform does not have (V8 in a browser tab), or an engine name that does not exist. */
export class EngineUnavailableError extends Error {
  static override name = 'EngineUnavailableError'
  constructor (engine: string, available: readonly string[]) {
    super(`the ${JSON.stringify(engine)} engine is not available here (${available.join(' and ')} ${available.length === 1 ? 'is' : 'are'}${available.includes('v8') ? '' : ': browser tabs run jobs on QuickJS only, as does Node.js where isolated-vm cannot load'}); use engine 'auto' or one of those`)
    this.name = EngineUnavailableError.name
  }
}
