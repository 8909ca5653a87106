/** What a row of the ledger statistics is about, apart from its place. Buckets are never summed together. */
export interface FlowBucket {
  month: string
  kind: string
  category: string
}

/** The exchanges of one bucket in one cell of the finest grid. */
export interface FlowLeaf {
  bucket: FlowBucket
  /** The cell's column and row in the finest grid, counted from 0° lon, 0° lat. */
  x: number
  y: number
  exchanges: number
  amountMinor: bigint
  /** The distinct members who took part, either side. */
  members: readonly string[]
}

/** A cell of the requested grid that may be published; x and y count cells of that grid. */
export interface FlowCell {
  bucket: FlowBucket
  x: number
  y: number
  exchanges: number
  amountMinor: bigint
  members: number
}

interface Tally {
  exchanges: number
  amountMinor: bigint
  members: Set<string>
}

interface GridNode {
  x: number
  y: number
  total: Tally
  /** The exchanges under this cell that no published cell below it covers. */
  residual: Tally
  published: boolean
}

function emptyTally(): Tally {
  return { exchanges: 0, amountMinor: 0n, members: new Set() }
}

function addTo(into: Tally, from: Tally) {
  into.exchanges += from.exchanges
  into.amountMinor += from.amountMinor
  for (const member of from.members) into.members.add(member)
}

/**
 * Decides which cells of the requested grid are published, and is the whole of the statistics' protection against
 * differencing.
 *
 * Why it holds: the grids nest (each allowed size divides the next, all from one origin), so the cells that can
 * ever be published, over all grid sizes, form a tree per bucket. A cell is published when the exchanges under it
 * that no published finer cell covers — its residual — are none, or count at least `floor` distinct members and
 * `floor` exchanges. Each decision depends only on the cells below it, never on the request, so every request
 * sees a part of one and the same release. In that release a published cell is its residual plus the published
 * cells just below it; solving these equations from the finest grid up, every sum or difference of published
 * figures an attacker can form is a sum of residuals, and the smallest of those is one residual: empty, or at
 * least `floor` members and exchanges. Hiding further cells (a caller's larger k) takes equations away and cannot
 * make a finer one.
 */
export function publishedFlowCells(
  leaves: readonly FlowLeaf[],
  grid: { multiples: readonly number[]; multiple: number; floor: number },
): { published: FlowCell[]; suppressed: number } {
  const target = grid.multiples.indexOf(grid.multiple)
  if (target < 0) throw new Error(`grid multiple ${grid.multiple} is not one of ${grid.multiples.join(', ')}`)
  for (let i = 1; i < grid.multiples.length; i++) {
    const ratio = grid.multiples[i]! / grid.multiples[i - 1]!
    if (!Number.isInteger(ratio) || ratio < 2)
      throw new Error(`grid multiples must each divide the next, got ${grid.multiples.join(', ')}`)
  }
  const passes = (t: Tally) => t.members.size >= grid.floor && t.exchanges >= grid.floor
  const decide = (node: GridNode) => {
    node.published = node.residual.exchanges === 0 || passes(node.residual)
  }

  const buckets = new Map<string, { bucket: FlowBucket; cells: Map<string, GridNode> }>()
  for (const leaf of leaves) {
    const key = JSON.stringify([leaf.bucket.month, leaf.bucket.kind, leaf.bucket.category])
    let entry = buckets.get(key)
    if (!entry) {
      entry = { bucket: leaf.bucket, cells: new Map() }
      buckets.set(key, entry)
    }
    const cellKey = `${leaf.x},${leaf.y}`
    if (entry.cells.has(cellKey)) throw new Error(`two leaves for cell ${cellKey} of bucket ${key}`)
    const tally = (): Tally => ({
      exchanges: leaf.exchanges,
      amountMinor: leaf.amountMinor,
      members: new Set(leaf.members),
    })
    entry.cells.set(cellKey, { x: leaf.x, y: leaf.y, total: tally(), residual: tally(), published: false })
  }

  const published: FlowCell[] = []
  let suppressed = 0
  for (const { bucket, cells: finest } of buckets.values()) {
    let level = finest
    for (const node of level.values()) decide(node)
    for (let i = 1; i <= target; i++) {
      const ratio = grid.multiples[i]! / grid.multiples[i - 1]!
      const parents = new Map<string, GridNode>()
      for (const child of level.values()) {
        const x = Math.floor(child.x / ratio)
        const y = Math.floor(child.y / ratio)
        const key = `${x},${y}`
        let parent = parents.get(key)
        if (!parent) {
          parent = { x, y, total: emptyTally(), residual: emptyTally(), published: false }
          parents.set(key, parent)
        }
        addTo(parent.total, child.total)
        if (!child.published) addTo(parent.residual, child.residual)
      }
      for (const parent of parents.values()) decide(parent)
      level = parents
    }
    for (const node of level.values()) {
      if (!node.published) {
        suppressed += 1
        continue
      }
      published.push({
        bucket,
        x: node.x,
        y: node.y,
        exchanges: node.total.exchanges,
        amountMinor: node.total.amountMinor,
        members: node.total.members.size,
      })
    }
  }
  return { published, suppressed }
}
