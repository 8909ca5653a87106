import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { allocateProRata } from './pro-rata'

const seed = 20_261_124

describe('allocateProRata', () => {
  it('gives the remainder to the largest remainders, ties to the earlier weight', () => {
    expect(allocateProRata(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n])
    expect(allocateProRata(100n, [1n, 2n])).toEqual([33n, 67n])
    expect(allocateProRata(5n, [3n, 3n, 2n])).toEqual([2n, 2n, 1n])
    expect(allocateProRata(0n, [5n, 7n])).toEqual([0n, 0n])
    expect(allocateProRata(6n, [2n, 4n])).toEqual([2n, 4n])
  })

  it('sums exactly to the total, each share within one unit of its quota (fast-check, fixed seed)', () => {
    const property = fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 15n }),
      fc.array(fc.bigInt({ min: 1n, max: 10n ** 15n }), { minLength: 1, maxLength: 60 }),
      (total, weights) => {
        const shares = allocateProRata(total, weights)
        const sum = weights.reduce((a, b) => a + b, 0n)
        expect(shares.reduce((a, b) => a + b, 0n)).toBe(total)
        shares.forEach((share, i) => {
          const floor = (total * weights[i]!) / sum
          expect(share === floor || share === floor + 1n).toBe(true)
        })
        // Deterministic: the same pledges always get the same shares.
        expect(allocateProRata(total, weights)).toEqual(shares)
      },
    )
    const result = fc.check(property, { seed, numRuns: 500 })
    if (result.failed) {
      throw new Error(
        `pro-rata property failed (seed ${seed}, path ${result.counterexamplePath}): ${fc.defaultReportMessage(result)}`,
      )
    }
  })

  it('refuses weights that are not positive', () => {
    expect(() => allocateProRata(1n, [0n])).toThrow()
    expect(() => allocateProRata(1n, [])).toThrow()
  })
})
