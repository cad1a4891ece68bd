/**
 * How deep a JSON text nests arrays and objects, found by one pass over the text without
 * parsing it (and so without recursion): structured cloning, JSON.stringify and most code that
 * walks a value recurse, and a value nested thousands deep overflows their stack. The local API
 * refuses such bodies with it, the sandbox such results, a requester such events.
 */

export interface TooDeep {
  /** The top-level field the deep value sits in, when the text is an object. */
  field?: string
}

/** Where the text nests past `max` levels, or undefined when it does not. */
export function jsonTooDeep (json: string, max: number): TooDeep | undefined {
  let depth = 0
  let inString = false
  let stringStart = -1
  let lastTopString: string | undefined
  let field: string | undefined
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i)
    if (inString) {
      if (code === BACKSLASH) i++
      else if (code === QUOTE) {
        inString = false
        if (depth === 1) lastTopString = json.slice(stringStart + 1, i)
      }
    } else if (code === QUOTE) {
      inString = true
      stringStart = i
    } else if (code === COLON && depth === 1) {
      field = lastTopString
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > max) return field != null ? { field } : {}
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--
    }
  }
  return undefined
}

/** Whether JSON text nests deeper than `max`. */
export function jsonDepthExceeds (json: string, max: number): boolean {
  // nesting past max needs more than max opening brackets: a text with fewer (a long string, a
  // flat list) is answered by indexOf at native speed, without the pass over every character
  if (openingsUpTo(json, max + 1) <= max) return false
  return jsonTooDeep(json, max) != null
}

/** How many `[` and `{` the text holds (in strings too), counting no further than `limit`. */
function openingsUpTo (json: string, limit: number): number {
  let count = 0
  for (const open of ['[', '{']) {
    for (let i = json.indexOf(open); i !== -1 && count < limit; i = json.indexOf(open, i + 1)) count++
  }
  return count
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
