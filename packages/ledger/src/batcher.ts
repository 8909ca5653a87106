import { type DB, isDatabaseUnavailable } from '@quartiere/db'
import type { Kysely } from 'kysely'
import { executeBatch } from './transfer-engine'
import type { CommandOutcome, LedgerCommand, TransferPolicy } from './types'

/** Commands in one database transaction at most. */
export const batchCommandsMax = 512
/**
 * Batches committing at the same time. One means every command that arrives while a batch commits joins the
 * next one, so batches grow with the load; measured with 64 clients (pnpm bench -- ledger-transfers), one
 * batch in flight beat four by 2–3× in transfers/s, since concurrent batches mostly waited on each other's
 * row locks and each committed only a few transfers.
 */
export const batchesInFlightMax = 1
/** Commands waiting at most; past it new ones are refused at once rather than queueing without bound. */
export const queueCommandsMax = 20_000
/** A batch that fails for a transient reason (deadlock, serialization) is retried this many times. */
export const batchAttemptsMax = 3

interface Waiting {
  command: LedgerCommand
  resolve: (outcome: CommandOutcome) => void
  reject: (error: unknown) => void
}

export class LedgerOverloadedError extends Error {
  constructor() {
    super('the ledger queue is full; try again shortly')
  }
}

/**
 * Groups concurrent ledger commands into shared database transactions, the way TigerBeetle batches transfers:
 * one commit (one WAL flush) acknowledges many transfers, and each still gets its own outcome. A command is
 * acknowledged only after its batch has committed, so what the caller hears is durable.
 *
 * Batching is natural: while batches are committing, new commands queue; the next batch takes all of them
 * (up to `batchCommandsMax`). Under light load a command runs alone, without waiting for company.
 */
export class TransferBatcher {
  readonly #db: Kysely<DB>
  readonly #queue: Waiting[] = []
  #inFlight = 0
  readonly #inFlightMax: number
  readonly #policy: TransferPolicy

  constructor(db: Kysely<DB>, options: { inFlightMax?: number; policy?: TransferPolicy } = {}) {
    this.#db = db
    this.#inFlightMax = options.inFlightMax ?? batchesInFlightMax
    this.#policy = options.policy ?? {}
  }

  submit(command: LedgerCommand): Promise<CommandOutcome> {
    if (this.#queue.length >= queueCommandsMax) return Promise.reject(new LedgerOverloadedError())
    return new Promise((resolve, reject) => {
      this.#queue.push({ command, resolve, reject })
      this.#pump()
    })
  }

  /** Resolves once every queued and running batch has finished (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#queue.length || this.#inFlight) await new Promise((r) => setTimeout(r, 5))
  }

  #pump() {
    while (this.#inFlight < this.#inFlightMax && this.#queue.length) {
      const batch = this.#queue.splice(0, batchCommandsMax)
      this.#inFlight += 1
      void this.#run(batch).finally(() => {
        this.#inFlight -= 1
        this.#pump()
      })
    }
  }

  async #run(batch: Waiting[]) {
    try {
      const outcomes = await runWithRetry(
        this.#db,
        this.#policy,
        batch.map((w) => w.command),
      )
      for (const [i, waiting] of batch.entries()) waiting.resolve(outcomes[i]!)
    } catch (error) {
      // With the database unreachable, running each command alone would only fail again, one by one.
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const waiting of batch) waiting.reject(error)
        return
      }
      // One command's unexpected failure (a bug, a constraint, two instances racing on one key) must not
      // take its neighbours down: run each alone, so each gets its own answer.
      for (const waiting of batch) {
        try {
          const [outcome] = await runWithRetry(this.#db, this.#policy, [waiting.command])
          waiting.resolve(outcome!)
        } catch (singleError) {
          waiting.reject(singleError)
        }
      }
    }
  }
}

const transientCodes = new Set(['40001', '40P01', '23505'])

async function runWithRetry(
  db: Kysely<DB>,
  policy: TransferPolicy,
  commands: LedgerCommand[],
): Promise<CommandOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute((trx) => executeBatch(trx, commands, policy))
    } catch (error) {
      const code = (error as { code?: string }).code
      if (attempt >= batchAttemptsMax || !code || !transientCodes.has(code)) throw error
    }
  }
}
