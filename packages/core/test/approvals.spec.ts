/**
 * The approvals of approve-only nodes (src/approvals.ts) and code CIDs (src/compute/code-cid.ts):
 * kept in the data dir's database across reopenings, checked in form, bounded in number.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openApprovals } from '../src/approvals.js'
import { codeCid, parseCodeCid } from '../src/compute/code-cid.js'
import * as c from '../src/constants.js'

const CODE = 'export default ({ data }) => data.length\n'

describe('code CIDs', () => {
  it('are CIDv1, raw, sha256 of the code\'s UTF-8 bytes: bafkrei…, the same for the same code', async () => {
    const cid = await codeCid(CODE)
    expect(cid).toMatch(/^bafkrei[a-z2-7]{52}$/)
    expect(await codeCid(CODE)).toBe(cid)
    expect(await codeCid(`${CODE} `)).not.toBe(cid)
    expect(parseCodeCid(` ${cid}\n`)).toBe(cid)
    expect(await codeCid('')).toBe('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')
  })

  it('anything else is a CodeCidInvalidError that says what a code CID is', () => {
    expect(() => parseCodeCid('nope')).toThrow(expect.objectContaining({ name: 'CodeCidInvalidError', message: expect.stringMatching(/"nope" is not a job's code CID \(it does not parse as a CID\)/) }))
    // a CIDv0 (dag-pb) and a CIDv1 of another codec
    expect(() => parseCodeCid('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')).toThrow(expect.objectContaining({ name: 'CodeCidInvalidError', message: expect.stringContaining('CIDv1 of raw bytes hashed with sha256') }))
    expect(() => parseCodeCid('bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')).toThrow(expect.objectContaining({ name: 'CodeCidInvalidError' }))
  })
})

describe('approvals', () => {
  const dirs: string[] = []
  afterEach(async () => { await Promise.all(dirs.splice(0).map(async d => rm(d, { recursive: true, force: true }))) })
  const dataDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'grid-approvals-'))
    dirs.push(dir)
    return dir
  }

  it('approve, list, remove; kept across reopening the data dir', async () => {
    const dir = await dataDir()
    const cid = await codeCid(CODE)
    const first = await openApprovals(dir)
    const approved = await first.approvals.approve({ cid, label: 'count.js' })
    expect(approved).toEqual({ cid, label: 'count.js', approvedAt: expect.any(Number) })
    expect(await first.approvals.has(cid)).toBe(true)
    await first.close()

    const again = await openApprovals(dir)
    expect(await again.approvals.list()).toEqual([approved])
    expect(await again.approvals.remove(cid)).toEqual(approved)
    expect(await again.approvals.has(cid)).toBe(false)
    await expect(again.approvals.remove(cid)).rejects.toMatchObject({ name: 'ApprovalNotFoundError', message: expect.stringContaining(`no approval of ${cid}`) })
    await expect(again.approvals.approve({ cid: 'bafy-nope' })).rejects.toMatchObject({ name: 'CodeCidInvalidError' })
    await again.close()
    const last = await openApprovals(dir)
    expect(await last.approvals.list()).toEqual([])
    await last.close()
  })

  it(`keeps at most ${c.MAX_APPROVALS}; approving one again is not one more`, async () => {
    const dir = await dataDir()
    const { approvals, close } = await openApprovals(dir)
    try {
      const cids = await Promise.all(Array.from({ length: c.MAX_APPROVALS }, async (_, i) => codeCid(`export default () => ${i}`)))
      for (const cid of cids) await approvals.approve({ cid })
      await expect(approvals.approve({ cid: await codeCid('export default () => -1') })).rejects.toMatchObject({ name: 'ApprovalLimitError' })
      await approvals.approve({ cid: cids[0]!, label: 'again' })
      expect((await approvals.list()).length).toBe(c.MAX_APPROVALS)
    } finally {
      await close()
    }
  }, 30_000)
})
