/**
 * Gossipsub as a libp2p service whose code is loaded while the node starts, not with the page:
 * a browser bundler puts `@libp2p/gossipsub` (a third of libp2p's weight in a tab) in a chunk of
 * its own, fetched by a dynamic `import()` begun when libp2p is created and awaited in `start()`.
 * Until then the service answers only what libp2p asks of every service (its lifecycle, its
 * capabilities); once started, every property is the real gossipsub's.
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { NotStartedError } from '../errors.js'
import type { GossipSub, GossipSubComponents, GossipsubOpts } from '@libp2p/gossipsub'
import type { Startable } from '@libp2p/interface'

/** What libp2p reads from a service before starting it: absent here, as on gossipsub itself. */
const LIFECYCLE_PROBES = new Set<string | symbol>(['beforeStart', 'afterStart', 'beforeStop', 'afterStop', 'then'])

export function lazyGossipsub (init: Partial<GossipsubOpts>): (components: GossipSubComponents) => GossipSub {
  return (components) => {
    const loading = import('@libp2p/gossipsub')
    // a failed load is reported by start(); not an unhandled rejection before it
    loading.catch(() => {})
    // the service gossipsub() makes is Startable; its public type does not say so
    let real: (GossipSub & Startable) | undefined
    const shell = {
      [Symbol.toStringTag]: '@libp2p/gossipsub',
      [serviceCapabilities]: ['@libp2p/pubsub'],
      [serviceDependencies]: ['@libp2p/identify'],
      start: async (): Promise<void> => {
        real ??= (await loading).gossipsub(init)(components) as GossipSub & Startable
        await real.start()
      },
      stop: async (): Promise<void> => { await real?.stop() }
    }
    return new Proxy(shell, {
      get (target, property) {
        if (property in target) return target[property as keyof typeof target]
        if (real == null) {
          if (typeof property === 'symbol' || LIFECYCLE_PROBES.has(property)) return undefined
          throw new NotStartedError()
        }
        const value: unknown = Reflect.get(real, property)
        return typeof value === 'function' ? value.bind(real) : value
      },
      has (target, property) { return property in target || (real != null && property in real) }
    }) as unknown as GossipSub
  }
}
