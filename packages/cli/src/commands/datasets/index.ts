import { access, constants, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DatasetFileError, MAX_DATASET_FILE_BYTES, normaliseTags } from '@grid-node/core'
import { addDatasetInitOf } from '../../api/shapes.js'
import { UsageError } from '../../errors.js'
import { byteCount, json } from '../../format.js'
import { flag, listValue, peerIdList, stringValue, wholeNumberValue } from '../../options.js'
import { nodeOptions, onRunningNodeOr, withDataDirDatasets } from '../../running-node.js'
import { datasetTable, describeDataset } from './format.js'
import type { Command, Context, Values } from '../../options.js'
import type { AddDatasetRequest } from '../../api/schemas.js'
import type { DatasetAnswer } from '../../api/shapes.js'

/** A running node reads a 1 GiB file (the default limit) in a couple of minutes on a slow machine. */
const ADD_TIMEOUT = 30 * 60 * 1000

const COMMON = nodeOptions('print JSON')

export const datasetsAdd: Command = {
  name: 'datasets add',
  args: '<file>',
  summary: 'Describe a CSV, JSON (array of objects) or JSONL file and announce its tags. The rows stay in the file.',
  options: {
    ...COMMON,
    tag: { type: 'string', multiple: true, description: 'a tag such as #cars (at least one)', placeholder: 'tag' },
    name: { type: 'string', description: 'the dataset\'s name', default: 'the file name without extension', placeholder: 'name' },
    description: { type: 'string', description: 'a line about the data', placeholder: 'text' },
    private: { type: 'boolean', description: 'never announce it; describe it and run jobs on it only for --allow peers' },
    allow: { type: 'string', multiple: true, description: 'a peer that may see and compute on it (implies --private)', placeholder: 'peerId' },
    'approve-only': { type: 'boolean', description: 'run only approved code on it (`grid-node approve`), even when the node runs any code on its other datasets' },
    'dataset-max-bytes': { type: 'string', description: 'refuse a file larger than this when no node runs (a running node applies its own limit)', default: byteCount(MAX_DATASET_FILE_BYTES), placeholder: 'bytes' }
  },
  execute: async ({ values, positionals, io }: Context) => {
    const request = await addRequest(values, positionals)
    const maxFileBytes = wholeNumberValue(values, 'dataset-max-bytes')
    const added = await onRunningNodeOr(values,
      async api => api.post<DatasetAnswer>('/v1/datasets', request, { timeoutMs: ADD_TIMEOUT }),
      async () => withDataDirDatasets(values, async store => store.add(addDatasetInitOf(request), maxFileBytes != null ? { maxFileBytes } : {})))
    io.out(flag(values, 'json') ? json(added) : `added ${describeDataset(added)}`)
    return 0
  }
}

/**
 * The request for the node, checked here before any node is asked: a bad tag is a usage error,
 * and a missing file is reported as missing, not as a clash with a dataset of the same name.
 */
async function addRequest (values: Values, positionals: string[]): Promise<AddDatasetRequest> {
  if (positionals.length !== 1) throw new UsageError('give exactly one file: grid-node datasets add <file> --tag #name')
  if (listValue(values, 'tag').length === 0) throw new UsageError('give at least one --tag, e.g. --tag "#cars"')
  const tags = normaliseTags(listValue(values, 'tag'))
  const path = resolve(positionals[0] ?? '')
  await checkReadableFile(path)
  const allow = peerIdList(values, 'allow')
  const name = stringValue(values, 'name')
  const description = stringValue(values, 'description')
  return {
    path,
    tags,
    private: flag(values, 'private'),
    ...(flag(values, 'approve-only') ? { approveOnly: true } : {}),
    ...(allow.length > 0 ? { allow } : {}),
    ...(name != null ? { name } : {}),
    ...(description != null ? { description } : {})
  }
}

/** A regular file this user can read; the node checks it again as it reads it. */
async function checkReadableFile (path: string): Promise<void> {
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new DatasetFileError(path, 'it is a directory, not a regular file', 'a dataset must be a regular CSV, JSON or JSONL file')
    await access(path, constants.R_OK)
  } catch (err: any) {
    if (err?.name === DatasetFileError.name) throw err
    throw new DatasetFileError(path, err?.code ?? err?.message)
  }
}

export const datasetsLs: Command = {
  name: 'datasets ls',
  summary: 'List this node\'s datasets, each file re-checked (changed or missing files are flagged).',
  options: COMMON,
  execute: async ({ values, io }: Context) => {
    const list = await onRunningNodeOr(values, async api => api.get<DatasetAnswer[]>('/v1/datasets'), async () => withDataDirDatasets(values, async store => store.list()))
    if (flag(values, 'json')) io.out(json(list))
    else io.out(list.length === 0 ? 'no datasets; add one with `grid-node datasets add <file> --tag #name`' : datasetTable(list))
    return 0
  }
}

export const datasetsRm: Command = {
  name: 'datasets rm',
  args: '<name>',
  summary: 'Remove a dataset from this node (its file is left alone); its tags stop being announced.',
  options: COMMON,
  execute: async ({ values, positionals, io }: Context) => {
    const name = positionals[0]
    if (positionals.length !== 1 || name == null) throw new UsageError('give exactly one dataset name: grid-node datasets rm <name>')
    const removed = await onRunningNodeOr(values,
      async api => api.delete<DatasetAnswer>(`/v1/datasets/${encodeURIComponent(name)}`),
      async () => withDataDirDatasets(values, async store => store.remove(name)))
    io.out(flag(values, 'json') ? json(removed) : `removed ${removed.name}`)
    return 0
  }
}
