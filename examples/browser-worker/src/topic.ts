import { element, item, shortId } from './dom.js'
import type { GridNode } from '@grid-node/core'

/**
 * A pub/sub topic, as in a chat: join one (this tab subscribes to it on the grid), see each
 * message as it comes, with its sender, and send messages to everyone subscribed.
 */
export function bindTopic (node: () => GridNode | undefined): void {
  let joined: AbortController | undefined
  element<HTMLFormElement>('topic-join').addEventListener('submit', event => {
    event.preventDefault()
    const current = node()
    const topic = element<HTMLInputElement>('topic').value.trim()
    if (current == null || topic === '') return
    joined?.abort()
    const controller = joined = new AbortController()
    void follow(current, topic, controller.signal)
  })
  element<HTMLFormElement>('topic-send').addEventListener('submit', event => {
    event.preventDefault()
    const current = node()
    const input = element<HTMLInputElement>('topic-message')
    const topic = element<HTMLInputElement>('topic').value.trim()
    if (current == null || input.value === '') return
    const status = element('topic-status')
    current.pubsub.publish(topic, input.value).then(peers => {
      status.textContent = peers > 0 ? `sent to ${peers} peer${peers === 1 ? '' : 's'}` : 'nobody else is subscribed yet'
      input.value = ''
    }, (err: any) => { status.textContent = String(err.message ?? err) })
  })
}

async function follow (node: GridNode, topic: string, signal: AbortSignal): Promise<void> {
  const messages = element<HTMLOListElement>('topic-messages')
  const status = element('topic-status')
  messages.replaceChildren()
  try {
    const subscription = node.pubsub.subscribe(topic, { signal })
    status.textContent = `following ${topic}`
    for await (const m of subscription) {
      if (m.dropped != null) messages.append(item(`(${m.dropped} messages dropped: this page fell behind)`))
      const own = m.from.equals(node.peerId)
      const entry = item(`${new Date(m.receivedAt).toLocaleTimeString()} ${own ? 'you' : shortId(m.from.toString())}: ${m.text ?? `(${m.data.byteLength} bytes)`}`, m.from.toString())
      entry.dataset.from = m.from.toString()
      messages.append(entry)
      // keep the last 200 on the page
      while (messages.childElementCount > 200) messages.firstElementChild?.remove()
    }
  } catch (err: any) {
    status.textContent = String(err.message ?? err)
  }
}
