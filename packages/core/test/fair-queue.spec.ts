import { describe, expect, it } from 'vitest'
import { FairQueue } from '../src/compute/fair-queue.js'

describe('FairQueue', () => {
  it('serves owners in turns, each owner first come first served', () => {
    const q = new FairQueue<string>()
    for (let i = 1; i <= 4; i++) q.push('flood', `f${i}`)
    q.push('b', 'b1')
    q.push('c', 'c1')
    q.push('b', 'b2')
    expect(q.size).toBe(7)
    const order: string[] = []
    for (let item = q.shift(); item != null; item = q.shift()) order.push(item)
    expect(order).toEqual(['f1', 'b1', 'c1', 'f2', 'b2', 'f3', 'f4'])
    expect(q.size).toBe(0)
  })

  it('a newcomer waits at most one item per other owner, however long their lines', () => {
    const q = new FairQueue<string>()
    for (let i = 0; i < 100; i++) q.push('flood', `f${i}`)
    expect(q.ahead('newcomer')).toBe(1)
    q.push('newcomer', 'n1')
    expect(q.shift()).toBe('f0')
    expect(q.shift()).toBe('n1')
    expect(q.ahead('flood')).toBe(99)
  })

  it('removes an item wherever it waits, and forgets an owner whose line empties', () => {
    const q = new FairQueue<string>()
    q.push('a', 'a1')
    q.push('b', 'b1')
    q.push('a', 'a2')
    expect(q.remove('b', 'b1')).toBe(true)
    expect(q.remove('b', 'b1')).toBe(false)
    expect(q.remove('x', 'a1')).toBe(false)
    expect(q.size).toBe(2)
    expect([q.shift(), q.shift(), q.shift()]).toEqual(['a1', 'a2', undefined])
  })

  it('drains everything', () => {
    const q = new FairQueue<number>()
    q.push('a', 1)
    q.push('b', 2)
    expect(q.drain().sort()).toEqual([1, 2])
    expect(q.size).toBe(0)
    expect(q.shift()).toBeUndefined()
  })
})
