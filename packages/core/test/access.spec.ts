/**
 * The whole access policy of a node, in one file: who sees which dataset, who may run jobs here,
 * and what the node says it offers.
 */
import { describe, expect, it } from 'vitest'
import { AccessPolicy, isPublic, maySee, visibilityOf } from '../src/access.js'
import { MAX_JOBS_PER_PEER } from '../src/constants.js'

const STRANGER = '12D3KooWStranger'
const FRIEND = '12D3KooWFriend'
const publicSet = { visibility: 'public' as const, allow: [] }
const sharedWithFriend = { visibility: 'private' as const, allow: [FRIEND] }
const sharedWithNobody = { visibility: 'private' as const, allow: [] }

describe('access: datasets', () => {
  it('a dataset added as private or with peers allowed is private; any other is public', () => {
    expect(visibilityOf({})).toBe('public')
    expect(visibilityOf({ private: false, allow: [] })).toBe('public')
    expect(visibilityOf({ private: true })).toBe('private')
    expect(visibilityOf({ allow: [FRIEND] })).toBe('private')
  })

  it('only a public dataset is announced', () => {
    expect(isPublic(publicSet)).toBe(true)
    expect(isPublic(sharedWithFriend)).toBe(false)
    expect(isPublic(sharedWithNobody)).toBe(false)
  })

  it('a stranger sees a public dataset and no private one', () => {
    expect(maySee(publicSet, STRANGER)).toBe(true)
    expect(maySee(sharedWithFriend, STRANGER)).toBe(false)
    expect(maySee(sharedWithNobody, STRANGER)).toBe(false)
  })

  it('an allowed peer sees the private dataset shared with it, and no other private one', () => {
    expect(maySee(publicSet, FRIEND)).toBe(true)
    expect(maySee(sharedWithFriend, FRIEND)).toBe(true)
    expect(maySee(sharedWithNobody, FRIEND)).toBe(false)
  })

  it('without a peer (what this node offers to anyone) only public datasets count', () => {
    expect(maySee(publicSet)).toBe(true)
    expect(maySee(sharedWithFriend)).toBe(false)
  })

  it('a descriptor stored without an allow-list shares with nobody', () => {
    expect(maySee({ visibility: 'private', allow: undefined as unknown as string[] }, FRIEND)).toBe(false)
  })
})

describe('access: compute', () => {
  it('open by default: anyone may run a job, and the node offers #compute:js', () => {
    const access = new AccessPolicy()
    expect(access.openToAll).toBe(true)
    expect(access.offering).toBe(true)
    expect(access.jobRefusal(STRANGER, 1)).toBeUndefined()
    expect(access.capabilities()).toEqual(['#compute:js'])
  })

  it('allow-listed: only the peers on the list may run jobs, and #compute:js is not offered', () => {
    const access = new AccessPolicy({ allow: [FRIEND] })
    expect(access.openToAll).toBe(false)
    expect(access.jobRefusal(FRIEND, 1)).toBeUndefined()
    expect(access.jobRefusal(STRANGER, 1)).toEqual({ status: 'forbidden', message: 'this node runs jobs only for the peers on its allow-list' })
    expect(access.capabilities()).toEqual([])
  })

  it('an empty allow-list lets nobody in', () => {
    const access = new AccessPolicy({ allow: [] })
    expect(access.jobRefusal(FRIEND, 1)).toMatchObject({ status: 'forbidden' })
  })

  it('offering off: nobody may run a job, allowed or not, and #compute:js is withdrawn; on again restores both', () => {
    const access = new AccessPolicy({ offer: false })
    expect(access.offering).toBe(false)
    expect(access.jobRefusal(STRANGER, 1)).toEqual({ status: 'forbidden', message: 'this peer is not running jobs for others right now' })
    expect(access.capabilities()).toEqual([])
    access.offering = true
    expect(access.jobRefusal(STRANGER, 1)).toBeUndefined()
    expect(access.capabilities()).toEqual(['#compute:js'])
    const listed = new AccessPolicy({ allow: [FRIEND], offer: false })
    expect(listed.jobRefusal(FRIEND, 1)).toEqual({ status: 'forbidden', message: 'this peer is not running jobs for others right now' })
  })

  it('a peer may have maxJobsPerPeer jobs here at once; one more is busy', () => {
    const access = new AccessPolicy({ maxJobsPerPeer: 2 })
    expect(access.jobRefusal(STRANGER, 2)).toBeUndefined()
    expect(access.jobRefusal(STRANGER, 3)).toEqual({ status: 'busy', message: 'you already have 2 jobs here; wait for one to finish' })
    expect(new AccessPolicy().jobRefusal(STRANGER, MAX_JOBS_PER_PEER + 1)).toMatchObject({ status: 'busy' })
    expect(new AccessPolicy().jobRefusal(STRANGER, MAX_JOBS_PER_PEER)).toBeUndefined()
  })

  it('refusals come in order: offering, then the allow-list, then the per-peer count', () => {
    const access = new AccessPolicy({ allow: [FRIEND], maxJobsPerPeer: 1 })
    expect(access.jobRefusal(STRANGER, 5)).toMatchObject({ status: 'forbidden' })
    access.offering = false
    expect(access.jobRefusal(FRIEND, 5)?.message).toBe('this peer is not running jobs for others right now')
  })
})
