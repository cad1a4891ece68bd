import { element } from './dom.js'
import { logNote } from './log.js'
import type { GridNode } from '@grid-node/core'

/** The worker switch and the pool-size control. */
export function bindWorker (node: () => GridNode | undefined): void {
  const offer = element<HTMLInputElement>('offer')
  offer.addEventListener('change', () => {
    const current = node()
    if (current == null) return
    void current.offerCompute(offer.checked).then(() => {
      logNote(offer.checked ? 'this tab now runs jobs for the grid' : 'this tab stopped taking jobs')
    })
  })
  const size = element<HTMLInputElement>('pool-size')
  size.addEventListener('change', () => {
    const n = Number(size.value)
    if (!Number.isInteger(n) || n < 1) return
    node()?.resizePool(n)
    logNote(`pool resized to ${n} (queued jobs kept)`)
  })
}
