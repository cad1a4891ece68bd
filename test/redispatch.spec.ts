import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createGridNode } from '@grid-node/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, eventually, removeDir, runCli, tempDir } from './helpers/cli.js'
import type { GridNode, RunEvent } from '@grid-node/core'

/** Busy for about two seconds, then answers with the row count. */
const SLOW = 'export default ({ data }) => { const end = Date.now() + 2000; while (Date.now() < end) {} return data.length }'

describe('the scheduler survives a holder killed mid-job', () => {
  const dirs: string[] = []
  const holders = new Map<string, CliNode>()
  let requester: GridNode
  let bootstrap: string

  const startHolder = async (tag: string, file: string): Promise<void> => {
    const dir = await tempDir()
    dirs.push(dir)
    expect((await runCli(['datasets', 'add', file, '--name', 'shared', '--tag', tag, '--data-dir', dir])).code).toBe(0)
    const node = CliNode.start(dir, ['--bootstrap', bootstrap])
    holders.set((await node.started()).peerId, node)
    await node.event('ready')
  }

  /** Runs the job; kills (-9) whichever holder starts it first; returns every event. */
  const runKillingFirst = async (tag: string): Promise<RunEvent[]> => {
    const events: RunEvent[] = []
    let killed = false
    for await (const event of requester.run({ tags: [tag], code: SLOW, retries: 2 })) {
      events.push(event)
      if (event.type === 'started' && !killed) {
        killed = true
        holders.get(event.peerId)?.child.kill('SIGKILL')
      }
    }
    return events
  }

  beforeAll(async () => {
    const dir = await tempDir()
    dirs.push(dir)
    requester = await createGridNode({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], lan: true })
    bootstrap = requester.shareableAddrs()[0]!.toString()
    const file = join(dir, 'rows.jsonl')
    await writeFile(file, '{"a":1}\n{"a":2}\n{"a":3}\n')
    await startHolder('#twice', file)
    await startHolder('#twice', file)
    await startHolder('#once', file)
    await eventually(async () => (await requester.searchAll(['#twice'], { cache: false })).length === 2 ? true : undefined, 'both #twice holders announced', 60_000)
    await eventually(async () => (await requester.searchAll(['#once'], { cache: false })).length === 1 ? true : undefined, 'the #once holder announced', 60_000)
  })

  afterAll(async () => {
    await requester.stop()
    await Promise.all([...holders.values()].map(async n => n.stop()))
    await Promise.all(dirs.map(removeDir))
  })

  it('redispatches to the other holder of the same data and delivers exactly one result', async () => {
    const events = await runKillingFirst('#twice')
    const dispatched = events.filter(e => e.type === 'dispatched')
    expect(dispatched.map(e => (e as { attempt: number }).attempt)).toEqual([0, 1])
    expect(new Set(dispatched.map(e => e.peerId)).size).toBe(2)
    const finals = events.filter(e => e.type === 'result' || e.type === 'error')
    expect(finals).toEqual([expect.objectContaining({ type: 'result', value: 3, peerId: dispatched[1]!.peerId, dataset: 'shared' })])
  })

  it('with no other holder, ends in one clear error', async () => {
    const events = await runKillingFirst('#once')
    const finals = events.filter(e => e.type === 'result' || e.type === 'error')
    expect(finals).toEqual([expect.objectContaining({ type: 'error', message: expect.stringMatching(/^no result: .* went away/) })])
  })

  it('a tag nobody holds is one error, not silence', async () => {
    expect(await requester.runAll({ tags: ['#nobody'], code: SLOW })).toEqual([expect.objectContaining({ type: 'error', status: 'not-found', message: 'no live holder found for #nobody' })])
  })
})
