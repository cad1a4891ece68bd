/**
 * Who may see what and who may run what on this node — the whole policy, in one place. The
 * catalog, the compute protocol and the node ask it; nothing else decides.
 *
 * - A public dataset is announced on the DHT and described to anyone. A private one is never
 *   announced, and is described and computable only for the peers on its own allow-list.
 * - Compute is open to every peer, or to an allow-list of peer IDs. Offering can be switched
 *   off and on while the node runs (a tab's "offer this tab as a worker" switch). Each peer has
 *   at most `maxJobsPerPeer` jobs here at once.
 * - The node says it runs anyone's jobs (`#compute:js`) only while compute is open to all and on.
 * - Approve-only: jobs on this node's datasets (or on one dataset added as approve-only) run only
 *   when their code's CID (code-cid.ts) is one the operator approved; data-free jobs are not affected. A refusal names the CID, so the
 *   requester can ask for it to be approved.
 */
import * as c from './constants.js'
import type { AddDatasetInit, DatasetDescriptor } from './catalog/descriptor.js'

export interface AccessInit {
  /** Run other peers' jobs at all; `offering` switches it later. @default true */
  offer?: boolean
  /** Peer IDs allowed to run jobs here; undefined: anyone (compute is open). @default undefined */
  allow?: string[]
  /** @default MAX_JOBS_PER_PEER */
  maxJobsPerPeer?: number
  /** Run only approved code (by CID; see `approvals`) on this node's datasets; data-free jobs are not affected. @default false */
  approveOnly?: boolean
}

/** Why a job is refused before it is read, as the compute protocol's error event says it. */
export interface JobRefusal { status: 'forbidden' | 'busy', message: string }

/** A dataset added as private, or with peers allowed, is private; any other is public. */
export function visibilityOf (init: Pick<AddDatasetInit, 'private' | 'allow'>): DatasetDescriptor['visibility'] {
  return init.private === true || (init.allow ?? []).length > 0 ? 'private' : 'public'
}

/** Announced on the DHT and described to anyone. */
export function isPublic (dataset: Pick<DatasetDescriptor, 'visibility'>): boolean {
  return dataset.visibility === 'public'
}

/**
 * Whether a peer may see a dataset in the catalog and compute on it: public, or private with the
 * peer on its allow-list. Without a peer (this node's own view of what it offers): public only.
 */
export function maySee (dataset: Pick<DatasetDescriptor, 'visibility' | 'allow'>, peer?: string): boolean {
  return isPublic(dataset) || (peer != null && (dataset.allow ?? []).includes(peer))
}

/** The refusal of code this node has not approved: it names the CID and how to get it approved. */
export function unapprovedCode (cid: string, dataset: string): JobRefusal {
  return { status: 'forbidden', message: `this node runs only approved code on dataset "${dataset}", and code ${cid} is not approved here; ask its operator to approve it (grid-node approve ${cid})` }
}

/** A job whose code does not hash to the CID its requester sent. */
export function codeCidMismatch (sent: string, computed: string): { status: 'bad-request', message: string } {
  return { status: 'bad-request', message: `the job's code CID was sent as ${sent.slice(0, 100)}, but its code is ${computed}; the code changed on the way or the requester is broken` }
}

export class AccessPolicy {
  /** Runs other peers' jobs right now. */
  offering: boolean
  private readonly allow?: ReadonlySet<string>
  private readonly maxJobsPerPeer: number
  /** Jobs on datasets need approved code. */
  readonly approveOnly: boolean

  constructor (init: AccessInit = {}) {
    this.offering = init.offer ?? true
    if (init.allow != null) this.allow = new Set(init.allow)
    this.maxJobsPerPeer = init.maxJobsPerPeer ?? c.MAX_JOBS_PER_PEER
    this.approveOnly = init.approveOnly ?? false
  }

  /** Whether a job's code must be approved here: on a dataset of an approve-only node, or on an approve-only dataset. */
  needsApproval (dataset: Pick<DatasetDescriptor, 'approveOnly'> | undefined): boolean {
    return dataset != null && (this.approveOnly || dataset.approveOnly === true)
  }

  /** Compute is open to every peer (no allow-list). */
  get openToAll (): boolean {
    return this.allow == null
  }

  /**
   * Why `peer` may not start a job here, or undefined when it may. `jobs` counts the peer's jobs
   * here, this one included.
   */
  jobRefusal (peer: string, jobs: number): JobRefusal | undefined {
    if (!this.offering) return { status: 'forbidden', message: 'this peer is not running jobs for others right now' }
    if (this.allow != null && !this.allow.has(peer)) return { status: 'forbidden', message: 'this node runs jobs only for the peers on its allow-list' }
    if (jobs > this.maxJobsPerPeer) return { status: 'busy', message: `you already have ${this.maxJobsPerPeer} jobs here; wait for one to finish` }
    return undefined
  }

  /** Capability tags to announce and describe: `#compute:js` while anyone's jobs run here. */
  capabilities (): string[] {
    return this.offering && this.openToAll ? [c.COMPUTE_CAPABILITY_TAG] : []
  }
}
