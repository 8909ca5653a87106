import { type RawBuilder, sql } from 'kysely'

/**
 * The database's clock, typed as the timestamp columns take it. Writes use the server's `now()` rather than
 * the API process's clock, so every row of one transaction carries the same instant whichever instance wrote
 * it. Typed once here so that `.set({ updated_at: now() })` needs no cast.
 */
export function now(): RawBuilder<Date> {
  return sql<Date>`now()`
}

/** `column + 1`, typed as a number: version counters and tallies that grow by one in the same statement. */
export function incremented(column: string): RawBuilder<number> {
  return sql<number>`${sql.ref(column)} + 1`
}
