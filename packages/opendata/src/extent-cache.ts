import type { CollectionExtent } from './ogc.service'

/**
 * The longest the extents are served from memory without a change announcing itself. Every change through the
 * API reaches the cache through the outbox relay at once; this bounds how stale the extents can be after one
 * that does not (a bulk load in SQL, an operator's fix by hand).
 */
export const extentCacheMaxAgeMs = 5 * 60 * 1000

/** Topics of outbox events that may move a collection's extent: things changed, hidden or restored. */
const extentTopicPrefixes = ['entity.', 'moderation.']

export function changesExtents(topic: string): boolean {
  return extentTopicPrefixes.some((prefix) => topic.startsWith(prefix))
}

/**
 * The collections' extents (a GROUP BY over every visible thing) computed once and kept until a change drops
 * them. Concurrent readers share one computation; a computation that a change overtook is handed to the
 * readers that were waiting for it but not kept, so a stale extent never outlives the change that made it so.
 */
export class ExtentCache {
  private entry: { extents: Promise<CollectionExtent[]>; computedAtMs: number } | null = null
  computations = 0

  constructor(
    private readonly compute: () => Promise<CollectionExtent[]>,
    private readonly maxAgeMs = extentCacheMaxAgeMs,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get(): Promise<CollectionExtent[]> {
    const entry = this.entry
    if (entry && this.nowMs() - entry.computedAtMs <= this.maxAgeMs) return entry.extents
    this.computations += 1
    const extents = this.compute()
    const fresh = { extents, computedAtMs: this.nowMs() }
    this.entry = fresh
    // A failed computation is not kept: the next reader tries again.
    extents.catch(() => {
      if (this.entry === fresh) this.entry = null
    })
    return extents
  }

  invalidate(): void {
    this.entry = null
  }
}
