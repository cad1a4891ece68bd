/**
 * What the page's URL asks for: `?bootstrap=<multiaddr>` (repeatable), `?lan=1`, `?worker=0`,
 * `?network=`, `?pool=`, and `?webrtc=0` (no WebRTC: other tabs reach this one through the relay
 * only, as benchmarks compare).
 */
export interface PageParams {
  bootstrap: string[]
  lan: boolean
  worker: boolean
  webrtc: boolean
  network?: string
  poolSize?: number
}

export function readParams (search: string = location.search): PageParams {
  const query = new URLSearchParams(search)
  const pool = Number(query.get('pool'))
  return {
    bootstrap: query.getAll('bootstrap').map(a => a.trim()).filter(a => a !== ''),
    lan: query.get('lan') === '1',
    // every open tab is a worker, as in the old lambdas runner, unless the page says otherwise
    worker: query.get('worker') !== '0',
    webrtc: query.get('webrtc') !== '0',
    ...(query.get('network') != null ? { network: query.get('network') as string } : {}),
    ...(Number.isInteger(pool) && pool > 0 ? { poolSize: pool } : {})
  }
}

/** Keeps the URL in step with the form, so a reload joins the same grid the same way. */
export function rememberParams (bootstrap: string[], lan: boolean): void {
  const query = new URLSearchParams(location.search)
  query.delete('bootstrap')
  for (const addr of bootstrap) query.append('bootstrap', addr)
  if (lan) query.set('lan', '1')
  else query.delete('lan')
  history.replaceState(null, '', `${location.pathname}?${query.toString()}`)
}
