/**
 * ResultScores: who returned minority results in replicated runs, kept in the store's `scores`
 * sublevel so a liar stays avoided across restarts; bounded.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ResultScores } from '../src/compute/result-scores.js'
import { openStore } from '../src/store/store.js'

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'grid-scores-')) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

describe('ResultScores', () => {
  it('a peer with a minority result is avoided, also after the database is opened again', async () => {
    const store = await openStore(join(dir, 'db'))
    const scores = new ResultScores(store.sublevel('scores'))
    await scores.record(['a', 'c'], ['b'])
    expect(await scores.split(['b', 'a', 'c'])).toEqual({ preferred: ['a', 'c'], avoided: ['b'] })
    await store.close()
    const again = await openStore(join(dir, 'db'))
    const reopened = new ResultScores(again.sublevel('scores'))
    expect(await reopened.avoided('b')).toBe(true)
    expect(await reopened.get('a')).toMatchObject({ agreed: 1, minority: 0 })
    await again.close()
  })

  it('one lie takes ten agreements to forgive; the worst liar is tried last', async () => {
    const store = await openStore(join(dir, 'db'))
    const scores = new ResultScores(store.sublevel('scores'))
    await scores.record([], ['b', 'x'])
    await scores.record([], ['x'])
    for (let i = 0; i < 9; i++) await scores.record(['b'], [])
    expect((await scores.split(['x', 'b', 'a'])).avoided).toEqual(['b', 'x'])
    await scores.record(['b'], [])
    expect(await scores.split(['x', 'b', 'a'])).toEqual({ preferred: ['b', 'a'], avoided: ['x'] })
    await store.close()
  })

  it('keeps at most 4096 peers; the liars stay when strangers flood in', async () => {
    const store = await openStore(join(dir, 'db'))
    const scores = new ResultScores(store.sublevel('scores'))
    await scores.record([], ['liar'])
    for (let i = 0; i < 41; i++) await scores.record(Array.from({ length: 100 }, (_, j) => `p${i * 100 + j}`), [])
    expect(await scores.avoided('liar')).toBe(true)
    expect(await store.sublevel('scores').keys().all()).toHaveLength(4096)
    await store.close()
  })
})
