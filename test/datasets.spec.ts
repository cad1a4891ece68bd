import { appendFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliNode, removeDir, runCli, tempDir } from './helpers/cli.js'
import { vegaRows, writeRows } from './helpers/vega.js'

describe('datasets through the CLI', () => {
  let root: string
  let dataDir: string
  let good: string
  const ls = async (): Promise<unknown> => JSON.parse((await runCli(['datasets', 'ls', '--json', '--data-dir', dataDir])).stdout)

  beforeAll(async () => {
    root = await tempDir()
    dataDir = join(root, 'node')
    good = await writeRows(root, 'cars', 'csv', (await vegaRows('cars')).slice(0, 50))
    const added = await runCli(['datasets', 'add', good, '--tag', '#Cars', '--description', 'fifty cars', '--data-dir', dataDir])
    expect(added.code, added.stderr).toBe(0)
    expect(added.stdout).toMatch(/added cars: 50 rows, 9 columns, #cars \(public\)/)
  })

  afterAll(async () => { await removeDir(root) })

  const bad: Array<[string, string, string, number, RegExp]> = [
    ['a CSV row with too many cells', 'bad.csv', 'a,b\n1,2\n3,4,5\n', 1, /bad\.csv:3: .*columns length is 2, got 3/],
    ['JSON that does not parse', 'bad.json', '[{"a": 1},\n{"a": }]', 1, /bad\.json:2: not valid JSON/],
    ['JSON that is not an array', 'object.json', '{"a": 1}', 1, /object\.json:1: a JSON dataset must be an array of objects/],
    ['a JSONL line that does not parse', 'bad.jsonl', '{"a":1}\n{"a":\n', 1, /bad\.jsonl:2: not valid JSON/],
    ['a JSONL line that is not an object', 'list.jsonl', '{"a":1}\n[1,2]\n', 1, /list\.jsonl:2: the line is not an object/],
    ['an unknown extension', 'data.txt', 'a,b\n1,2\n', 1, /cannot tell the format of .*data\.txt: name it \.csv, \.json or \.jsonl/]
  ]
  it.each(bad)('%s: names file, line and reason; the store is as before', async (_what, name, content, code, message) => {
    const before = await ls()
    const file = join(root, name)
    await writeFile(file, content)
    const r = await runCli(['datasets', 'add', file, '--tag', '#x', '--data-dir', dataDir])
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/^\s+at /m)
    expect(await ls()).toEqual(before)
  })

  it('a missing file, a bad tag, a duplicate name, no tag: clear errors, store unchanged', async () => {
    const before = await ls()
    const missing = await runCli(['datasets', 'add', join(root, 'nope.csv'), '--tag', '#x', '--data-dir', dataDir])
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/cannot read dataset file .*nope\.csv \(ENOENT\)/)])
    const badTag = await runCli(['datasets', 'add', good, '--tag', '#no spaces', '--name', 'other', '--data-dir', dataDir])
    expect([badTag.code, badTag.stderr]).toEqual([2, expect.stringMatching(/invalid tag "#no spaces"/)])
    const duplicate = await runCli(['datasets', 'add', good, '--tag', '#x', '--data-dir', dataDir])
    expect([duplicate.code, duplicate.stderr]).toEqual([1, expect.stringMatching(/a dataset named "cars" already exists/)])
    const noTag = await runCli(['datasets', 'add', good, '--data-dir', dataDir])
    expect([noTag.code, noTag.stderr]).toEqual([2, expect.stringMatching(/at least one --tag/)])
    expect(await ls()).toEqual(before)
  })

  it('notices a file that changed or disappeared, in ls and in the descriptor', async () => {
    const file = await writeRows(root, 'moving', 'jsonl', [{ a: 1 }, { a: 2 }])
    expect((await runCli(['datasets', 'add', file, '--tag', '#moving', '--data-dir', dataDir])).code).toBe(0)
    await appendFile(file, '{"a":3}\n')
    expect((await ls() as any[]).find(d => d.name === 'moving').status).toBe('changed')
    expect((await runCli(['datasets', 'ls', '--data-dir', dataDir])).stdout).toMatch(/moving .*changed: the file is not what was added/)
    await rm(file)
    expect((await ls() as any[]).find(d => d.name === 'moving').status).toBe('missing')
    expect((await runCli(['datasets', 'rm', 'moving', '--data-dir', dataDir])).code).toBe(0)
    expect((await runCli(['datasets', 'rm', 'moving', '--data-dir', dataDir])).stderr).toMatch(/no dataset named "moving"/)
  })

  it('acts on the running node through its API, which answers bad bodies with 4xx', async () => {
    const node = CliNode.start(dataDir)
    try {
      await node.started()
      const list = await runCli(['datasets', 'ls', '--data-dir', dataDir])
      expect(list.stdout).toMatch(/^cars\s+50\s+9\s+#cars\s+public\s+ok$/m)
      const json = await runCli(['datasets', 'add', good, '--name', 'cars-again', '--tag', '#cars', '--private', '--json', '--data-dir', dataDir])
      expect(JSON.parse(json.stdout)).toMatchObject({ name: 'cars-again', rows: 50, visibility: 'private', status: 'ok' })
      const post = async (body: string): Promise<{ status: number, body: any }> => node.api('/v1/datasets', { method: 'POST', body, headers: { 'content-type': 'application/json' } })
      expect((await post('not json')).status).toBe(400)
      expect((await post(JSON.stringify({ tags: ['#x'], rows: 'x'.repeat(70_000) }))).status).toBe(413)
      expect(await post(JSON.stringify({ tags: ['#x'], path: good, name: 'cars' }))).toEqual({ status: 409, body: { error: expect.stringMatching(/already exists/), name: 'DatasetExistsError' } })
      expect((await post(JSON.stringify({ tags: ['bad tag'], rows: [{ a: 1 }] }))).status).toBe(400)
      expect((await post(JSON.stringify({ tags: '#x', rows: [{ a: 1 }] }))).status).toBe(400)
      expect((await node.api('/v1/datasets/nope', { method: 'DELETE' })).status).toBe(404)
      expect((await node.api<any[]>('/v1/datasets')).body.map(d => d.name).sort()).toEqual(['cars', 'cars-again'])
    } finally {
      await node.stop()
    }
  })
})
