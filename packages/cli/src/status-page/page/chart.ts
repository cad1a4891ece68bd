/**
 * The activity chart, hand-drawn in SVG: stacked bars of jobs finished per bucket (served here,
 * requested from here, failed) and a line of searches, over a window that slides with the clock.
 * Colours come from style.css (classes `s-<series>`), so the dark theme changes them too.
 */
import { fill, h, s } from './dom.js'
import type { Activity, Bucket, Series } from './activity.js'

/** The least height; the chart fills its card when the row is taller. */
const MIN_HEIGHT = 190
const MARGIN = { top: 10, right: 10, bottom: 24, left: 34 }
const STACKED: Series[] = ['served', 'requested', 'failed']
const LABELS: Record<Series, string> = { served: 'jobs served', requested: 'jobs requested', failed: 'jobs failed', searches: 'searches' }

/** The windows offered, with the spacing of their time labels. */
export const WINDOWS: Record<number, number> = { 60_000: 15_000, 300_000: 60_000, 900_000: 300_000 }

export function renderChart (box: HTMLElement, legend: HTMLElement, activity: Activity, now: number, windowMs: number): void {
  const width = Math.max(240, Math.floor(box.clientWidth))
  const height = Math.max(MIN_HEIGHT, Math.floor(box.clientHeight))
  const plotW = width - MARGIN.left - MARGIN.right
  const plotH = height - MARGIN.top - MARGIN.bottom
  const from = now - windowMs
  const size = activity.bucketFor(windowMs)
  const inWindow = activity.window(now, windowMs)
  const sums = sumOf(inWindow)
  const top = niceMax(Math.max(1, ...inWindow.map(b => Math.max(b.counts.served + b.counts.requested + b.counts.failed, b.counts.searches))))
  const x = (t: number): number => MARGIN.left + Math.min(plotW, Math.max(0, (t - from) / windowMs * plotW))
  const y = (n: number): number => MARGIN.top + plotH - n / top * plotH

  const svg = s('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Activity over the last ${ago(windowMs)}: ${seriesText(sums)}`,
    'data-window': windowMs,
    // what a test (or a curious person) reads without parsing the drawing
    'data-now': now,
    'data-served': sums.served,
    'data-requested': sums.requested,
    'data-failed': sums.failed,
    'data-searches': sums.searches
  })
  for (const n of [0, top / 2, top]) {
    svg.append(s('line', { class: 'grid-line', x1: MARGIN.left, x2: width - MARGIN.right, y1: y(n), y2: y(n) }))
    svg.append(s('text', { class: 'axis', x: MARGIN.left - 6, y: y(n) + 4, 'text-anchor': 'end' }, String(n)))
  }
  const step = WINDOWS[windowMs] ?? windowMs / 5
  for (let back = windowMs; back >= 0; back -= step) {
    const anchor = back === windowMs ? 'start' : back === 0 ? 'end' : 'middle'
    svg.append(s('text', { class: 'axis', x: x(now - back), y: height - 6, 'text-anchor': anchor }, back === 0 ? 'now' : `−${ago(back)}`))
  }
  for (const b of inWindow) {
    const x1 = x(b.start) + 1
    const x2 = x(b.start + size) - 1
    if (x2 - x1 < 0.5) continue
    let base = 0
    for (const series of STACKED) {
      const n = b.counts[series]
      if (n === 0) continue
      svg.append(s('rect', { class: `chart-bar s-${series}`, x: x1, width: x2 - x1, y: y(base + n), height: y(base) - y(base + n) },
        s('title', {}, `${n} ${LABELS[series]}`)))
      base += n
    }
  }
  svg.append(searchLine(inWindow, size, now - windowMs, now, x, y))
  fill(box, svg)
  fill(legend, ...[...STACKED, 'searches' as const].map(series =>
    h('li', {}, h('span', { class: `swatch s-${series}` }), `${LABELS[series]} `, h('strong', { 'data-series': series }, String(sums[series])))))
}

/** Searches per bucket as a line, zero where there were none, through each bucket's middle. */
function searchLine (buckets: Bucket[], size: number, from: number, now: number, x: (t: number) => number, y: (n: number) => number): SVGElement {
  const counts = new Map(buckets.map(b => [b.start, b.counts.searches]))
  const points: string[] = []
  const dots: SVGElement[] = []
  for (let start = Math.floor(from / size) * size; start <= now; start += size) {
    const mid = Math.min(now, Math.max(from, start + size / 2))
    const n = counts.get(start) ?? 0
    points.push(`${x(mid).toFixed(1)},${y(n).toFixed(1)}`)
    if (n > 0) dots.push(s('circle', { class: 's-searches dot', cx: x(mid), cy: y(n), r: 3 }, s('title', {}, `${n} ${LABELS.searches}`)))
  }
  return s('g', {}, s('polyline', { class: 'line s-searches', points: points.join(' ') }), dots)
}

/** `15 s`, `5 min`. */
function ago (ms: number): string {
  return ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1_000} s`
}

function sumOf (buckets: Bucket[]): Record<Series, number> {
  const sums: Record<Series, number> = { served: 0, requested: 0, failed: 0, searches: 0 }
  for (const b of buckets) for (const k of Object.keys(sums) as Series[]) sums[k] += b.counts[k]
  return sums
}

/** 2, 4, 6, 8, 10, 20, 40…: the y axis's top, even so that its middle line is a whole number. */
function niceMax (n: number): number {
  if (n <= 2) return 2
  const magnitude = 10 ** Math.floor(Math.log10(n))
  for (const m of [1, 2, 4, 6, 8, 10]) if (m * magnitude >= n) return m * magnitude
  return 10 * magnitude
}

function seriesText (sums: Record<Series, number>): string {
  return (Object.keys(LABELS) as Series[]).map(k => `${sums[k]} ${LABELS[k]}`).join(', ')
}
