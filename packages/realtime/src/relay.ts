import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { type OutboxEventRow, pruneOutbox, readHead, readOutbox, snapshotSettled } from './outbox.repository'

/** The channel a NOTIFY without payload wakes the other instances on. */
export const outboxChannel = 'quartiere_outbox'

export interface RelayOptions {
  db: Kysely<DB>
  /**
   * postgres://… for the dedicated LISTEN connection that wakes this instance when another one wrote. Absent
   * (the embedded database, or a test that passes its own pool): wake-ups are in-process plus the slow poll.
   */
  listenUrl?: string
  /** The safety-net poll: how often the outbox is read when nothing woke the relay. */
  pollIntervalMs?: number
  /** Events read per query. */
  batchSize?: number
  /**
   * How long a hole in the seqs may hold up the feed at most. A hole is skipped as soon as every transaction
   * that could own it has ended; this bounds the wait when one runs for very long (it is then logged).
   */
  gapWaitMsMax?: number
  /** A hole is not skipped before this age, whatever the snapshot says (a transaction between taking its seq
   *  and getting a transaction id is not in any snapshot). */
  gapGraceMs?: number
  /** Events older than this are pruned. */
  retentionMs?: number
  pruneIntervalMs?: number
  /** Rows deleted per pruning statement. */
  pruneBatchSize?: number
  log?: RelayLog
}

export interface RelayLog {
  warn(object: Record<string, unknown>, message: string): void
  error(object: Record<string, unknown>, message: string): void
}

export const relayDefaults = {
  pollIntervalMs: 1000,
  batchSize: 500,
  gapWaitMsMax: 30_000,
  gapGraceMs: 20,
  retentionMs: 7 * 24 * 3600 * 1000,
  pruneIntervalMs: 10 * 60 * 1000,
  pruneBatchSize: 10_000,
} as const

/** How soon a hole is looked at again while it waits for its transaction. */
const gapRecheckMs = 5
/** After a failed read, the relay tries again this much later. */
const errorRetryMs = 500
/** The LISTEN connection reconnects after this long when it breaks. */
const listenReconnectMs = 2000

export type EventsListener = (events: OutboxEventRow[]) => void

/**
 * Tails the outbox and hands committed events on, in seq order, each exactly once.
 *
 * Identity values are taken at INSERT but transactions commit in another order, so a reader can see seq 12
 * before seq 11 commits. The relay therefore stops at the first hole and waits: the hole is taken for a
 * rolled-back (or never used) seq only once every transaction that was running when the hole was seen has
 * ended, with `pg_current_snapshot()` and `pg_xact_status()`, and at least `gapGraceMs` passed; `gapWaitMsMax`
 * bounds the wait. On the embedded database transactions run one at a time, so a hole is settled at once.
 */
export interface OutboxRelay {
  /** Resolves once the relay knows where the outbox stands (`position` is meaningful from then on). */
  readonly ready: Promise<void>
  /** Every seq up to this one has been handed on (or was a hole proven empty). */
  readonly position: number
  /**
   * Subscribes to committed events, delivered in seq order in batches, synchronously after each read. Returns
   * the unsubscribe function. For other modules too: e.g. the open-data tile cache invalidates by bbox.
   * Events whose entity the public may no longer see come too (`publicVisible: false`); the feed sends a change
   * to such a thing as its deletion, where it was.
   */
  onEvents(listener: EventsListener): () => void
  /**
   * Says that this process just committed outbox events: reads at once, and wakes the other instances with one
   * NOTIFY without payload (coalesced: at most one in flight, and one more after it if asked meanwhile).
   */
  announce(): void
  /** Reads now (local only). */
  wake(): void
  /** Runs one pruning pass now; returns how many events were deleted. */
  prune(): Promise<number>
  stop(): Promise<void>
}

