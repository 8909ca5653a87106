/**
 * Shares `total` minor units out in proportion to `weights`, exactly: the shares always sum to `total`, no unit
 * is created or lost by rounding. Each share is first its quota rounded down (total × weight ÷ sum of weights);
 * the units left over (fewer than there are weights) go one each to the largest remainders of that division
 * (Hamilton's largest remainder method), ties going to the earlier weight (for pledges: the earlier pledge).
 * So every share is within one unit of its exact quota.
 *
 * @example
 * allocateProRata(10n, [1n, 1n, 1n]) // [4n, 3n, 3n]: the remainder unit goes to the first pledge
 */
export function allocateProRata(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) throw new Error('a pro-rata total cannot be negative')
  if (weights.some((w) => w <= 0n)) throw new Error('pro-rata weights must be positive')
  if (weights.length === 0) {
    if (total !== 0n) throw new Error('nothing to share a non-zero total among')
    return []
  }
  const sum = weights.reduce((a, b) => a + b, 0n)
  const shares = weights.map((w) => (total * w) / sum)
  let left = total - shares.reduce((a, b) => a + b, 0n)
  const order = weights
    .map((w, index) => ({ index, remainder: (total * w) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1))
  for (const { index } of order) {
    if (left === 0n) break
    shares[index]! += 1n
    left -= 1n
  }
  if (left !== 0n) throw new Error('pro-rata remainder exceeds the number of shares: arithmetic is broken')
  return shares
}
