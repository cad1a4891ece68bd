import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { NotStartedError } from '../src/errors.js'
import { lazyGossipsub } from '../src/pubsub/lazy-gossipsub.js'
import type { GossipSubComponents } from '@libp2p/gossipsub'

describe('gossipsub loaded when the node starts', () => {
  it('answers libp2p as gossipsub does before it is loaded, and refuses the rest with NotStartedError', () => {
    const service = lazyGossipsub({})({} as unknown as GossipSubComponents) as any
    expect(service[serviceCapabilities]).toEqual(['@libp2p/pubsub'])
    expect(service[serviceDependencies]).toEqual(['@libp2p/identify'])
    expect(typeof service.start).toBe('function')
    expect(typeof service.stop).toBe('function')
    expect(service.afterStart).toBeUndefined()
    expect(service.then).toBeUndefined()
    expect(() => service.subscribe('t')).toThrow(NotStartedError)
    expect('subscribe' in service).toBe(false)
  })
})
