/**
 * The offline write queue ("outbox"): creations a resident made while the connection was down, kept on the device
 * and sent when it returns, oldest first, each exactly once thanks to its Idempotency-Key (the API keeps the first
 * answer of every key: README, "Idempotent creation"). This module is the queue's logic only; where the items live
 * is an `OutboxStore` (IndexedDB in the browser: idb-store.ts; memory in unit tests), and how an item is sent is the
 * caller's `Sender`.
 *
 * Creations are queued (a thing, a post, a comment), and changes to a thing with the version they were made on
 * (If-Match): a change someone else overtook meanwhile comes back 412 and is shown as a conflict to resolve.
 */

/** What can wait in the queue. */
export type OutboxKind = 'entity' | 'entity-edit' | 'post' | 'comment'

/** Why the API refused an item: its problem, for `problemMessage`. */
export interface OutboxFailure {
  status: number
  code: string
  detail: string
}

export interface OutboxItem {
  /** The Idempotency-Key the item is sent with, every time: a uuid made on the device. */
  id: string
  /** Whose write it is: only that member's session sends it. */
  userId: string
  kind: OutboxKind
  /** The API path it is sent to: POSTed (a creation), or PATCHed with `ifMatch` (a change). */
  path: string
  method?: 'PATCH'
  /** The version a change was made on, sent as If-Match. */
  ifMatch?: number
  body: Record<string, unknown>
  /** The thing whose thread a post or comment is in; null for a thing. */
  entityId: string | null
  /** The post a comment is on; null otherwise. */
  postId: string | null
  /** The order of the queue: a counter, larger is newer. */
  seq: number
  /** When it was queued (ms since the epoch), to show. */
  queuedAt: number
  /** `waiting` until sent; `failed` when the API refused it (then it waits for the person). */
  state: 'waiting' | 'failed'
  failure: OutboxFailure | null
  /** Sends that did not reach the API, since the last that did: the backoff grows with them. */
  attempts: number
}

/** Where the items live. Every method is atomic on one item. */
export interface OutboxStore {
  all(): Promise<OutboxItem[]>
  put(item: OutboxItem): Promise<void>
  remove(id: string): Promise<void>
}

/** How sending one item went: sent (the API's answer), refused (4xx: kept as failed), or not reached. */
export type SendResult =
  | { kind: 'sent'; value: unknown }
  | { kind: 'refused'; failure: OutboxFailure }
  | { kind: 'unreachable' }

export type Sender = (item: OutboxItem) => Promise<SendResult>

/** Items a device keeps at most: past it, a write made offline is refused on the spot (the person keeps it). */
export const outboxItemsMax = 100
/** The first retry after an unreachable API, then doubled per failed attempt up to `retryDelayMaxMs`. */
export const retryDelayBaseMs = 2_000
export const retryDelayMaxMs = 5 * 60_000

/** The wait before the next automatic send, after `attempts` sends that did not reach the API. */
export function retryDelayMs(attempts: number): number {
  if (attempts <= 0) return 0
  return Math.min(retryDelayMaxMs, retryDelayBaseMs * 2 ** Math.min(attempts - 1, 30))
}

/**
 * Whether an answer means "try again later" rather than "no": not reached (status 0), the API busy or down
 * (5xx), too many requests (429) or a timeout (408). Everything else of 4xx is a refusal a person must see.
 */
export function isTransient(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500
}

export class OutboxFullError extends Error {
  constructor() {
    super(`the queue holds ${outboxItemsMax} writes already`)
    this.name = 'OutboxFullError'
  }
}

export interface FlushOutcome {
  sent: number
  refused: number
  /** True when the API could not be reached: the rest waits for the next try (`retryDelayMs`). */
  unreachable: boolean
}

/** What a write brings to the queue; the queue adds its order, time and state. */
export type NewOutboxItem = Omit<OutboxItem, 'seq' | 'queuedAt' | 'state' | 'failure' | 'attempts'>

/**
 * The queue. One per page; sends are serialised (a flush asked while one runs waits for it), so an item is never
 * sent twice at once by this page (and another tab sending it too is answered once, by its key).
 */
export class Outbox {
  private readonly store: OutboxStore
  private readonly now: () => number
  private items = new Map<string, OutboxItem>()
  private listeners = new Set<() => void>()
  private running: Promise<unknown> = Promise.resolve()
  private snapshot: OutboxItem[] = []
  private loaded: Promise<void> | null = null

  constructor(store: OutboxStore, options: { now?: () => number } = {}) {
    this.store = store
    this.now = options.now ?? Date.now
  }

