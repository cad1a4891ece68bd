import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import type { Family } from 'parse-prometheus-text-format'

export type { Family }

/** One sample line: `name{labels} value`. */
export interface SampleLine { name: string, labels: Record<string, string>, value: number }

export interface Scrape {
  /** Metric families as an ecosystem parser reads them (name, type, help, samples). */
  families: Map<string, Family>
  /** Every sample line, by the format's grammar (the parser above merges labelled histograms into one). */
  samples: SampleLine[]
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|[+-]Inf|NaN)(?: -?[0-9]+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** Prometheus text format, parsed; a line that is not a comment, blank or a valid sample throws. */
export function parseMetrics (text: string): Scrape {
  const samples: SampleLine[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = SAMPLE.exec(line)
    if (m == null) throw new Error(`not a Prometheus sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (m[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => c === 'n' ? '\n' : c)
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return { families: new Map(parsePrometheusTextFormat(text).map(f => [f.name, f])), samples }
}

/** The value of the sample line `name` whose labels include `labels` (a histogram: `…_count`, `…_sum`). */
export function valueOf (scrape: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  return scrape.samples.find(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
}
