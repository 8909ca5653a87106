/** Latencies of one measured phase, in milliseconds, kept whole so percentiles are exact rather than binned. */
export class LatencyRecorder {
  private samples: number[] = []

  record(ms: number): void {
    this.samples.push(ms)
  }

  get count(): number {
    return this.samples.length
  }

  /** The samples so far, for merging several phases into one summary. */
  values(): readonly number[] {
    return this.samples
  }

  summarise(elapsedMs: number): PhaseSummary {
    return summariseSamples(this.samples, elapsedMs)
  }
}

/** Count, rate and exact percentiles of latencies (ms) gathered over `elapsedMs`. */
export function summariseSamples(samples: readonly number[], elapsedMs: number): PhaseSummary {
  const sorted = Float64Array.from(samples).sort()
  return {
    count: sorted.length,
    perSecond: sorted.length / (elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  }
}

export interface PhaseSummary {
  count: number
  perSecond: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  maxMs: number
}

/** Nearest-rank percentile: the smallest sample with at least p% of the samples at or below it. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}
