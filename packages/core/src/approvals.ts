import { databaseLocation } from '#platform'
import * as c from './constants.js'
import { ApprovalLimitError, ApprovalNotFoundError } from './errors.js'
import { parseCodeCid } from './compute/code-cid.js'
import { openStore, readError } from './store/store.js'
import type { Sublevel } from './store/store.js'

/** A code CID this node runs on its approve-only datasets. */
export interface Approval {
  /** CIDv1 (raw, sha256) of the job's code. */
  cid: string
  /** What the operator approved, e.g. the job file's name. */
  label?: string
  /** When it was approved, ms since the epoch. */
  approvedAt: number
}

export interface ApproveInit {
  cid: string
  label?: string
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * The code CIDs this node approved, in the `approvals` sublevel (key: the CID), mirrored in
 * memory so a job's check costs a set lookup. At most MAX_APPROVALS.
 */
export class ApprovalStore {
  private readonly db: Sublevel
  private loaded?: Promise<Map<string, Approval>>

  constructor (db: Sublevel) {
    this.db = db
  }

  /** Approves a CID (again: its label and time are updated); returns the approval. */
  async approve (init: ApproveInit): Promise<Approval> {
    const cid = parseCodeCid(init.cid)
    const all = await this.all()
    if (!all.has(cid) && all.size >= c.MAX_APPROVALS) throw new ApprovalLimitError(c.MAX_APPROVALS)
    const label = init.label?.slice(0, c.MAX_APPROVAL_LABEL)
    const approval: Approval = { cid, ...(label != null && label !== '' ? { label } : {}), approvedAt: Date.now() }
    await this.write(async () => { await this.db.put(cid, encoder.encode(JSON.stringify(approval))) })
    all.set(cid, approval)
    return approval
  }

  /** Withdraws an approval; ApprovalNotFoundError when there is none. */
  async remove (text: string): Promise<Approval> {
    const cid = parseCodeCid(text)
    const all = await this.all()
    const found = all.get(cid)
    if (found == null) throw new ApprovalNotFoundError(cid)
    await this.write(async () => { await this.db.del(cid) })
    all.delete(cid)
    return found
  }

  /** Every approval, oldest first. */
  async list (): Promise<Approval[]> {
    return [...(await this.all()).values()].sort((a, b) => a.approvedAt - b.approvedAt)
  }

  async has (cid: string): Promise<boolean> {
    return (await this.all()).has(cid)
  }

  private async write (work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (err) {
      throw readError((this.db.db as unknown as { location?: string }).location ?? 'the database', err)
    }
  }

  private async all (): Promise<Map<string, Approval>> {
    this.loaded ??= this.load()
    return this.loaded
  }

  private async load (): Promise<Map<string, Approval>> {
    const map = new Map<string, Approval>()
    for await (const [key, value] of this.db.iterator()) {
      try {
        const approval = JSON.parse(decoder.decode(value)) as Approval
        const cid = parseCodeCid(key)
        map.set(cid, { cid, approvedAt: Number(approval.approvedAt) || 0, ...(typeof approval.label === 'string' ? { label: approval.label } : {}) })
      } catch {
        // a record that does not decode approves nothing
      }
    }
    return map
  }
}

/**
 * The approvals of a data dir whose node is not running (the CLI's `approve` and `approvals`
 * commands then act on the store directly). Fails with StoreLockedError while a node runs on it.
 */
export async function openApprovals (dataDir: string): Promise<{ approvals: ApprovalStore, close: () => Promise<void> }> {
  const store = await openStore(databaseLocation(dataDir))
  return { approvals: new ApprovalStore(store.sublevel('approvals')), close: async () => { await store.close() } }
}
