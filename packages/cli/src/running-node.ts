/**
 * How a command finds the node it acts on: the running one (through --api, or the `api` file it
 * keeps in its data dir), else the data dir itself or a short-lived client (short-lived-node.ts).
 */
import { openApprovals, openDatasets } from '@grid-node/core'
import { apiClient, apiUrl } from './api/client.js'
import { apiToken, DATA_DIR_OPTION, dataDirOf, prepareDataDir, readApiFile, removeDataDir } from './data-dir.js'
import { NodeNotRunningError } from './errors.js'
import { stringValue } from './options.js'
import type { ApiClient } from './api/client.js'
import type { OptionSpec, Options, Values } from './options.js'

type DatasetStore = Awaited<ReturnType<typeof openDatasets>>['datasets']
type ApprovalStore = Awaited<ReturnType<typeof openApprovals>>['approvals']

/** A node that does not answer its health check within 2 s is not running (it left its `api` file behind). */
const ALIVE_TIMEOUT = 2_000

export const API_OPTION: OptionSpec = {
  type: 'string',
  description: 'address of a running node\'s API; found through --data-dir when not given',
  placeholder: 'host:port'
}

/** The options of every command that talks to a running node: where it is, and --json. */
export function nodeOptions (json: string): Options {
  return {
    'data-dir': DATA_DIR_OPTION,
    api: API_OPTION,
    json: { type: 'boolean', description: json }
  }
}

/**
 * Finds the running node a command talks to: `--api` when given, else the `api` file the node
 * keeps in its data dir while it runs. Returns undefined when there is none.
 */
export async function findApi (values: Values): Promise<ApiClient | undefined> {
  const dataDir = dataDirOf(values)
  const given = stringValue(values, 'api')
  const url = given != null ? apiUrl(given) : await readApiFile(dataDir)
  if (url == null) return undefined
  const token = await apiToken(dataDir, false)
  return apiClient(url, token)
}

/** As findApi, but a missing node is an error that says how to start one. */
export async function requireApi (values: Values): Promise<ApiClient> {
  const api = await findApi(values)
  if (api == null) throw new NodeNotRunningError(`data dir ${dataDirOf(values)}`)
  return api
}

/** The API of a node already running on this data dir; a stale `api` file does not count. */
export async function runningApiUrl (dataDir: string): Promise<string | undefined> {
  const url = await readApiFile(dataDir)
  if (url == null) return undefined
  const alive = await fetch(`${url}/health-check`, { signal: AbortSignal.timeout(ALIVE_TIMEOUT) }).then(() => true, () => false)
  return alive ? url : undefined
}

/**
 * The running node, through its API, when one answers; else `otherwise`, which acts on the data
 * dir itself (withDataDirDatasets) or joins the grid for the one request (withShortLivedNode).
 * A stale `api` file left by a killed node counts as no node; an explicit --api that does not
 * answer is an error.
 */
export async function onRunningNodeOr<T> (values: Values, viaApi: (api: ApiClient) => Promise<T>, otherwise: () => Promise<T>): Promise<T> {
  const api = await findApi(values)
  if (api != null) {
    try {
      return await viaApi(api)
    } catch (err) {
      if (!(err instanceof NodeNotRunningError) || values.api != null) throw err
    }
  }
  return otherwise()
}

/** No running node: open the data dir's dataset store for `work`, then close it. */
export async function withDataDirDatasets<T> (values: Values, work: (datasets: DatasetStore) => Promise<T>): Promise<T> {
  return withDataDir(values, async dir => openDatasets(dir), async opened => work(opened.datasets))
}

/** No running node: open the data dir's approvals for `work`, then close them. */
export async function withDataDirApprovals<T> (values: Values, work: (approvals: ApprovalStore) => Promise<T>): Promise<T> {
  return withDataDir(values, async dir => openApprovals(dir), async opened => work(opened.approvals))
}

/**
 * Opens part of the data dir's database for `work`, then closes it. A data dir created here
 * for a store that would not open is removed again.
 */
async function withDataDir<S extends { close: () => Promise<void> }, T> (values: Values, open: (dataDir: string) => Promise<S>, work: (opened: S) => Promise<T>): Promise<T> {
  const dataDir = dataDirOf(values)
  const { created } = await prepareDataDir(dataDir)
  let opened
  try {
    opened = await open(dataDir)
  } catch (err) {
    if (created) await removeDataDir(dataDir)
    throw err
  }
  try {
    return await work(opened)
  } finally {
    await opened.close()
  }
}
