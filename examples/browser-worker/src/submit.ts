import { element } from './dom.js'
import { logNote, logSubmitted } from './log.js'
import type { GridNode } from '@grid-node/core'

/**
 * Sends the form's job to a `#compute:js` worker of the grid. With no peer reachable it runs
 * in this tab's own pool instead (local fallback).
 */
export function bindSubmit (node: () => GridNode | undefined): void {
  element<HTMLFormElement>('submit').addEventListener('submit', event => {
    event.preventDefault()
    const current = node()
    if (current == null) return
    let args: unknown
    try {
      args = JSON.parse(element<HTMLInputElement>('args').value)
    } catch {
      logNote('args must be JSON, e.g. {"values":[1,2,3]}')
      return
    }
    void submit(current, element<HTMLTextAreaElement>('code').value, args)
  })
}

async function submit (node: GridNode, code: string, args: unknown): Promise<void> {
  const self = node.peerId.toString()
  try {
    for await (const event of node.run({ code, args, allowLocal: true })) logSubmitted(event, self)
  } catch (err: any) {
    logNote(`the job could not be sent: ${String(err.message ?? err)}`)
  }
}
