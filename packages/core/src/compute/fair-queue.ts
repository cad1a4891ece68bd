/**
 * A queue that takes turns between owners: each owner's items wait in their own line, first
 * come first served, and the lines are served round-robin, so one owner with a hundred items
 * waiting delays another owner's single item by at most one item per other owner.
 */
export class FairQueue<T> {
  private readonly lines = new Map<string, T[]>()
  /** Owners in serving order: the next item comes from the first of them. */
  private readonly turns: string[] = []
  private count = 0

  get size (): number { return this.count }

  push (owner: string, item: T): void {
    this.count++
    const line = this.lines.get(owner)
    if (line != null) { line.push(item); return }
    this.lines.set(owner, [item])
    this.turns.push(owner)
  }

  /** The next item, from the owner whose turn it is; that owner then goes to the back. */
  shift (): T | undefined {
    const owner = this.turns.shift()
    if (owner == null) return undefined
    const line = this.lines.get(owner) as T[]
    const item = line.shift() as T
    this.count--
    if (line.length > 0) this.turns.push(owner)
    else this.lines.delete(owner)
    return item
  }

  /** Takes an item out wherever it waits; false when it is not here. */
  remove (owner: string, item: T): boolean {
    const line = this.lines.get(owner)
    const index = line?.indexOf(item) ?? -1
    if (line == null || index === -1) return false
    line.splice(index, 1)
    this.count--
    if (line.length === 0) {
      this.lines.delete(owner)
      this.turns.splice(this.turns.indexOf(owner), 1)
    }
    return true
  }

  /** Every item, in no particular order, and the queue emptied. */
  drain (): T[] {
    const all = [...this.lines.values()].flat()
    this.lines.clear()
    this.turns.length = 0
    this.count = 0
    return all
  }

  /** How many items would be served before one more item of this owner, were it pushed now. */
  ahead (owner: string): number {
    const own = this.lines.get(owner)?.length ?? 0
    let others = 0
    for (const [o, line] of this.lines) if (o !== owner) others += Math.min(line.length, own + 1)
    return own + others
  }
}
