// csv-parse's Web-streams build imports node:stream/web and uses Buffer: Node.js only, like files
import { parse } from 'csv-parse/stream'
import type { Options } from 'csv-parse/stream'

/** A TransformStream from a CSV file's bytes to its records, with csv-parse's options. */
export function csvRecordStream (options: Options): TransformStream<Uint8Array, Record<string, unknown>> {
  return parse(options) as TransformStream<Uint8Array, Record<string, unknown>>
}
