import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type FlowLeaf, publishedFlowCells } from './flow-suppression'

const multiples = [1, 5, 10, 50, 100] as const
const floor = 5
const bucket = { month: '2026-03', kind: 'offer', category: 'repairs' }
/** Fixed, printed by fast-check on failure. */
const seed = 20261207

interface Exchange {
  x: number
  y: number
  provider: number
  receiver: number
}

function leavesOf(exchanges: readonly Exchange[]): FlowLeaf[] {
  const cells = new Map<string, FlowLeaf & { set: Set<string> }>()
  for (const e of exchanges) {
    const key = `${e.x},${e.y}`
    let leaf = cells.get(key)
    if (!leaf) {
      leaf = { bucket, x: e.x, y: e.y, exchanges: 0, amountMinor: 0n, members: [], set: new Set() }
      cells.set(key, leaf)
    }
    leaf.exchanges += 1
    leaf.amountMinor += 100n
    leaf.set.add(`m${e.provider}`).add(`m${e.receiver}`)
  }
  return [...cells.values()].map(({ set, ...leaf }) => ({ ...leaf, members: [...set] }))
}

/** Whether finest cell (x, y) lies in cell (cx, cy) of the grid of this multiple. */
function inside(x: number, y: number, multiple: number, cx: number, cy: number) {
  return Math.floor(x / multiple) === cx && Math.floor(y / multiple) === cy
}

/**
 * Everything an attacker can learn from every grid at once: the published cells of all sizes form a tree, and
 * each cell's figures minus those of the published cells just inside it leave its atom. Returns the atoms that are
 * not empty, as the exchanges they hold, recomputed here from the raw exchanges.
 */
function atomsOfRelease(exchanges: readonly Exchange[], kOf: (multiple: number) => number) {
  const leaves = leavesOf(exchanges)
  const release: { multiple: number; x: number; y: number }[] = []
  for (const multiple of multiples) {
    const k = kOf(multiple)
    const { published } = publishedFlowCells(leaves, { multiples, multiple, floor })
    for (const c of published)
      if (c.members >= k && c.exchanges >= k) release.push({ multiple, x: c.x, y: c.y })
  }
  const atoms: Exchange[][] = []
  for (const cell of release) {
    const within = (e: Exchange) => inside(e.x, e.y, cell.multiple, cell.x, cell.y)
    const coveredBelow = (e: Exchange) =>
      release.some((d) => d.multiple < cell.multiple && inside(e.x, e.y, d.multiple, d.x, d.y))
    const atom = exchanges.filter((e) => within(e) && !coveredBelow(e))
    if (atom.length > 0) atoms.push(atom)
  }
  return { atoms, release }
}

const exchange = fc.record({
  // A small patch of finest cells, crowded enough for cells of several sizes to be published, across the origin.
  x: fc.integer({ min: -6, max: 12 }),
  y: fc.integer({ min: -2, max: 3 }),
  provider: fc.integer({ min: 0, max: 30 }),
  receiver: fc.integer({ min: 31, max: 60 }),
})

describe('which ledger-flow cells are published', () => {
  it('publishes a lone cell only with at least the floor of members and exchanges', () => {
    const four = [0, 1, 2, 3].map((i) => ({ x: 3, y: 3, provider: i, receiver: 100 + i }))
    expect(publishedFlowCells(leavesOf(four), { multiples, multiple: 1, floor }).published).toEqual([])
    const five = [...four, { x: 3, y: 3, provider: 4, receiver: 104 }]
    const { published, suppressed } = publishedFlowCells(leavesOf(five), { multiples, multiple: 1, floor })
    expect(suppressed).toBe(0)
    expect(published).toEqual([{ bucket, x: 3, y: 3, exchanges: 5, amountMinor: 500n, members: 10 }])
  })

  it('suppresses a coarse cell whose difference with the published finer cells inside it is too small', () => {
    // Six exchanges in one finest cell (published), one exchange of one pair in a neighbouring cell (suppressed):
    // the 0.05° cell around both has 7 exchanges, and minus the published one it would give the pair away.
    const busy = [0, 1, 2, 3, 4, 5].map((i) => ({ x: 0, y: 0, provider: i, receiver: 100 + i }))
    const lone = { x: 1, y: 0, provider: 50, receiver: 150 }
    const world = leavesOf([...busy, lone])
    const fine = publishedFlowCells(world, { multiples, multiple: 1, floor })
    expect(fine.published.map((c) => [c.x, c.y])).toEqual([[0, 0]])
    expect(fine.suppressed).toBe(1)
    const coarse = publishedFlowCells(world, { multiples, multiple: 5, floor })
    expect(coarse.published).toEqual([])
    expect(coarse.suppressed).toBe(1)
  })

  it('no combination of every grid and every k ever isolates fewer than the floor', () => {
    let atomsChecked = 0
    fc.assert(
      fc.property(
        fc.array(exchange, { minLength: 1, maxLength: 150 }),
        fc.constantFrom(floor, floor + 1, floor + 3),
        (exchanges, larger) => {
          // The same world read with the floor on some grids and a larger k on others.
          for (const kOf of [() => floor, (m: number) => (m % 10 === 0 ? larger : floor)]) {
            const { atoms } = atomsOfRelease(exchanges, kOf)
            for (const atom of atoms) {
              const members = new Set(atom.flatMap((e) => [e.provider, e.receiver]))
              expect(atom.length).toBeGreaterThanOrEqual(floor)
              expect(members.size).toBeGreaterThanOrEqual(floor)
              atomsChecked += 1
            }
          }
        },
      ),
      { seed, numRuns: 300 },
    )
    // The worlds must publish something for the property to have been tested at all.
    expect(atomsChecked).toBeGreaterThan(100)
  })

  it('the property above is not vacuous: its worlds publish cells of several sizes', () => {
    const crowd = Array.from({ length: 40 }, (_, i) => ({
      x: i % 8,
      y: 0,
      provider: i % 30,
      receiver: 31 + i,
    }))
    const { release } = atomsOfRelease(crowd, () => floor)
    expect(new Set(release.map((c) => c.multiple)).size).toBeGreaterThan(1)
  })
})
