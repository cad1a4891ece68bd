import { PathInvalidError } from './errors.js'
import { readJsonBody } from './http.js'
import { ApproveBody } from './schemas.js'
import type { Route } from './route.js'
import type { ApprovalAnswer } from './shapes.js'
import type { GridNode } from '@grid-node/core'
import type { IncomingMessage } from 'node:http'

/** The code CIDs this node runs on its datasets when started with --approve-only. */
export const approvalRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/approvals$/, handler: async (node) => node.approvals.list() },
  { method: 'POST', pattern: /^\/v1\/approvals$/, handler: approve },
  { method: 'DELETE', pattern: /^\/v1\/approvals\/([^/]+)$/, handler: remove }
]

/** `POST /v1/approvals {"cid","label"?}`: the approval; `400` CodeCidInvalidError, `409` ApprovalLimitError. */
async function approve (node: GridNode, req: IncomingMessage): Promise<ApprovalAnswer> {
  const body = await readJsonBody(req, ApproveBody)
  return node.approvals.approve({ cid: body.cid, ...(body.label != null ? { label: body.label } : {}) })
}

/** `DELETE /v1/approvals/<cid>`: the removed approval; `404` ApprovalNotFoundError. */
async function remove (node: GridNode, _req: IncomingMessage, [encoded]: string[]): Promise<ApprovalAnswer> {
  let cid: string
  try {
    cid = decodeURIComponent(encoded ?? '')
  } catch {
    throw new PathInvalidError(`"${(encoded ?? '').slice(0, 80)}" is not a URL-encoded code CID`)
  }
  return node.approvals.remove(cid)
}
