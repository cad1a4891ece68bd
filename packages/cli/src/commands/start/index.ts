import { readFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { createGridNode, DEFAULT_LISTEN, DEFAULT_NETWORK, DEFAULT_SECURE_WEBSOCKETS_LISTEN, LIVENESS_INTERVAL, LIVENESS_MISSES, LIVENESS_TIMEOUT, MAX_DATASET_FILE_BYTES, PROVIDE_VALIDITY, validateInit } from '@grid-node/core'
import { attachMetrics } from '../../api/metrics-routes.js'
import { startApiServer } from '../../api/server.js'
import { apiToken, DATA_DIR_OPTION, dataDirOf, prepareDataDir, removeApiFile, removeDataDir, writeApiFile } from '../../data-dir.js'
import { engineOption, engineValue } from '../../engine-option.js'
import { UsageError } from '../../errors.js'
import { LAN_OPTIONS, lanSetting, publicRanges } from '../../lan-option.js'
import { createNodeMetrics } from '../../metrics/node-metrics.js'
import { byteCount } from '../../format.js'
import { flag, listValue, peerIdList, stringValue, wholeNumberValue } from '../../options.js'
import { API_OPTION, runningApiUrl } from '../../running-node.js'
import { DEFAULT_API, parseApiAddress } from './api-address.js'
import { announce } from './output.js'
import type { Command, Context, Values } from '../../options.js'
import type { StartAnnouncer } from './output.js'
import type { GridEvent, GridNode, GridNodeInit } from '@grid-node/core'

/** How often `start` looks for a change of the address policy or a new address warning. */
const ADDRESS_CHECK_INTERVAL = 2_000

/** The port core adds for wss:// when given a certificate, as --help names it. */
const TLS_PORT = multiaddr(DEFAULT_SECURE_WEBSOCKETS_LISTEN).getComponents().find(c => c.name === 'tcp')?.value

export const start: Command = {
  name: 'start',
  summary: 'Run a grid node until Ctrl-C: join the grid through --bootstrap or the peers it remembers, and serve the local API.',
  options: {
    'data-dir': DATA_DIR_OPTION,
    listen: { type: 'string', multiple: true, description: 'multiaddr to listen on', default: DEFAULT_LISTEN.join(' and '), placeholder: 'multiaddr' },
    bootstrap: { type: 'string', multiple: true, description: 'multiaddr of a peer to join through', placeholder: 'multiaddr' },
    network: { type: 'string', description: 'the grid to join; grids with different names never mix', default: DEFAULT_NETWORK, placeholder: 'name' },
    ...LAN_OPTIONS,
    'no-relay': { type: 'boolean', description: 'do not relay for browser tabs (the circuit relay is on by default)' },
    'no-metrics': { type: 'boolean', description: 'do not serve /metrics (libp2p\'s and the grid\'s Prometheus metrics, on by default)' },
    'tls-cert': { type: 'string', description: `PEM certificate for WebSockets over TLS (wss://, which https pages need); adds /tls/ws on port ${TLS_PORT}`, placeholder: 'file' },
    'tls-key': { type: 'string', description: 'PEM private key of --tls-cert', placeholder: 'file' },
    api: { ...API_OPTION, description: 'where the local HTTP API listens (port 0 picks a free one)', default: DEFAULT_API },
    'liveness-interval': { type: 'string', description: 'ms between liveness pings of each peer', default: String(LIVENESS_INTERVAL), placeholder: 'ms' },
    'liveness-timeout': { type: 'string', description: 'ms a peer has to answer a liveness ping', default: String(LIVENESS_TIMEOUT), placeholder: 'ms' },
    'liveness-misses': { type: 'string', description: 'missed pings in a row before a peer is down when no other peer can be asked about it', default: String(LIVENESS_MISSES), placeholder: 'n' },
    'allow-compute': { type: 'string', multiple: true, description: 'run jobs only for this peer (default: for anyone)', placeholder: 'peerId' },
    'pool-size': { type: 'string', description: 'worker threads running jobs', default: 'the CPU count', placeholder: 'n' },
    engine: engineOption('the JavaScript engine for jobs that do not name one: v8 (isolates), quickjs (WebAssembly) or auto (v8 here)'),
    'approve-only': { type: 'boolean', description: 'run only approved code (`grid-node approve`) on this node\'s datasets; data-free jobs are not affected (default: any code)' },
    'dataset-max-bytes': { type: 'string', description: 'refuse dataset files larger than this', default: byteCount(MAX_DATASET_FILE_BYTES), placeholder: 'bytes' },
    'provide-validity': { type: 'string', description: 'ms a provider record of this node\'s tags stays valid; re-provided at half', default: String(PROVIDE_VALIDITY), placeholder: 'ms' },
    json: { type: 'boolean', description: 'print one JSON object per event instead of text' }
  },
  execute: startNode
}

async function startNode ({ values, io, signal }: Context): Promise<number> {
  const dataDir = dataDirOf(values)
  const init = await nodeInit(values, dataDir)
  validateInit(init)
  const apiAddress = parseApiAddress(stringValue(values, 'api') ?? DEFAULT_API)
  const running = await runningApiUrl(dataDir)
  if (running != null) {
    throw new Error(`a node is already running on data dir ${dataDir} (API ${running}); stop it first or choose another --data-dir`)
  }

  const { created } = await prepareDataDir(dataDir)
  const undo = async (): Promise<void> => { if (created) await removeDataDir(dataDir) }
  const metrics = flag(values, 'no-metrics') ? undefined : createNodeMetrics({ statfsLocation: dataDir })
  let node: GridNode
  try {
    node = await createGridNode({ ...init, ...(metrics != null ? { metrics: metrics.libp2p } : {}) })
  } catch (err) {
    await undo()
    throw err
  }
  if (metrics != null) {
    metrics.follow(node)
    attachMetrics(node, metrics)
  }
  let server
  try {
    const token = apiAddress.loopback ? undefined : await apiToken(dataDir, true)
    server = await startApiServer(node, { host: apiAddress.host, port: apiAddress.port, ...(token != null ? { token } : {}) })
  } catch (err: any) {
    await node.stop()
    await undo()
    throw new Error(`cannot serve the API on ${apiAddress.host}:${apiAddress.port} (${err.code ?? err.message}); pass another --api host:port (port 0 picks a free one)`)
  }

  const say = announce(io, flag(values, 'json'))
  // the address policy changes when the first peer on a public address arrives, and a warning
  // when peers come from where this node's addresses do not reach: said as it happens
  const watch = setInterval(() => { say.addresses(node) }, ADDRESS_CHECK_INTERVAL)
  let stopEvents = (): void => {}
  try {
    await writeApiFile(dataDir, server.url)
    say.started(node, server.url, init.bootstrap.length)
    await Promise.race([
      // stopping before the node is ready is not a failure
      node.whenReady({ signal }).then(() => { say.ready(node); say.addresses(node); stopEvents = followEvents(node, say) }, () => {}),
      aborted(signal)
    ])
    await aborted(signal)
    say.stopping()
  } finally {
    stopEvents()
    clearInterval(watch)
    metrics?.close()
    await removeApiFile(dataDir)
    await server.close()
    await node.stop()
  }
  say.stopped()
  return 0
}

/**
 * After Ready, the node's events one line (or JSON object) each: first those since it started
 * (the peers it joined through), then each as it happens. The first `ready` and every
 * reachability change are already said by start's own lines above, with their fields.
 */
function followEvents (node: GridNode, say: StartAnnouncer): () => void {
  let readySaid = false
  const on = (event: GridEvent): void => {
    if (event.type === 'reachability') return
    if (event.type === 'ready' && !readySaid) {
      readySaid = true
      return
    }
    say.event(event)
  }
  for (const event of node.recentEvents()) on(event)
  return node.onEvent(on)
}

/** What the node is created with, from the flags: a bad one is a usage error before anything starts. */
async function nodeInit (values: Values, dataDir: string): Promise<GridNodeInit & { bootstrap: string[] }> {
  const lan = lanSetting(values)
  const tls = await tlsFiles(values)
  const liveness = {
    intervalMs: wholeNumberValue(values, 'liveness-interval'),
    timeoutMs: wholeNumberValue(values, 'liveness-timeout'),
    misses: wholeNumberValue(values, 'liveness-misses')
  }
  const provide = provideTimings(wholeNumberValue(values, 'provide-validity'))
  const maxFileBytes = wholeNumberValue(values, 'dataset-max-bytes')
  const allow = peerIdList(values, 'allow-compute')
  const poolSize = wholeNumberValue(values, 'pool-size')
  const engine = engineValue(values)
  const ranges = publicRanges(values)
  return {
    dataDir,
    listen: listValue(values, 'listen').length > 0 ? listValue(values, 'listen') : undefined,
    bootstrap: listValue(values, 'bootstrap'),
    network: stringValue(values, 'network'),
    lan,
    ...(ranges != null ? { publicRanges: ranges } : {}),
    relay: !flag(values, 'no-relay'),
    ...testFaults(),
    ...tls,
    liveness,
    ...provide,
    ...(maxFileBytes != null ? { datasets: { maxFileBytes } } : {}),
    compute: {
      ...(allow.length > 0 ? { allow } : {}),
      ...(poolSize != null ? { poolSize } : {}),
      ...(engine != null ? { engine } : {}),
      ...(flag(values, 'approve-only') ? { approveOnly: true } : {})
    }
  }
}

/** --tls-cert and --tls-key, read now: both or neither. */
async function tlsFiles (values: Values): Promise<{ tls?: { cert: string, key: string } }> {
  const certFile = stringValue(values, 'tls-cert')
  const keyFile = stringValue(values, 'tls-key')
  if (certFile == null && keyFile == null) return {}
  if (certFile == null || keyFile == null) throw new UsageError('give both --tls-cert and --tls-key (PEM files), or neither')
  const read = async (file: string, what: string): Promise<string> => {
    try {
      return await readFile(file, 'utf8')
    } catch (err: any) {
      throw new UsageError(`cannot read the TLS ${what} ${file} (${String(err.code ?? err.message)})`)
    }
  }
  return { tls: { cert: await read(certFile, 'certificate'), key: await read(keyFile, 'key') } }
}

/** Re-provide when half the validity is left, checking four times per validity. */
function provideTimings (validityMs: number | undefined): { provide?: { validityMs: number, reprovideThresholdMs: number, reprovideIntervalMs: number } } {
  if (validityMs == null) return {}
  return { provide: { validityMs, reprovideThresholdMs: Math.round(validityMs / 2), reprovideIntervalMs: Math.max(1_000, Math.round(validityMs / 4)) } }
}

async function aborted (signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>(resolve => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })
}

/**
 * Test-only faults, deliberately not flags: the testnet's lying dial-back
 * (`GRID_NODE_TEST_LIE_ON_DIAL_BACK=1`), the replica test's holder that lies in every result
 * (`GRID_NODE_TEST_LIE_IN_RESULTS=1`).
 */
function testFaults (): Pick<GridNodeInit, 'faults'> {
  const lieOnDialBack = process.env.GRID_NODE_TEST_LIE_ON_DIAL_BACK === '1'
  const lieInResults = process.env.GRID_NODE_TEST_LIE_IN_RESULTS === '1'
  if (!lieOnDialBack && !lieInResults) return {}
  return { faults: { ...(lieOnDialBack ? { lieOnDialBack } : {}), ...(lieInResults ? { lieInResults } : {}) } }
}
