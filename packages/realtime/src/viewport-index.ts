import type { Bbox } from '@quartiere/geo'

/**
 * Which holders (the feed's connections) have a viewport near a place, so that an event is matched against the
 * few viewports around it rather than against every connection: with 5,000 neighbourhood viewports over a city,
 * a point event has about a hundred candidates instead of 5,000.
 *
 * The world is cut into square cells of `cellDeg` degrees; a holder is filed under every cell its viewports
 * touch. A holder whose viewports would touch more than `cellsPerHolderMax` cells (zoomed out) is kept on a
 * short "wide" list that every lookup includes, so the index never grows with the size of a viewport. The index
 * only narrows: callers still match each candidate's viewports exactly.
 */
export class ViewportIndex<Holder> {
  private readonly cells = new Map<number, Set<Holder>>()
  private readonly filed = new Map<Holder, number[] | 'wide'>()
  private readonly wide = new Set<Holder>()

  constructor(
    private readonly cellDeg = 0.005,
    private readonly cellsPerHolderMax = 256,
  ) {}

  /** Files `holder` under the cells of its viewports now (replacing where it was). No viewports: removed. */
  set(holder: Holder, viewports: Iterable<Bbox>): void {
    this.delete(holder)
    const keys = new Set<number>()
    let count = 0
    for (const bbox of viewports) {
      count += 1
      const range = this.range(bbox)
      if (range.cells > this.cellsPerHolderMax || keys.size + range.cells > this.cellsPerHolderMax) {
        this.wide.add(holder)
        this.filed.set(holder, 'wide')
        return
      }
      for (let x = range.x0; x <= range.x1; x += 1)
        for (let y = range.y0; y <= range.y1; y += 1) keys.add(key(x, y))
    }
    if (count === 0) return
    const list = [...keys]
    for (const k of list) {
      let set = this.cells.get(k)
      if (!set) {
        set = new Set()
        this.cells.set(k, set)
      }
      set.add(holder)
    }
    this.filed.set(holder, list)
  }

  delete(holder: Holder): void {
    const where = this.filed.get(holder)
    if (where === undefined) return
    this.filed.delete(holder)
    if (where === 'wide') {
      this.wide.delete(holder)
      return
    }
    for (const k of where) {
      const set = this.cells.get(k)
      if (!set) continue
      set.delete(holder)
      if (set.size === 0) this.cells.delete(k)
    }
  }

  get size(): number {
    return this.filed.size
  }

  /**
   * Calls `visit` once for every holder whose viewports may meet one of `boxes` (each holder at most once per
   * call). An event box wider than the index's cell budget visits every holder.
   */
  near(boxes: readonly (Bbox | null)[], visit: (holder: Holder) => void): void {
    const seen = new Set<Holder>()
    const once = (holder: Holder) => {
      if (seen.has(holder)) return
      seen.add(holder)
      visit(holder)
    }
    for (const holder of this.wide) once(holder)
    for (const bbox of boxes) {
      if (!bbox) continue
      const range = this.range(bbox)
      if (range.cells > this.cellsPerHolderMax) {
        for (const holder of this.filed.keys()) once(holder)
        return
      }
      for (let x = range.x0; x <= range.x1; x += 1) {
        for (let y = range.y0; y <= range.y1; y += 1) {
          const set = this.cells.get(key(x, y))
          if (set) for (const holder of set) once(holder)
        }
      }
    }
  }

  private range(bbox: Bbox) {
    const x0 = Math.floor(bbox[0] / this.cellDeg)
    const y0 = Math.floor(bbox[1] / this.cellDeg)
    const x1 = Math.floor(bbox[2] / this.cellDeg)
    const y1 = Math.floor(bbox[3] / this.cellDeg)
    return { x0, y0, x1, y1, cells: (x1 - x0 + 1) * (y1 - y0 + 1) }
  }
}

/**
 * One number per cell: exact for cell indices within ±1,000,000, i.e. any cell of 0.0002° or more (longitudes
 * and latitudes stay within ±180), and at most 4e12, well inside a double's exact integers.
 */
function key(x: number, y: number): number {
  return (x + 1_000_000) * 2_000_000 + (y + 1_000_000)
}
