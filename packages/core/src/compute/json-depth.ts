/**
 * Whether JSON text nests arrays and objects deeper than `max`, found by one pass over the
 * text without parsing it (and so without recursion): structured cloning, JSON.stringify and
 * most code that walks a value recurse, and a value nested thousands deep overflows their stack.
 */
export function jsonDepthExceeds (json: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i)
    if (inString) {
      if (code === BACKSLASH) i++
      else if (code === QUOTE) inString = false
    } else if (code === QUOTE) {
      inString = true
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > max) return true
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--
    }
  }
  return false
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
