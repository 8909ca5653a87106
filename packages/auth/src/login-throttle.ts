import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from './users.repository'

/**
 * Counts failed logins per account and refuses further attempts on that account for a while once too many
 * failed in a window, whatever address they come from (the per-IP rate limit does not stop a botnet guessing
 * one member's password). A success clears the count.
 *
 * The failures are rows of the `login_failures` table (migration 0012), so every API instance on one database
 * counts the same failures: kept in each process, N instances allowed N times the failures. The account is
 * stored as a SHA-256 digest of the normalised email, never the email itself. Failures older than the window
 * are deleted by the next failure recorded after `loginFailuresPruneIntervalMs`.
 */
export interface LoginThrottleOptions {
  /** Failed attempts allowed per account within `windowMs`. */
  failuresMax: number
  windowMs: number
  /** The clock, in milliseconds since the epoch; the instances' clocks are assumed to agree (NTP). */
  now?: () => number
}

export const loginFailuresMaxDefault = 10
export const loginWindowMsDefault = 15 * 60_000
/** How often, at most, one throttle deletes the failures that fell out of the window. */
export const loginFailuresPruneIntervalMs = 60_000
/** Failures deleted at most per prune, so one prune never holds the table for long. */
export const loginFailuresPruneRowsMax = 50_000

export class LoginThrottle {
  readonly #db: Db
  readonly #options: Required<LoginThrottleOptions>
  #prunedAt: number

  constructor(db: Db, options: LoginThrottleOptions) {
    this.#db = db
    this.#options = { now: Date.now, ...options }
    this.#prunedAt = this.#options.now()
  }

  /** Seconds to wait before this account may try again, or 0 when it may try now. */
  async retryAfterSeconds(account: string): Promise<number> {
    const now = this.#options.now()
    const { failuresMax, windowMs } = this.#options
    // The newest `failuresMax` failures in the window: when there are that many, the oldest of them decides.
    const recent = await sql<{ failed_ms: number }>`
      SELECT (extract(epoch FROM failed_at) * 1000)::float8 AS failed_ms
        FROM login_failures
       WHERE account = ${this.#key(account)} AND failed_at > ${new Date(now - windowMs)}
       ORDER BY failed_at DESC
       LIMIT ${failuresMax}::int`.execute(this.#db)
    if (recent.rows.length < failuresMax) return 0
    const oldest = Number(recent.rows[recent.rows.length - 1]!.failed_ms)
    return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000))
  }

  async failed(account: string): Promise<void> {
    const now = this.#options.now()
    await sql`INSERT INTO login_failures (account, failed_at) VALUES (${this.#key(account)}, ${new Date(now)})`.execute(
      this.#db,
    )
    if (now - this.#prunedAt < loginFailuresPruneIntervalMs) return
    this.#prunedAt = now
    await sql`
      DELETE FROM login_failures
       WHERE ctid IN (SELECT ctid FROM login_failures WHERE failed_at <= ${new Date(now - this.#options.windowMs)}
                      LIMIT ${loginFailuresPruneRowsMax}::int)`.execute(this.#db)
  }

  async succeeded(account: string): Promise<void> {
    await sql`DELETE FROM login_failures WHERE account = ${this.#key(account)}`.execute(this.#db)
  }

  #key(account: string): Buffer {
    return createHash('sha256').update(account.trim().toLowerCase(), 'utf8').digest()
  }
}