  /** Reads what earlier visits left (once; later calls wait for the same read). */
  load(): Promise<void> {
    this.loaded ??= this.store.all().then((stored) => {
      for (const item of stored) if (!this.items.has(item.id)) this.items.set(item.id, item)
      this.changed()
    })
    return this.loaded
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Every item, oldest first (the same array until something changes, for useSyncExternalStore). */
  list = (): OutboxItem[] => this.snapshot

  get(id: string): OutboxItem | undefined {
    return this.items.get(id)
  }

  async enqueue(input: NewOutboxItem): Promise<OutboxItem> {
    await this.load()
    const existing = this.items.get(input.id)
    if (existing) return existing
    if (this.items.size >= outboxItemsMax) throw new OutboxFullError()
    const seq = Math.max(0, ...[...this.items.values()].map((item) => item.seq)) + 1
    const item: OutboxItem = {
      ...input,
      seq,
      queuedAt: this.now(),
      state: 'waiting',
      failure: null,
      attempts: 0,
    }
    await this.save(item)
    return item
  }

  /** Back to waiting, with the same key: sent at the next flush. */
  async retry(id: string): Promise<void> {
    const item = this.items.get(id)
    if (item) await this.save({ ...item, state: 'waiting', failure: null, attempts: 0 })
  }

  /** A new text (or any new body) for an item, waiting again. */
  async edit(id: string, body: Record<string, unknown>): Promise<void> {
    const item = this.items.get(id)
    if (item) await this.save({ ...item, body, state: 'waiting', failure: null, attempts: 0 })
  }

  /** A change sent again on top of the version now stored (the person chose theirs over the other one). */
  async rebase(id: string, version: number): Promise<void> {
    const item = this.items.get(id)
    if (item) await this.save({ ...item, ifMatch: version, state: 'waiting', failure: null, attempts: 0 })
  }

  async discard(id: string): Promise<void> {
    if (!this.items.has(id)) return
    await this.store.remove(id)
    this.items.delete(id)
    this.changed()
  }

  /** The member's items waiting to be sent, oldest first. */
  waiting(userId: string): OutboxItem[] {
    return this.snapshot.filter((item) => item.userId === userId && item.state === 'waiting')
  }

  /** The most attempts among the member's waiting items: what the next automatic retry waits for. */
  attempts(userId: string): number {
    return Math.max(0, ...this.waiting(userId).map((item) => item.attempts))
  }

  /**
   * Sends the member's waiting items, oldest first, one at a time. A refusal marks that item failed and goes on
   * with the next; an unreachable API stops the flush (what is left keeps its order for the next one). `onSent`
   * gets each item with the API's answer after it left the queue.
   */
  flush(
    userId: string,
    send: Sender,
    onSent: (item: OutboxItem, value: unknown) => void = () => undefined,
  ): Promise<FlushOutcome> {
    const run = this.running.then(async () => {
      await this.load()
      const outcome: FlushOutcome = { sent: 0, refused: 0, unreachable: false }
      for (const queued of this.waiting(userId)) {
        // Discarded or edited while an earlier item was on its way: take the item as it is now.
        const item = this.items.get(queued.id)
        if (item?.state !== 'waiting') continue
        let result: SendResult
        try {
          result = await send(item)
        } catch {
          result = { kind: 'unreachable' }
        }
        if (result.kind === 'sent') {
          await this.store.remove(item.id)
          this.items.delete(item.id)
          this.changed()
          outcome.sent += 1
          onSent(item, result.value)
        } else if (result.kind === 'refused') {
          await this.save({ ...item, state: 'failed', failure: result.failure, attempts: 0 })
          outcome.refused += 1
        } else {
          await this.save({ ...item, attempts: item.attempts + 1 })
          outcome.unreachable = true
          break
        }
      }
      return outcome
    })
    this.running = run.catch(() => undefined)
    return run
  }

  private async save(item: OutboxItem): Promise<void> {
    await this.store.put(item)
    this.items.set(item.id, item)
    this.changed()
  }

  private changed() {
    this.snapshot = [...this.items.values()].sort((a, b) => a.seq - b.seq)
    for (const listener of this.listeners) listener()
  }
}

/** An in-memory store: for unit tests, and the fallback where IndexedDB cannot be opened (private windows). */
export class MemoryOutboxStore implements OutboxStore {
  private readonly items = new Map<string, OutboxItem>()
  async all() {
    return [...this.items.values()].map((item) => structuredClone(item))
  }
  async put(item: OutboxItem) {
    this.items.set(item.id, structuredClone(item))
  }
  async remove(id: string) {
    this.items.delete(id)
  }
}
