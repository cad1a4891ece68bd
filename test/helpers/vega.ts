import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

/** The package exports only its JS loader; the JSON files sit in its data/ folder. */
const DATA = resolve(import.meta.dirname, '../../node_modules/vega-datasets/data')

/** Rows of a dataset shipped by the vega-datasets package (real data). */
export async function vegaRows (name: 'cars' | 'penguins'): Promise<Array<Record<string, unknown>>> {
  return JSON.parse(await readFile(join(DATA, `${name}.json`), 'utf8'))
}

function csvCell (v: unknown): string {
  if (v == null) return ''
  const text = String(v)
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Writes rows as .json, .csv or .jsonl and returns the path. */
export async function writeRows (dir: string, name: string, format: 'json' | 'csv' | 'jsonl', rows: Array<Record<string, unknown>>): Promise<string> {
  const path = join(dir, `${name}.${format}`)
  if (format === 'json') await writeFile(path, JSON.stringify(rows))
  if (format === 'jsonl') await writeFile(path, rows.map(r => JSON.stringify(r)).join('\n') + '\n')
  if (format === 'csv') {
    const columns = Object.keys(rows[0] ?? {})
    await writeFile(path, [columns.join(','), ...rows.map(r => columns.map(c => csvCell(r[c])).join(','))].join('\n') + '\n')
  }
  return path
}
