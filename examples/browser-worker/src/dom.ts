/** The page's elements, looked up once; a missing one is a bug in index.html. */
export function element<T extends HTMLElement = HTMLElement> (id: string): T {
  const found = document.getElementById(id)
  if (found == null) throw new Error(`index.html has no #${id}`)
  return found as T
}

/** A short form of a peer ID for tables: the start and the end. */
export function shortId (id: string): string {
  return id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id
}

export function row (...cells: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr')
  for (const text of cells) {
    const td = document.createElement('td')
    td.textContent = text
    tr.append(td)
  }
  return tr
}

export function item (text: string, title?: string): HTMLLIElement {
  const li = document.createElement('li')
  li.textContent = text
  if (title != null) li.title = title
  return li
}

/** A new element with a class and text. */
export function el<K extends keyof HTMLElementTagNameMap> (tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  if (className !== '') node.className = className
  if (text != null) node.textContent = text
  return node
}
