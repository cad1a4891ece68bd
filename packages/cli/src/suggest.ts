/**
 * "Did you mean …": the candidates closest to a mistyped word, as git and cargo suggest them.
 * A transposition ("strat") counts as one edit; at most two edits, and fewer than half the
 * word, so a short word is never "corrected" into an unrelated one ("ls" is not "id").
 */
/** Longer words are not typos of a command or option name; this also bounds the work. */
const MAX_TYPED = 64

export function closest (typed: string, candidates: Iterable<string>): string[] {
  if (typed.length > MAX_TYPED) return []
  const limit = Math.min(2, Math.floor(typed.length / 2))
  let best = limit + 1
  let found: string[] = []
  for (const candidate of candidates) {
    const d = editDistance(typed, candidate)
    if (d < best) { best = d; found = [candidate] } else if (d === best && !found.includes(candidate)) found.push(candidate)
  }
  return best <= limit ? found : []
}

/** `'a'`, `'a' or 'b'`, `'a', 'b' or 'c'` */
export function alternatives (words: string[], quote = '\''): string {
  const quoted = words.map(w => `${quote}${w}${quote}`)
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1) ?? ''}`
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance (a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 0; j <= b.length; j++) (rows[0] as number[])[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[]
    const above = rows[i - 1] as number[]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] as number) + 1)
      row[j] = d
    }
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length)
}
