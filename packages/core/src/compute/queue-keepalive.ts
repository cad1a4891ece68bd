import * as c from '../constants.js'

/**
 * While a job waits in the queue, the holder tells the requester so (an `accepted` event with
 * the job's current place) at once and every QUEUE_KEEPALIVE_INTERVAL: a requester that hears
 * nothing for longer knows the holder went silent.
 */
export class QueueKeepalive {
  private readonly timer: ReturnType<typeof setInterval>

  constructor (tell: () => void) {
    tell()
    this.timer = setInterval(tell, c.QUEUE_KEEPALIVE_INTERVAL)
  }

  stop (): void {
    clearInterval(this.timer)
  }
}
