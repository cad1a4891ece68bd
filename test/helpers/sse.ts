import { readSse } from '../../packages/cli/src/api/sse.js'
import type { SseItem } from '../../packages/cli/src/api/sse.js'
import type { GridEvent } from '@grid-node/core'

/** A reader of a node's `GET /v1/events`, keeping every event and comment it gets, with their arrival times. */
export class SseClient {
  readonly events: Array<GridEvent & { wireId?: string, wireType: string, receivedAt: number }> = []
  readonly comments: string[] = []
  status = 0
  contentType = ''
  ended = false
  private readonly controller = new AbortController()
  private readonly done: Promise<void>

  private constructor (private readonly res: Response) {
    this.status = res.status
    this.contentType = res.headers.get('content-type') ?? ''
    this.done = this.read()
  }

  static async open (url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const controller = new AbortController()
    const res = await fetch(url, { headers, signal: controller.signal })
    const client = new SseClient(res)
    client.controller.signal.addEventListener('abort', () => { controller.abort() })
    return client
  }

  private async read (): Promise<void> {
    if (!this.res.ok || this.res.body == null) return
    try {
      for await (const item of readSse(this.res.body) as AsyncGenerator<SseItem>) {
        if (item.kind === 'comment') this.comments.push(item.text)
        else this.events.push({ ...JSON.parse(item.data), ...(item.id != null ? { wireId: item.id } : {}), wireType: item.event, receivedAt: Date.now() })
      }
    } catch {} finally {
      this.ended = true
    }
  }

  async waitFor (check: (events: GridEvent[]) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!check(this.events)) {
      if (this.ended) throw new Error(`the event stream ended before ${what}; got ${this.types().join(' ')}`)
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; got ${this.types().join(' ')}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  types (): string[] { return this.events.map(e => e.type) }

  async close (): Promise<void> {
    this.controller.abort()
    await this.done
  }
}
