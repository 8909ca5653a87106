import { createHash } from 'node:crypto'
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { DB } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'

/** How often, at most, each instance deletes the counters whose window has ended. */
export const rateLimitPruneIntervalMs = 60_000
/** Ended counters deleted at most per prune, so one prune never holds the table for long. */
export const rateLimitPruneRowsMax = 50_000
/** The largest count a counter holds: past it a flood is still refused, and the column cannot overflow. */
const hitsMax = 2_147_483_647

interface Pruning {
  lastAt: number
}

/**
 * @fastify/rate-limit's store on the `rate_limit_counters` table (migration 0012), so that every API instance on
 * one database counts the same hits: with the library's in-memory store each instance counted its own, and N
 * instances let N times the limit through. One upsert per limited request counts the hit and answers the count
 * and the time left, atomically (concurrent hits on one key queue on its row). A key's window starts at its
 * first hit, as the in-memory store's did, and the database's clock is the one clock all instances share.
 * Ended windows are deleted by whichever instance next counts a hit after `rateLimitPruneIntervalMs`.
 *
 * Keys are stored as SHA-256 digests of the route and the key (an address, a member's id): the table holds no
 * personal data. `continueExceeding` and `exponentialBackoff` are not supported (the API uses neither).
 */
export function databaseRateLimitStore(db: Kysely<DB>): FastifyRateLimitStoreCtor {
  const pruning: Pruning = { lastAt: Date.now() }
  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    readonly #namespace: string

    constructor(_options?: unknown, namespace = '') {
      this.#namespace = namespace
    }

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      countHit(db, pruning, digest(`${this.#namespace}\u0000${key}`), timeWindow).then(
        (result) => callback(null, result),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      )
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      // Each route limited on its own counts on its own, as the in-memory store gave each route its own map.
      // The library passes the route's merged limit options, the route itself under `routeInfo` (empty for a
      // limit made with `app.rateLimit`, whose keys carry their own prefix).
      const route = (routeOptions as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo
      const method = [route?.method ?? ''].flat().join(',')
      return new DatabaseRateLimitStore(undefined, `${method} ${route?.url ?? ''}`)
    }
  }
  return DatabaseRateLimitStore as unknown as FastifyRateLimitStoreCtor
}

async function countHit(
  db: Kysely<DB>,
  pruning: Pruning,
  key: Buffer,
  timeWindowMs: number,
): Promise<{ current: number; ttl: number }> {
  const now = Date.now()
  if (now - pruning.lastAt >= rateLimitPruneIntervalMs) {
    pruning.lastAt = now
    await sql`
      DELETE FROM rate_limit_counters
       WHERE key IN (SELECT key FROM rate_limit_counters WHERE expires_at <= now() LIMIT ${rateLimitPruneRowsMax}::int)`.execute(
      db,
    )
  }
  const result = await sql<{ hits: number; ttl_ms: number }>`
    INSERT INTO rate_limit_counters AS c (key, window_start, expires_at, hits)
    VALUES (${key}, now(), now() + ${timeWindowMs}::float8 * interval '1 millisecond', 1)
    ON CONFLICT (key) DO UPDATE SET
      window_start = CASE WHEN c.expires_at <= now() THEN now() ELSE c.window_start END,
      expires_at = CASE WHEN c.expires_at <= now() THEN now() + ${timeWindowMs}::float8 * interval '1 millisecond'
                        ELSE c.expires_at END,
      hits = CASE WHEN c.expires_at <= now() THEN 1 ELSE least(c.hits + 1, ${hitsMax}::int) END
    RETURNING hits, greatest(0, ceil(extract(epoch FROM expires_at - now()) * 1000))::int AS ttl_ms`.execute(
    db,
  )
  const row = result.rows[0]
  if (!row) throw new Error('counting a rate-limited hit returned no row')
  return { current: row.hits, ttl: row.ttl_ms }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest()
}
