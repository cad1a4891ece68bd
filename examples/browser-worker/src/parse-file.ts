/**
 * A picked file's rows, parsed in the page. Imported only when a file is added, so the CSV
 * parser is not part of what the page downloads up front.
 */
import { parseRows } from '@grid-node/core'

export async function rowsOf (file: File, format: Parameters<typeof parseRows>[1]): Promise<Array<Record<string, unknown>>> {
  return parseRows(await file.text(), format, file.name)
}
