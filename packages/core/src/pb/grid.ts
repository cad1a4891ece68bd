import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Status {
  OK = 'OK',
  BAD_REQUEST = 'BAD_REQUEST',
  TOO_LARGE = 'TOO_LARGE',
  NOT_FOUND = 'NOT_FOUND',
  FORBIDDEN = 'FORBIDDEN',
  BUSY = 'BUSY',
  INTERNAL = 'INTERNAL'
}

enum __StatusValues {
  OK = 0,
  BAD_REQUEST = 1,
  TOO_LARGE = 2,
  NOT_FOUND = 3,
  FORBIDDEN = 4,
  BUSY = 5,
  INTERNAL = 6
}

export namespace Status {
  export const codec = (): Codec<Status> => {
    return enumeration<Status>(__StatusValues)
  }
}

export interface ErrorResponse {
  status: Status
  message: string
}

export namespace ErrorResponse {
  let _codec: Codec<ErrorResponse>

  export const codec = (): Codec<ErrorResponse> => {
    if (_codec == null) {
      _codec = message<ErrorResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ErrorResponseStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface ErrorResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<ErrorResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ErrorResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorResponse>): ErrorResponse {
    return decodeMessage(buf, ErrorResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorResponse>): Generator<ErrorResponseStatusFieldEvent | ErrorResponseMessageFieldEvent> {
    return streamMessage(buf, ErrorResponse.codec(), opts)
  }
}

export interface CatalogRequest {
  tags: string[]
  matchAll: boolean
}

export namespace CatalogRequest {
  let _codec: Codec<CatalogRequest>

  export const codec = (): Codec<CatalogRequest> => {
    if (_codec == null) {
      _codec = message<CatalogRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.tags != null && obj.tags.length > 0) {
          for (const value of obj.tags) {
            w.uint32(10)
            w.string(value)
          }
        }

        if ((obj.matchAll != null && obj.matchAll !== false)) {
          w.uint32(16)
          w.bool(obj.matchAll)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tags: [],
          matchAll: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                throw new MaxLengthError('Decode error - repeated field "tags" had too many elements')
              }

              obj.tags.push(reader.string())
              break
            }
            case 2: {
              obj.matchAll = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          tags: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.tags != null && obj.tags === opts.limits.tags) {
                throw new MaxLengthError('Streaming decode error - repeated field "tags" had too many elements')
              }

              yield {
                field: `${prefix}.tags[]`,
                index: obj.tags,
                value: reader.string()
              }

              obj.tags++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.matchAll`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CatalogRequestTagsFieldEvent {
    field: '$.tags[]'
    index: number
    value: string
  }

  export interface CatalogRequestMatchAllFieldEvent {
    field: '$.matchAll'
    value: boolean
  }

  export function encode (obj: Partial<CatalogRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CatalogRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogRequest>): CatalogRequest {
    return decodeMessage(buf, CatalogRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogRequest>): Generator<CatalogRequestTagsFieldEvent | CatalogRequestMatchAllFieldEvent> {
    return streamMessage(buf, CatalogRequest.codec(), opts)
  }
}

export interface Column {
  name: string
  type: string
}

export namespace Column {
  let _codec: Codec<Column>

  export const codec = (): Codec<Column> => {
    if (_codec == null) {
      _codec = message<Column>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(18)
          w.string(obj.type)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          type: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.type = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ColumnNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ColumnTypeFieldEvent {
    field: '$.type'
    value: string
  }

  export function encode (obj: Partial<Column>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Column.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Column>): Column {
    return decodeMessage(buf, Column.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Column>): Generator<ColumnNameFieldEvent | ColumnTypeFieldEvent> {
    return streamMessage(buf, Column.codec(), opts)
  }
}

export interface Dataset {
  name: string
  tags: string[]
  description: string
  rows: bigint
  columns: Column[]
  format: string
  hash: string
  bytes: bigint
  status: string
}

export namespace Dataset {
  let _codec: Codec<Dataset>

  export const codec = (): Codec<Dataset> => {
    if (_codec == null) {
      _codec = message<Dataset>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.tags != null && obj.tags.length > 0) {
          for (const value of obj.tags) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.description != null && obj.description !== '')) {
          w.uint32(26)
          w.string(obj.description)
        }

        if ((obj.rows != null && obj.rows !== 0n)) {
          w.uint32(32)
          w.uint64(obj.rows)
        }

        if (obj.columns != null && obj.columns.length > 0) {
          for (const value of obj.columns) {
            w.uint32(42)
            Column.codec().encode(value, w)
          }
        }

        if ((obj.format != null && obj.format !== '')) {
          w.uint32(50)
          w.string(obj.format)
        }

        if ((obj.hash != null && obj.hash !== '')) {
          w.uint32(58)
          w.string(obj.hash)
        }

        if ((obj.bytes != null && obj.bytes !== 0n)) {
          w.uint32(64)
          w.uint64(obj.bytes)
        }

        if ((obj.status != null && obj.status !== '')) {
          w.uint32(74)
          w.string(obj.status)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          tags: [],
          description: '',
          rows: 0n,
          columns: [],
          format: '',
          hash: '',
          bytes: 0n,
          status: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                throw new MaxLengthError('Decode error - repeated field "tags" had too many elements')
              }

              obj.tags.push(reader.string())
              break
            }
            case 3: {
              obj.description = reader.string()
              break
            }
            case 4: {
              obj.rows = reader.uint64()
              break
            }
            case 5: {
              if (opts.limits?.columns != null && obj.columns.length === opts.limits.columns) {
                throw new MaxLengthError('Decode error - repeated field "columns" had too many elements')
              }

              obj.columns.push(Column.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.columns$
              }))
              break
            }
            case 6: {
              obj.format = reader.string()
              break
            }
            case 7: {
              obj.hash = reader.string()
              break
            }
            case 8: {
              obj.bytes = reader.uint64()
              break
            }
            case 9: {
              obj.status = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          tags: 0,
          columns: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.tags != null && obj.tags === opts.limits.tags) {
                throw new MaxLengthError('Streaming decode error - repeated field "tags" had too many elements')
              }

              yield {
                field: `${prefix}.tags[]`,
                index: obj.tags,
                value: reader.string()
              }

              obj.tags++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.rows`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              if (opts.limits?.columns != null && obj.columns === opts.limits.columns) {
                throw new MaxLengthError('Streaming decode error - repeated field "columns" had too many elements')
              }

              for (const evt of Column.codec().stream(reader, reader.uint32(), `${prefix}.columns[]`, {
                limits: opts.limits?.columns$
              })) {
                yield {
                  ...evt,
                  index: obj.columns
                }
              }

              obj.columns++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.format`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.hash`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.bytes`,
                value: reader.uint64()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.status`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DatasetNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface DatasetTagsFieldEvent {
    field: '$.tags[]'
    index: number
    value: string
  }

  export interface DatasetDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface DatasetRowsFieldEvent {
    field: '$.rows'
    value: bigint
  }

  export interface DatasetColumnsNameFieldEvent {
    field: '$.columns[].name'
    value: string
    index: number
  }

  export interface DatasetColumnsTypeFieldEvent {
    field: '$.columns[].type'
    value: string
    index: number
  }

  export interface DatasetFormatFieldEvent {
    field: '$.format'
    value: string
  }

  export interface DatasetHashFieldEvent {
    field: '$.hash'
    value: string
  }

  export interface DatasetBytesFieldEvent {
    field: '$.bytes'
    value: bigint
  }

  export interface DatasetStatusFieldEvent {
    field: '$.status'
    value: string
  }

  export function encode (obj: Partial<Dataset>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Dataset.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Dataset>): Dataset {
    return decodeMessage(buf, Dataset.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Dataset>): Generator<DatasetNameFieldEvent | DatasetTagsFieldEvent | DatasetDescriptionFieldEvent | DatasetRowsFieldEvent | DatasetColumnsNameFieldEvent | DatasetColumnsTypeFieldEvent | DatasetFormatFieldEvent | DatasetHashFieldEvent | DatasetBytesFieldEvent | DatasetStatusFieldEvent> {
    return streamMessage(buf, Dataset.codec(), opts)
  }
}

export interface CatalogResponse {
  status: Status
  message: string
  datasets: Dataset[]
  capabilities: string[]
  load?: Load
}

export namespace CatalogResponse {
  let _codec: Codec<CatalogResponse>

  export const codec = (): Codec<CatalogResponse> => {
    if (_codec == null) {
      _codec = message<CatalogResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (obj.datasets != null && obj.datasets.length > 0) {
          for (const value of obj.datasets) {
            w.uint32(26)
            Dataset.codec().encode(value, w)
          }
        }

        if (obj.capabilities != null && obj.capabilities.length > 0) {
          for (const value of obj.capabilities) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (obj.load != null) {
          w.uint32(42)
          Load.codec().encode(obj.load, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          message: '',
          datasets: [],
          capabilities: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.datasets != null && obj.datasets.length === opts.limits.datasets) {
                throw new MaxLengthError('Decode error - repeated field "datasets" had too many elements')
              }

              obj.datasets.push(Dataset.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.datasets$
              }))
              break
            }
            case 4: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 5: {
              obj.load = Load.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.load
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          datasets: 0,
          capabilities: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.datasets != null && obj.datasets === opts.limits.datasets) {
                throw new MaxLengthError('Streaming decode error - repeated field "datasets" had too many elements')
              }

              for (const evt of Dataset.codec().stream(reader, reader.uint32(), `${prefix}.datasets[]`, {
                limits: opts.limits?.datasets$
              })) {
                yield {
                  ...evt,
                  index: obj.datasets
                }
              }

              obj.datasets++

              break
            }
            case 4: {
              if (opts.limits?.capabilities != null && obj.capabilities === opts.limits.capabilities) {
                throw new MaxLengthError('Streaming decode error - repeated field "capabilities" had too many elements')
              }

              yield {
                field: `${prefix}.capabilities[]`,
                index: obj.capabilities,
                value: reader.string()
              }

              obj.capabilities++

              break
            }
            case 5: {
              yield * Load.codec().stream(reader, reader.uint32(), `${prefix}.load`, {
                limits: opts.limits?.load
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CatalogResponseStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface CatalogResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface CatalogResponseDatasetsNameFieldEvent {
    field: '$.datasets[].name'
    value: string
    index: number
  }

  export interface CatalogResponseDatasetsTagsFieldEvent {
    field: '$.datasets[].tags[]'
    index: number
    value: string
  }

  export interface CatalogResponseDatasetsDescriptionFieldEvent {
    field: '$.datasets[].description'
    value: string
    index: number
  }

  export interface CatalogResponseDatasetsRowsFieldEvent {
    field: '$.datasets[].rows'
    value: bigint
    index: number
  }

  export interface CatalogResponseDatasetsColumnsNameFieldEvent {
    field: '$.datasets[].columns[].name'
    value: string
    index: number
  }

  export interface CatalogResponseDatasetsColumnsTypeFieldEvent {
    field: '$.datasets[].columns[].type'
    value: string
    index: number
  }

  export interface CatalogResponseDatasetsFormatFieldEvent {
    field: '$.datasets[].format'
    value: string
    index: number
  }

  export interface CatalogResponseDatasetsHashFieldEvent {
    field: '$.datasets[].hash'
    value: string
    index: number
  }

  export interface CatalogResponseDatasetsBytesFieldEvent {
    field: '$.datasets[].bytes'
    value: bigint
    index: number
  }

  export interface CatalogResponseDatasetsStatusFieldEvent {
    field: '$.datasets[].status'
    value: string
    index: number
  }

  export interface CatalogResponseCapabilitiesFieldEvent {
    field: '$.capabilities[]'
    index: number
    value: string
  }

  export interface CatalogResponseLoadPoolSizeFieldEvent {
    field: '$.load.poolSize'
    value: number
  }

  export interface CatalogResponseLoadRunningFieldEvent {
    field: '$.load.running'
    value: number
  }

  export interface CatalogResponseLoadWaitingFieldEvent {
    field: '$.load.waiting'
    value: number
  }

  export function encode (obj: Partial<CatalogResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CatalogResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogResponse>): CatalogResponse {
    return decodeMessage(buf, CatalogResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogResponse>): Generator<CatalogResponseStatusFieldEvent | CatalogResponseMessageFieldEvent | CatalogResponseDatasetsNameFieldEvent | CatalogResponseDatasetsTagsFieldEvent | CatalogResponseDatasetsDescriptionFieldEvent | CatalogResponseDatasetsRowsFieldEvent | CatalogResponseDatasetsColumnsNameFieldEvent | CatalogResponseDatasetsColumnsTypeFieldEvent | CatalogResponseDatasetsFormatFieldEvent | CatalogResponseDatasetsHashFieldEvent | CatalogResponseDatasetsBytesFieldEvent | CatalogResponseDatasetsStatusFieldEvent | CatalogResponseCapabilitiesFieldEvent | CatalogResponseLoadPoolSizeFieldEvent | CatalogResponseLoadRunningFieldEvent | CatalogResponseLoadWaitingFieldEvent> {
    return streamMessage(buf, CatalogResponse.codec(), opts)
  }
}

export interface Load {
  poolSize: number
  running: number
  waiting: number
}

export namespace Load {
  let _codec: Codec<Load>

  export const codec = (): Codec<Load> => {
    if (_codec == null) {
      _codec = message<Load>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.poolSize != null && obj.poolSize !== 0)) {
          w.uint32(8)
          w.uint32(obj.poolSize)
        }

        if ((obj.running != null && obj.running !== 0)) {
          w.uint32(16)
          w.uint32(obj.running)
        }

        if ((obj.waiting != null && obj.waiting !== 0)) {
          w.uint32(24)
          w.uint32(obj.waiting)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          poolSize: 0,
          running: 0,
          waiting: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.poolSize = reader.uint32()
              break
            }
            case 2: {
              obj.running = reader.uint32()
              break
            }
            case 3: {
              obj.waiting = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.poolSize`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.running`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.waiting`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface LoadPoolSizeFieldEvent {
    field: '$.poolSize'
    value: number
  }

  export interface LoadRunningFieldEvent {
    field: '$.running'
    value: number
  }

  export interface LoadWaitingFieldEvent {
    field: '$.waiting'
    value: number
  }

  export function encode (obj: Partial<Load>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Load.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Load>): Load {
    return decodeMessage(buf, Load.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Load>): Generator<LoadPoolSizeFieldEvent | LoadRunningFieldEvent | LoadWaitingFieldEvent> {
    return streamMessage(buf, Load.codec(), opts)
  }
}

export interface JobRequest {
  id: string
  code: string
  dataset: string
  argsJson: string
  timeoutMs: number
  codeCid: string
  engine: string
  resultParts: boolean
}

export namespace JobRequest {
  let _codec: Codec<JobRequest>

  export const codec = (): Codec<JobRequest> => {
    if (_codec == null) {
      _codec = message<JobRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.dataset != null && obj.dataset !== '')) {
          w.uint32(26)
          w.string(obj.dataset)
        }

        if ((obj.argsJson != null && obj.argsJson !== '')) {
          w.uint32(34)
          w.string(obj.argsJson)
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(40)
          w.uint32(obj.timeoutMs)
        }

        if ((obj.codeCid != null && obj.codeCid !== '')) {
          w.uint32(50)
          w.string(obj.codeCid)
        }

        if ((obj.engine != null && obj.engine !== '')) {
          w.uint32(98)
          w.string(obj.engine)
        }

        if ((obj.resultParts != null && obj.resultParts !== false)) {
          w.uint32(104)
          w.bool(obj.resultParts)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          code: '',
          dataset: '',
          argsJson: '',
          timeoutMs: 0,
          codeCid: '',
          engine: '',
          resultParts: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.dataset = reader.string()
              break
            }
            case 4: {
              obj.argsJson = reader.string()
              break
            }
            case 5: {
              obj.timeoutMs = reader.uint32()
              break
            }
            case 6: {
              obj.codeCid = reader.string()
              break
            }
            case 12: {
              obj.engine = reader.string()
              break
            }
            case 13: {
              obj.resultParts = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.dataset`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.argsJson`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.timeoutMs`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.codeCid`,
                value: reader.string()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.engine`,
                value: reader.string()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.resultParts`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobRequestIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface JobRequestCodeFieldEvent {
    field: '$.code'
    value: string
  }

  export interface JobRequestDatasetFieldEvent {
    field: '$.dataset'
    value: string
  }

  export interface JobRequestArgsJsonFieldEvent {
    field: '$.argsJson'
    value: string
  }

  export interface JobRequestTimeoutMsFieldEvent {
    field: '$.timeoutMs'
    value: number
  }

  export interface JobRequestCodeCidFieldEvent {
    field: '$.codeCid'
    value: string
  }

  export interface JobRequestEngineFieldEvent {
    field: '$.engine'
    value: string
  }

  export interface JobRequestResultPartsFieldEvent {
    field: '$.resultParts'
    value: boolean
  }

  export function encode (obj: Partial<JobRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobRequest>): JobRequest {
    return decodeMessage(buf, JobRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobRequest>): Generator<JobRequestIdFieldEvent | JobRequestCodeFieldEvent | JobRequestDatasetFieldEvent | JobRequestArgsJsonFieldEvent | JobRequestTimeoutMsFieldEvent | JobRequestCodeCidFieldEvent | JobRequestEngineFieldEvent | JobRequestResultPartsFieldEvent> {
    return streamMessage(buf, JobRequest.codec(), opts)
  }
}

export interface JobEvent {
  type: JobEvent.Type
  queuePosition: number
  json: string
  text: string
  status: Status
  failure: string
  part: Uint8Array<ArrayBuffer>
  resultBytes: number
}

export namespace JobEvent {
  export enum Type {
    ACCEPTED = 'ACCEPTED',
    STARTED = 'STARTED',
    PROGRESS = 'PROGRESS',
    LOG = 'LOG',
    RESULT = 'RESULT',
    ERROR = 'ERROR',
    RESULT_PART = 'RESULT_PART'
  }

  enum __TypeValues {
    ACCEPTED = 0,
    STARTED = 1,
    PROGRESS = 2,
    LOG = 3,
    RESULT = 4,
    ERROR = 5,
    RESULT_PART = 6
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<JobEvent>

  export const codec = (): Codec<JobEvent> => {
    if (_codec == null) {
      _codec = message<JobEvent>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          JobEvent.Type.codec().encode(obj.type, w)
        }

        if ((obj.queuePosition != null && obj.queuePosition !== 0)) {
          w.uint32(16)
          w.uint32(obj.queuePosition)
        }

        if ((obj.json != null && obj.json !== '')) {
          w.uint32(26)
          w.string(obj.json)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(34)
          w.string(obj.text)
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(40)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.failure != null && obj.failure !== '')) {
          w.uint32(50)
          w.string(obj.failure)
        }

        if ((obj.part != null && obj.part.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.part)
        }

        if ((obj.resultBytes != null && obj.resultBytes !== 0)) {
          w.uint32(104)
          w.uint32(obj.resultBytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.ACCEPTED,
          queuePosition: 0,
          json: '',
          text: '',
          status: Status.OK,
          failure: '',
          part: uint8ArrayAlloc(0),
          resultBytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = JobEvent.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.queuePosition = reader.uint32()
              break
            }
            case 3: {
              obj.json = reader.string()
              break
            }
            case 4: {
              obj.text = reader.string()
              break
            }
            case 5: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 6: {
              obj.failure = reader.string()
              break
            }
            case 12: {
              obj.part = reader.bytes()
              break
            }
            case 13: {
              obj.resultBytes = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: JobEvent.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.queuePosition`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.json`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.failure`,
                value: reader.string()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.part`,
                value: reader.bytes()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.resultBytes`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface JobEventTypeFieldEvent {
    field: '$.type'
    value: JobEvent.Type
  }

  export interface JobEventQueuePositionFieldEvent {
    field: '$.queuePosition'
    value: number
  }

  export interface JobEventJsonFieldEvent {
    field: '$.json'
    value: string
  }

  export interface JobEventTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface JobEventStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface JobEventFailureFieldEvent {
    field: '$.failure'
    value: string
  }

  export interface JobEventPartFieldEvent {
    field: '$.part'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobEventResultBytesFieldEvent {
    field: '$.resultBytes'
    value: number
  }

  export function encode (obj: Partial<JobEvent>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobEvent.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobEvent>): JobEvent {
    return decodeMessage(buf, JobEvent.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobEvent>): Generator<JobEventTypeFieldEvent | JobEventQueuePositionFieldEvent | JobEventJsonFieldEvent | JobEventTextFieldEvent | JobEventStatusFieldEvent | JobEventFailureFieldEvent | JobEventPartFieldEvent | JobEventResultBytesFieldEvent> {
    return streamMessage(buf, JobEvent.codec(), opts)
  }
}

export interface DialBackRequest {
  addrs: Uint8Array<ArrayBuffer>[]
}

export namespace DialBackRequest {
  let _codec: Codec<DialBackRequest>

  export const codec = (): Codec<DialBackRequest> => {
    if (_codec == null) {
      _codec = message<DialBackRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DialBackRequestAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DialBackRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DialBackRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DialBackRequest>): DialBackRequest {
    return decodeMessage(buf, DialBackRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DialBackRequest>): Generator<DialBackRequestAddrsFieldEvent> {
    return streamMessage(buf, DialBackRequest.codec(), opts)
  }
}

export interface DialBackResponse {
  status: Status
  reached: boolean
  addr: Uint8Array<ArrayBuffer>
  message: string
}

export namespace DialBackResponse {
  let _codec: Codec<DialBackResponse>

  export const codec = (): Codec<DialBackResponse> => {
    if (_codec == null) {
      _codec = message<DialBackResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Status.codec().encode(obj.status, w)
        }

        if ((obj.reached != null && obj.reached !== false)) {
          w.uint32(16)
          w.bool(obj.reached)
        }

        if ((obj.addr != null && obj.addr.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.addr)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(34)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          reached: false,
          addr: uint8ArrayAlloc(0),
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.reached = reader.bool()
              break
            }
            case 3: {
              obj.addr = reader.bytes()
              break
            }
            case 4: {
              obj.message = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.reached`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.addr`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DialBackResponseStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface DialBackResponseReachedFieldEvent {
    field: '$.reached'
    value: boolean
  }

  export interface DialBackResponseAddrFieldEvent {
    field: '$.addr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DialBackResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<DialBackResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DialBackResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DialBackResponse>): DialBackResponse {
    return decodeMessage(buf, DialBackResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DialBackResponse>): Generator<DialBackResponseStatusFieldEvent | DialBackResponseReachedFieldEvent | DialBackResponseAddrFieldEvent | DialBackResponseMessageFieldEvent> {
    return streamMessage(buf, DialBackResponse.codec(), opts)
  }
}

export interface PunchMessage {
  type: PunchMessage.Type
  addrs: Uint8Array<ArrayBuffer>[]
  predicted: Uint8Array<ArrayBuffer>
  dialsBack: boolean
}

export namespace PunchMessage {
  export enum Type {
    CONNECT = 'CONNECT',
    SYNC = 'SYNC'
  }

  enum __TypeValues {
    CONNECT = 0,
    SYNC = 1
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<PunchMessage>

  export const codec = (): Codec<PunchMessage> => {
    if (_codec == null) {
      _codec = message<PunchMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          PunchMessage.Type.codec().encode(obj.type, w)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if ((obj.predicted != null && obj.predicted.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.predicted)
        }

        if ((obj.dialsBack != null && obj.dialsBack !== false)) {
          w.uint32(32)
          w.bool(obj.dialsBack)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.CONNECT,
          addrs: [],
          predicted: uint8ArrayAlloc(0),
          dialsBack: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = PunchMessage.Type.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
              break
            }
            case 3: {
              obj.predicted = reader.bytes()
              break
            }
            case 4: {
              obj.dialsBack = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: PunchMessage.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.predicted`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.dialsBack`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PunchMessageTypeFieldEvent {
    field: '$.type'
    value: PunchMessage.Type
  }

  export interface PunchMessageAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PunchMessagePredictedFieldEvent {
    field: '$.predicted'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PunchMessageDialsBackFieldEvent {
    field: '$.dialsBack'
    value: boolean
  }

  export function encode (obj: Partial<PunchMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PunchMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PunchMessage>): PunchMessage {
    return decodeMessage(buf, PunchMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PunchMessage>): Generator<PunchMessageTypeFieldEvent | PunchMessageAddrsFieldEvent | PunchMessagePredictedFieldEvent | PunchMessageDialsBackFieldEvent> {
    return streamMessage(buf, PunchMessage.codec(), opts)
  }
}

export interface ProbeRequest {
  peer: Uint8Array<ArrayBuffer>
  timeoutMs: number
}

export namespace ProbeRequest {
  let _codec: Codec<ProbeRequest>

  export const codec = (): Codec<ProbeRequest> => {
    if (_codec == null) {
      _codec = message<ProbeRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peer)
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(16)
          w.uint32(obj.timeoutMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: uint8ArrayAlloc(0),
          timeoutMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.bytes()
              break
            }
            case 2: {
              obj.timeoutMs = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peer`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.timeoutMs`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProbeRequestPeerFieldEvent {
    field: '$.peer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProbeRequestTimeoutMsFieldEvent {
    field: '$.timeoutMs'
    value: number
  }

  export function encode (obj: Partial<ProbeRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProbeRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProbeRequest>): ProbeRequest {
    return decodeMessage(buf, ProbeRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProbeRequest>): Generator<ProbeRequestPeerFieldEvent | ProbeRequestTimeoutMsFieldEvent> {
    return streamMessage(buf, ProbeRequest.codec(), opts)
  }
}

export interface ProbeResponse {
  status: Status
  outcome: ProbeResponse.Outcome
  rttMs: number
  message: string
}

export namespace ProbeResponse {
  export enum Outcome {
    NOT_TRIED = 'NOT_TRIED',
    REACHED = 'REACHED',
    UNREACHED = 'UNREACHED'
  }

  enum __OutcomeValues {
    NOT_TRIED = 0,
    REACHED = 1,
    UNREACHED = 2
  }

  export namespace Outcome {
    export const codec = (): Codec<Outcome> => {
      return enumeration<Outcome>(__OutcomeValues)
    }
  }

  let _codec: Codec<ProbeResponse>

  export const codec = (): Codec<ProbeResponse> => {
    if (_codec == null) {
      _codec = message<ProbeResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          Status.codec().encode(obj.status, w)
        }

        if (obj.outcome != null && __OutcomeValues[obj.outcome] !== 0) {
          w.uint32(16)
          ProbeResponse.Outcome.codec().encode(obj.outcome, w)
        }

        if ((obj.rttMs != null && obj.rttMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.rttMs)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(34)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          outcome: Outcome.NOT_TRIED,
          rttMs: 0,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.outcome = ProbeResponse.Outcome.codec().decode(reader)
              break
            }
            case 3: {
              obj.rttMs = reader.uint32()
              break
            }
            case 4: {
              obj.message = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.outcome`,
                value: ProbeResponse.Outcome.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.rttMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProbeResponseStatusFieldEvent {
    field: '$.status'
    value: Status
  }

  export interface ProbeResponseOutcomeFieldEvent {
    field: '$.outcome'
    value: ProbeResponse.Outcome
  }

  export interface ProbeResponseRttMsFieldEvent {
    field: '$.rttMs'
    value: number
  }

  export interface ProbeResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<ProbeResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProbeResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProbeResponse>): ProbeResponse {
    return decodeMessage(buf, ProbeResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProbeResponse>): Generator<ProbeResponseStatusFieldEvent | ProbeResponseOutcomeFieldEvent | ProbeResponseRttMsFieldEvent | ProbeResponseMessageFieldEvent> {
    return streamMessage(buf, ProbeResponse.codec(), opts)
  }
}
