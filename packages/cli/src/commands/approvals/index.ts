import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { codeCid, MAX_APPROVAL_LABEL, parseCodeCid } from '@grid-node/core'
import { UsageError } from '../../errors.js'
import { json, table } from '../../format.js'
import { flag, stringValue } from '../../options.js'
import { nodeOptions, onRunningNodeOr, withDataDirApprovals } from '../../running-node.js'
import { readJobFile } from '../run/job-file.js'
import type { ApprovalAnswer } from '../../api/shapes.js'
import type { Command, Context } from '../../options.js'
import type { ApproveInit } from '@grid-node/core'

const COMMON = nodeOptions('print JSON')

export const approve: Command = {
  name: 'approve',
  args: '<job.js|cid>',
  summary: 'Let a job\'s code run on this node\'s datasets when it was started with --approve-only: a job file (its CID is computed) or a code CID a requester was refused with.',
  options: {
    ...COMMON,
    label: { type: 'string', description: 'a note kept with the approval', default: 'the job file\'s name', placeholder: 'text' }
  },
  execute: async ({ values, positionals, io }: Context) => {
    if (positionals.length !== 1) throw new UsageError('give exactly one job file or code CID: grid-node approve job.js')
    const init = await approval(positionals[0] ?? '', stringValue(values, 'label'))
    const approved = await onRunningNodeOr(values,
      async api => api.post<ApprovalAnswer>('/v1/approvals', init),
      async () => withDataDirApprovals(values, async store => store.approve(init)))
    io.out(flag(values, 'json') ? json(approved) : `approved ${approved.cid}${approved.label != null ? ` (${approved.label})` : ''}`)
    return 0
  }
}

/**
 * What to approve: the CID of a job file (read and checked as `run` checks it, so the CID is
 * that of what `run` sends), or a CID given as it is. Text that is neither a file nor a CID
 * is a usage error, unless it looks like a path: then the missing file is the error.
 */
async function approval (target: string, label: string | undefined): Promise<ApproveInit> {
  if (label != null && label.length > MAX_APPROVAL_LABEL) throw new UsageError(`--label takes at most ${MAX_APPROVAL_LABEL} characters`)
  const isFile = await stat(target).then(() => true, () => false)
  if (isFile || /[/\\]|\.m?js$/i.test(target)) {
    const code = await readJobFile(target)
    return { cid: await codeCid(code), label: label ?? basename(target) }
  }
  return { cid: parseCodeCid(target), ...(label != null ? { label } : {}) }
}

export const approvalsLs: Command = {
  name: 'approvals ls',
  summary: 'List the code CIDs this node runs on its datasets when started with --approve-only.',
  options: COMMON,
  execute: async ({ values, io }: Context) => {
    const list = await onRunningNodeOr(values, async api => api.get<ApprovalAnswer[]>('/v1/approvals'), async () => withDataDirApprovals(values, async store => store.list()))
    if (flag(values, 'json')) io.out(json(list))
    else if (list.length === 0) io.out('no approved code; approve a job with `grid-node approve <job.js|cid>`')
    else io.out(table(['CID', 'APPROVED', 'LABEL'], list.map(a => [a.cid, new Date(a.approvedAt).toISOString(), a.label ?? ''])))
    return 0
  }
}

export const approvalsRm: Command = {
  name: 'approvals rm',
  args: '<cid>',
  summary: 'Withdraw the approval of a code CID: jobs with that code are refused again on an --approve-only node.',
  options: COMMON,
  execute: async ({ values, positionals, io }: Context) => {
    if (positionals.length !== 1) throw new UsageError('give exactly one code CID: grid-node approvals rm <cid> (see `grid-node approvals ls`)')
    const cid = parseCodeCid(positionals[0] ?? '')
    const removed = await onRunningNodeOr(values,
      async api => api.delete<ApprovalAnswer>(`/v1/approvals/${encodeURIComponent(cid)}`),
      async () => withDataDirApprovals(values, async store => store.remove(cid)))
    io.out(flag(values, 'json') ? json(removed) : `removed ${removed.cid}`)
    return 0
  }
}