export function createOutboxRelay(options: RelayOptions): OutboxRelay {
  const { db } = options
  const pollIntervalMs = options.pollIntervalMs ?? relayDefaults.pollIntervalMs
  const batchSize = options.batchSize ?? relayDefaults.batchSize
  const gapWaitMsMax = options.gapWaitMsMax ?? relayDefaults.gapWaitMsMax
  const gapGraceMs = options.gapGraceMs ?? relayDefaults.gapGraceMs
  const retentionMs = options.retentionMs ?? relayDefaults.retentionMs
  const pruneIntervalMs = options.pruneIntervalMs ?? relayDefaults.pruneIntervalMs
  const pruneBatchSize = options.pruneBatchSize ?? relayDefaults.pruneBatchSize
  const log = options.log

  const listeners = new Set<EventsListener>()
  let position = 0
  let stopped = false
  let reading: Promise<void> | null = null
  let again = false
  let timer: NodeJS.Timeout | null = null
  // `settled`: every transaction of the hole's snapshot had ended when last checked. The hole is passed only on a
  // read that started after that check: a transaction that committed (rather than rolled back) in between is
  // visible to it, so its seq is read instead of being skipped.
  let hole: { seq: number; since: number; snapshot: string; settled: boolean } | null = null
  let listenClient: pg.Client | null = null
  let listenPid = 0
  let listenTimer: NodeJS.Timeout | null = null
  let notifying = false
  let notifyAgain = false
  let pruning: Promise<number> | null = null

  const schedule = (ms: number) => {
    if (stopped) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      wake()
    }, ms)
  }

  const wake = () => {
    if (stopped) return
    if (reading !== null) {
      again = true
      return
    }
    reading = pump()
      .catch((error: unknown) => {
        log?.error({ err: error }, 'reading the outbox failed')
        again = false
        schedule(errorRetryMs)
      })
      .finally(() => {
        reading = null
        if (again && !stopped) {
          again = false
          wake()
        }
      })
  }

  /** Reads until the outbox is drained or a hole stops it. */
  const pump = async () => {
    for (;;) {
      const page = await readOutbox(db, { afterSeq: position, limit: batchSize })
      const ready: OutboxEventRow[] = []
      let expected = position + 1
      let blocked = false
      for (const row of page.rows) {
        if (row.seq !== expected && !(await holeSettled(expected, page.snapshot!))) {
          blocked = true
          break
        }
        hole = null
        ready.push(row)
        expected = row.seq + 1
      }
      if (ready.length) {
        position = ready[ready.length - 1]!.seq
        for (const listener of listeners) {
          try {
            listener(ready)
          } catch (error) {
            log?.error({ err: error }, 'an outbox listener failed')
          }
        }
      }
      if (stopped) return
      if (blocked) {
        schedule(gapRecheckMs)
        return
      }
      if (page.rows.length < batchSize) {
        schedule(pollIntervalMs)
        return
      }
    }
  }

  /** Whether the hole starting at `seq` may be passed over. */
  const holeSettled = async (seq: number, snapshot: string) => {
    const now = Date.now()
    if (!hole || hole.seq !== seq) {
      // The snapshot of the read that first showed the hole: its owner, if any, was running then.
      hole = { seq, since: now, snapshot, settled: false }
      return false
    }
    if (hole.settled) return true
    if (now - hole.since < gapGraceMs) return false
    if (await snapshotSettled(db, hole.snapshot)) {
      // Ended, but perhaps by committing after this read's snapshot was taken: read once more before passing.
      hole.settled = true
      return false
    }
    if (now - hole.since >= gapWaitMsMax) {
      log?.warn(
        { seq, waitedMs: now - hole.since },
        'skipping an outbox hole whose transaction is still running',
      )
      return true
    }
    return false
  }

  /**
   * Where to start: the newest seq, once every transaction that was running then has ended (one of them may
   * own a lower seq still to commit; it is part of the state a client loads after connecting).
   */
  const start = async () => {
    const head = await readHead(db)
    const since = Date.now()
    while (!stopped && Date.now() - since < gapWaitMsMax && !(await snapshotSettled(db, head.snapshot))) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    position = head.seq
    await listen()
    schedule(0)
    schedulePrune(Math.min(pruneIntervalMs, 60_000))
  }

  const listen = async () => {
    if (!options.listenUrl || stopped) return
    const client = new pg.Client({ connectionString: options.listenUrl })
    client.on('error', (error) => {
      log?.warn({ err: error }, 'the outbox LISTEN connection failed; reconnecting')
      relisten(client)
    })
    client.on('end', () => relisten(client))
    client.on('notification', (message) => {
      // Our own NOTIFY comes back too: this process has read already.
      if (message.processId !== listenPid) wake()
    })
    try {
      await client.connect()
      await client.query(`LISTEN ${outboxChannel}`)
      const pid = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      listenPid = pid.rows[0]!.pid
      if (stopped) {
        await client.end()
        return
      }
      listenClient = client
      // Anything written while we were not listening.
      wake()
    } catch (error) {
      log?.warn({ err: error }, 'could not LISTEN on the outbox channel; retrying')
      relisten(client)
    }
  }

  const relisten = (client: pg.Client) => {
    if (listenClient === client) listenClient = null
    client.removeAllListeners('end')
    client.end().catch(() => {})
    if (stopped || listenTimer) return
    listenTimer = setTimeout(() => {
      listenTimer = null
      void listen()
    }, listenReconnectMs)
  }

  const notify = () => {
    const client = listenClient
    if (!client) return
    if (notifying) {
      notifyAgain = true
      return
    }
    notifying = true
    client
      .query(`NOTIFY ${outboxChannel}`)
      .catch((error: unknown) => log?.warn({ err: error }, 'NOTIFY failed; the poll will catch up'))
      .finally(() => {
        notifying = false
        if (notifyAgain && !stopped) {
          notifyAgain = false
          notify()
        }
      })
  }

  let pruneTimer: NodeJS.Timeout | null = null
  const schedulePrune = (ms: number) => {
    if (stopped) return
    pruneTimer = setTimeout(() => {
      prune()
        .catch((error: unknown) => log?.error({ err: error }, 'pruning the outbox failed'))
        .finally(() => schedulePrune(pruneIntervalMs))
    }, ms)
  }

  const prune = async () => {
    if (pruning !== null) return pruning
    pruning = (async () => {
      let total = 0
      for (;;) {
        const deleted = await pruneOutbox(db, { retentionMs, throughSeq: position, limit: pruneBatchSize })
        total += deleted
        if (deleted < pruneBatchSize || stopped) return total
      }
    })().finally(() => {
      pruning = null
    })
    return pruning
  }

  const ready = start()
  ready.catch((error: unknown) => log?.error({ err: error }, 'the outbox relay could not start'))

  return {
    ready,
    get position() {
      return position
    },
    onEvents(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    announce() {
      wake()
      notify()
    },
    wake,
    prune,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      if (pruneTimer) clearTimeout(pruneTimer)
      if (listenTimer) clearTimeout(listenTimer)
      await ready.catch(() => {})
      await reading
      await pruning?.catch(() => {})
      const client = listenClient
      listenClient = null
      if (client) {
        client.removeAllListeners('end')
        await client.end().catch(() => {})
      }
      listeners.clear()
    },
  }
}
