/**
 * How deep a JSON text nests, found by one pass over its characters (no recursion, no parse),
 * so a body nested 5,000 deep is refused before anything recursive can touch it.
 */

export interface TooDeep {
  /** The top-level field the deep value sits in, when the text is an object. */
  field?: string
}

/** Returns where the text nests past `max` levels, or undefined when it does not. */
export function tooDeep (text: string, max: number): TooDeep | undefined {
  let depth = 0
  let inString = false
  let stringStart = -1
  let lastTopString: string | undefined
  let field: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) {
        inString = false
        if (depth === 1) lastTopString = text.slice(stringStart + 1, i)
      }
    } else if (c === QUOTE) {
      inString = true
      stringStart = i
    } else if (c === COLON && depth === 1) {
      field = lastTopString
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return field != null ? { field } : {}
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    }
  }
  return undefined
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
