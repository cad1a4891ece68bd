/**
 * Building elements. Text always goes in as text (peer IDs, dataset names and error messages
 * come from other peers): there is no innerHTML anywhere on the page.
 */

type Child = Node | string | null | undefined | false
type Attrs = Record<string, string | number | boolean | null | undefined>

export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  setAttrs(el, attrs)
  append(el, children)
  return el
}

const SVG = 'http://www.w3.org/2000/svg'

export function s<K extends keyof SVGElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: Array<Child | Child[]>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag)
  setAttrs(el, attrs)
  append(el, children)
  return el
}

function setAttrs (el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue
    el.setAttribute(name, value === true ? '' : String(value))
  }
}

function append (el: Element, children: Array<Child | Child[]>): void {
  for (const child of children.flat()) {
    if (child == null || child === false) continue
    el.append(typeof child === 'string' ? document.createTextNode(child) : child)
  }
}

/** The element with that id; the page's HTML has it, so its absence is a bug. */
export function byId<T extends HTMLElement = HTMLElement> (id: string): T {
  const el = document.getElementById(id)
  if (el == null) throw new Error(`the page has no #${id}`)
  return el as T
}

/** Replaces an element's children. */
export function fill (el: Element, ...children: Array<Child | Child[]>): void {
  el.replaceChildren()
  append(el, children)
}
