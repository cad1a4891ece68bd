/**
 * `start --approve-only` with real `grid-node start` processes: code is known by its CID, a
 * holder runs only approved CIDs on its datasets (refusing others with the CID), `approve` and
 * `approvals ls|rm` work through the running node or on its data dir, approvals survive a
 * restart, and a job whose code does not match the CID it was sent with is refused.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { codeCid, createGridNode } from '@grid-node/core'
import { peerIdFromString } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobEvent, JobRequest, Status } from '../packages/core/src/pb/grid.ts'
import { CliNode, eventually, freePort, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'

/** A protobuf varint, as the length prefix of a frame. */
function varint (value: number): number[] {
  const bytes: number[] = []
  for (; value >= 0x80; value >>>= 7) bytes.push((value & 0x7f) | 0x80)
  bytes.push(value)
  return bytes
}

/** The body of the first length-prefixed frame the stream brings. */
async function firstFrame (stream: AsyncIterable<{ subarray: () => Uint8Array }>): Promise<Uint8Array> {
  let bytes: number[] = []
  for await (const chunk of stream) {
    bytes = [...bytes, ...chunk.subarray()]
    let length = 0
    let at = 0
    for (let shift = 0; at < bytes.length; shift += 7) {
      const b = bytes[at++]!
      length += (b & 0x7f) * 2 ** shift
      if (b < 0x80) break
    }
    if (bytes.length >= at + length) return Uint8Array.from(bytes.slice(at, at + length))
  }
  throw new Error('the stream ended before a whole frame')
}

describe('grid-node start --approve-only', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  let holder: CliNode
  let holderDir: string
  let holderId: string
  let holderAddr: string
  let port: number
  let requester: CliNode
  let jobs: string
  let count: string
  let cid: string

  const run = async (file: string, ...where: string[]) => runCli(['run', file, ...(where.length > 0 ? where : ['--tag', '#cars']), '--args', '{"c": 8}', '--data-dir', requester.dataDir])
  const startHolder = (): CliNode => {
    const node = CliNode.start(holderDir, ['--approve-only', '--listen', `/ip4/127.0.0.1/tcp/${port}`])
    nodes.push(node)
    return node
  }

  beforeAll(async () => {
    jobs = await tempDir()
    holderDir = await tempDir()
    dirs.push(jobs, holderDir)
    const file = await writeRows(jobs, 'cars', 'json', await vegaRows('cars'))
    expect((await runCli(['datasets', 'add', file, '--tag', '#cars', '--data-dir', holderDir])).code).toBe(0)
    count = join(jobs, 'count.js')
    await writeFile(count, 'export default ({ data, args }) => data.filter(r => r.Cylinders === args.c).length\n')
    await writeFile(join(jobs, 'free.js'), 'export default ({ args }) => args.c * 2\n')
    cid = await codeCid(await readFile(count, 'utf8'))
    port = await freePort()
    holder = startHolder()
    const started = await holder.started()
    holderId = started.peerId
    holderAddr = started.bootstrapAddrs[0]!
    const requesterDir = await tempDir()
    dirs.push(requesterDir)
    requester = CliNode.start(requesterDir, ['--bootstrap', holderAddr])
    nodes.push(requester)
    await requester.event('ready')
    await eventually(async () => (await runCli(['search', '#cars', '--data-dir', requesterDir])).code === 0 ? true : undefined, 'the holder announced')
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('refuses code it has not approved with the CID; `approve job.js` prints the CID, then the code runs; data-free jobs need no approval', async () => {
    const refused = await run(count)
    expect(refused.code, refused.stdout).toBe(1)
    expect(refused.stderr).toMatch(new RegExp(`error \\(forbidden; [\\d.]+ s\\): this node runs only approved code on dataset "cars", and code ${cid} is not approved here; ask its operator to approve it \\(grid-node approve ${cid}\\)`))

    const approved = await runCli(['approve', count, '--data-dir', holderDir])
    expect([approved.code, approved.stdout.trim()], approved.stderr).toEqual([0, `approved ${cid} (count.js)`])
    const ran = await run(count)
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toMatch(/cars\s+result \([\d.]+ s\): 108/)

    const free = await run(join(jobs, 'free.js'), '--peer', holderId)
    expect([free.code, free.stderr]).toEqual([0, ''])
    expect(free.stdout).toMatch(/result \([\d.]+ s\): 16/)
  })

  it('lists approvals; bad CIDs, missing files and unknown approvals are clear errors, in the CLI and the API', async () => {
    const ls = await runCli(['approvals', 'ls', '--json', '--data-dir', holderDir])
    expect(JSON.parse(ls.stdout)).toEqual([{ cid, label: 'count.js', approvedAt: expect.any(Number) }])
    const table = await runCli(['approvals', 'ls', '--data-dir', holderDir])
    expect(table.stdout.trim()).toMatch(new RegExp(`^CID\\s+APPROVED\\s+LABEL\\n${cid}\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+count\\.js$`))

    const unknown = await codeCid('export default () => "never approved"')
    const rmUnknown = await runCli(['approvals', 'rm', unknown, '--data-dir', holderDir])
    expect([rmUnknown.code, rmUnknown.stderr]).toEqual([1, expect.stringContaining(`no approval of ${unknown} on this node`)])
    const rmBad = await runCli(['approvals', 'rm', 'bafy-nope', '--data-dir', holderDir])
    expect([rmBad.code, rmBad.stderr]).toEqual([2, expect.stringContaining('"bafy-nope" is not a job\'s code CID')])
    const missing = await runCli(['approve', join(jobs, 'missing.js'), '--data-dir', holderDir])
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/cannot read the job file .*missing\.js \(ENOENT\)/)])
    const notCid = await runCli(['approve', 'nope', '--data-dir', holderDir])
    expect([notCid.code, notCid.stderr]).toEqual([2, expect.stringContaining('"nope" is not a job\'s code CID')])

    const post = async (body: unknown) => holder.api<{ error?: string, name?: string }>('/v1/approvals', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(await post({ cid: 'nope' })).toEqual({ status: 400, body: { error: expect.stringContaining('"nope" is not a job\'s code CID'), name: 'CodeCidInvalidError' } })
    expect(await post({ cid, extra: 1 })).toMatchObject({ status: 400, body: { error: expect.stringContaining('unknown field "extra"') } })
    expect(await post({})).toMatchObject({ status: 400, body: { error: expect.stringContaining('"cid" must be a code CID') } })
    expect(await holder.api(`/v1/approvals/${unknown}`, { method: 'DELETE' })).toEqual({ status: 404, body: { error: expect.stringContaining(`no approval of ${unknown}`), name: 'ApprovalNotFoundError' } })
    expect(await holder.api('/v1/approvals/nope', { method: 'DELETE' })).toMatchObject({ status: 400, body: { name: 'CodeCidInvalidError' } })
    expect(await holder.api('/v1/approvals')).toEqual({ status: 200, body: [{ cid, label: 'count.js', approvedAt: expect.any(Number) }] })
  })

  it('refuses a job whose code does not hash to the CID sent with it, even an approved CID', async () => {
    const client = await createGridNode({ dataDir: join(jobs, 'client'), listen: [], bootstrap: [holderAddr], lan: true, dhtClient: true })
    try {
      await client.whenReady()
      const stream = await client.libp2p.dialProtocol(peerIdFromString(holderId), '/grid/main/compute/1.0.0')
      // the approved CID, with other code
      const body = JobRequest.encode({ id: 'liar', code: 'export default ({ data }) => data', dataset: 'cars', argsJson: 'null', timeoutMs: 0, codeCid: cid })
      stream.send(Uint8Array.from([...varint(body.byteLength), ...body]))
      const event = JobEvent.decode(await firstFrame(stream))
      const actual = await codeCid('export default ({ data }) => data')
      expect(event).toMatchObject({ type: JobEvent.Type.ERROR, status: Status.BAD_REQUEST, text: expect.stringContaining(`the job's code CID was sent as ${cid}, but its code is ${actual}`) })
      await stream.close()
    } finally {
      await client.stop()
    }
  })

  it('an approval survives a restart; removed, the code is refused again', async () => {
    expect(await holder.stop()).toBe(0)
    // no node: the data dir itself
    const ls = await runCli(['approvals', 'ls', '--json', '--data-dir', holderDir])
    expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ cid })])
    holder = startHolder()
    await holder.event('ready')
    const ran = await eventually(async () => { const r = await run(count); return r.code === 0 ? r : undefined }, 'the approved job runs on the restarted holder')
    expect(ran.stdout).toMatch(/cars\s+result \([\d.]+ s\): 108/)

    const removed = await runCli(['approvals', 'rm', cid, '--data-dir', holderDir])
    expect([removed.code, removed.stdout.trim()]).toEqual([0, `removed ${cid}`])
    const refused = await run(count)
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining(`code ${cid} is not approved here`)])
  })
})

