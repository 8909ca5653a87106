import type { CompiledQuery } from 'kysely'
import type pg from 'pg'
import Cursor from 'pg-cursor'

/**
 * Long reads through a server-side cursor, on PostgreSQL: the query runs once, in one snapshot, and its rows
 * come a batch at a time as the reader asks for them. A filtered export then reads only what matches (the plan
 * may use any index), where a keyset loop must seek in key order and, for a filter matching a quarter of a
 * table in random key order, reads the whole table.
 */
export interface CursorReads {
  /**
   * The rows of `query`, `batchRows` at a time, on a connection held until the last batch is read or the reader
   * stops (breaking out of the loop closes the cursor). Yields nothing and returns false when `cursorReadsMax`
   * reads are running already: the caller reads another way rather than queue behind them.
   */
  read<R>(query: CompiledQuery, batchRows: number): AsyncGenerator<R[], boolean>
  /** Reads running now. */
  readonly active: number
}

/**
 * Cursor reads at most at once: each holds a pooled connection for as long as its reader takes (a slow client
 * downloading an export), so they are kept to a few, leaving the pool to the requests.
 */
export const cursorReadsMax = 4

/**
 * How long one cursor read may last, from its first row to its last. The pool's statement timeout cannot apply:
 * PostgreSQL counts a portal's time from its first fetch to its last, so it would cut every export longer than a
 * request. A client that stops reading is cut off sooner by the HTTP server's idle timeout, which closes the
 * cursor; this bound is for what nothing else ends.
 */
export const cursorReadTimeoutMs = 30 * 60_000

export function cursorReads(
  pool: pg.Pool,
  readsMax = cursorReadsMax,
  timeoutMs = cursorReadTimeoutMs,
): CursorReads {
  let active = 0
  return {
    get active() {
      return active
    },
    async *read<R>(query: CompiledQuery, batchRows: number): AsyncGenerator<R[], boolean> {
      // Decided at the first pull, not when the generator is made: a generator never started never reaches a
      // `finally`, and a slot taken there would never be given back.
      if (active >= readsMax) return false
      active += 1
      let client: pg.PoolClient | undefined
      let failure: Error | undefined
      try {
        client = await pool.connect()
        await client.query(`SET statement_timeout = ${Math.trunc(timeoutMs)}`)
        const cursor = client.query(new Cursor<R>(query.sql, [...query.parameters]))
        try {
          for (;;) {
            const rows = await cursor.read(batchRows)
            if (rows.length === 0) return true
            yield rows
          }
        } finally {
          // Ends the portal and its implicit transaction, whether the reader finished or stopped early, and
          // gives the connection its own statement timeout back before the pool lends it again.
          await cursor.close().catch((error: unknown) => {
            failure = error instanceof Error ? error : new Error(String(error))
          })
          if (!failure)
            await client.query('RESET statement_timeout').catch((error: unknown) => {
              failure = error instanceof Error ? error : new Error(String(error))
            })
        }
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error))
        throw error
      } finally {
        active -= 1
        // A connection whose cursor failed is not trusted again: the pool drops it.
        client?.release(failure)
      }
    },
  }
}
