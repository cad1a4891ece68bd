import { access, constants, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DatasetFileError, MAX_DATASET_FILE_BYTES, normaliseTags } from '@grid-node/core'
import { nodeOptions } from '../../api/client.js'
import { UsageError } from '../../errors.js'
import { byteCount, json } from '../../format.js'
import { flag, listValue, peerIdList, stringValue } from '../../options.js'
import { onNodeOrStore } from '../../node-or-store.js'
import { datasetTable, describeDataset } from './format.js'
import type { Command, Context, Values } from '../../options.js'
import type { AddDatasetInit, DatasetDescriptor } from '@grid-node/core'

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
    'dataset-max-bytes': { type: 'string', description: 'refuse a file larger than this when no node runs (a running node applies its own limit)', default: byteCount(MAX_DATASET_FILE_BYTES), placeholder: 'bytes' }
  },
  execute: async ({ values, positionals, io }: Context) => {
    if (positionals.length !== 1) throw new UsageError('give exactly one file: grid-node datasets add <file> --tag #name')
    if (listValue(values, 'tag').length === 0) throw new UsageError('give at least one --tag, e.g. --tag "#cars"')
    // checked here, before the node is asked: a bad tag is a usage error, and a missing file
    // is reported as missing, not as a clash with a dataset of the same name
    const tags = normaliseTags(listValue(values, 'tag'))
    const path = resolve(positionals[0] ?? '')
    await checkReadableFile(path)
    const init: AddDatasetInit = {
      path,
      tags,
      private: flag(values, 'private'),
      ...(peerIdList(values, 'allow').length > 0 ? { allow: peerIdList(values, 'allow') } : {}),
      ...(stringValue(values, 'name') != null ? { name: stringValue(values, 'name') } : {}),
      ...(stringValue(values, 'description') != null ? { description: stringValue(values, 'description') } : {})
    }
    const maxFileBytes = byteLimit(values, 'dataset-max-bytes')
    const added = await onNodeOrStore(values,
      async api => api.post<DatasetDescriptor>('/v1/datasets', init, { timeoutMs: ADD_TIMEOUT }),
      async store => store.add(init, maxFileBytes != null ? { maxFileBytes } : {}))
    io.out(flag(values, 'json') ? json(added) : `added ${describeDataset(added)}`)
    return 0
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

/** A positive whole number of bytes, or undefined when the flag is not given. */
function byteLimit (values: Values, name: string): number | undefined {
  const text = stringValue(values, name)
  if (text == null) return undefined
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${name} "${text}" is not a positive whole number of bytes`)
  return Number(text)
}

export const datasetsLs: Command = {
  name: 'datasets ls',
  summary: 'List this node\'s datasets, each file re-checked (changed or missing files are flagged).',
  options: COMMON,
  execute: async ({ values, io }: Context) => {
    const list = await onNodeOrStore(values, async api => api.get<DatasetDescriptor[]>('/v1/datasets'), async store => store.list())
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
    const removed = await onNodeOrStore(values,
      async api => api.delete<DatasetDescriptor>(`/v1/datasets/${encodeURIComponent(name)}`),
      async store => store.remove(name))
    io.out(flag(values, 'json') ? json(removed) : `removed ${removed.name}`)
    return 0
  }
}