describe('grid-node datasets add --approve-only', () => {
  const dirs: string[] = []
  const nodes: CliNode[] = []
  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('only that dataset needs approved code; the node runs any code on its others', async () => {
    const [files, holderDir, requesterDir] = [await tempDir(), await tempDir(), await tempDir()]
    dirs.push(files, holderDir, requesterDir)
    const file = await writeRows(files, 'cars', 'json', await vegaRows('cars'))
    const count = join(files, 'count.js')
    await writeFile(count, 'export default ({ data }) => data.length\n')
    expect((await runCli(['datasets', 'add', file, '--tag', '#open-cars', '--name', 'open', '--data-dir', holderDir])).code).toBe(0)
    const vetted = await runCli(['datasets', 'add', file, '--tag', '#vetted-cars', '--name', 'vetted', '--approve-only', '--data-dir', holderDir])
    expect([vetted.code, vetted.stdout.trim()]).toEqual([0, 'added vetted: 406 rows, 9 columns, #vetted-cars (public, approved code only)'])
    const holder = CliNode.start(holderDir)
    nodes.push(holder)
    const requester = CliNode.start(requesterDir, ['--bootstrap', (await holder.started()).bootstrapAddrs[0]!])
    nodes.push(requester)
    await requester.event('ready')
    await eventually(async () => (await runCli(['search', '#vetted-cars', '--data-dir', requesterDir])).code === 0 ? true : undefined, 'the holder announced')

    const open = await runCli(['run', count, '--tag', '#open-cars', '--data-dir', requesterDir])
    expect([open.code, open.stdout]).toEqual([0, expect.stringMatching(/open\s+result \([\d.]+ s\): 406/)])
    const cid = await codeCid(await readFile(count, 'utf8'))
    const refused = await runCli(['run', count, '--tag', '#vetted-cars', '--data-dir', requesterDir])
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining(`this node runs only approved code on dataset "vetted", and code ${cid} is not approved here`)])
    expect((await runCli(['approve', cid, '--data-dir', holderDir])).stdout.trim()).toBe(`approved ${cid}`)
    const ran = await runCli(['run', count, '--tag', '#vetted-cars', '--data-dir', requesterDir])
    expect([ran.code, ran.stdout]).toEqual([0, expect.stringMatching(/vetted\s+result \([\d.]+ s\): 406/)])
  })
})
