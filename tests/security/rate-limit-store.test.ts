import { databaseRateLimitStore, rateLimitPruneIntervalMs } from '@quartiere/api'
import type { Database } from '@quartiere/db'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openTestDatabase } from '../support/test-database'

/**
 * The rate-limit store on `rate_limit_counters` (migration 0012), on both backends: a window starts at a key's
 * first hit and counts every hit exactly once, concurrent ones included; routes count apart; ended windows are
 * pruned; no key is stored as given.
 */
describe('the database rate-limit store', () => {
  let database: Database

  beforeAll(async () => {
    database = await openTestDatabase()
  })

  afterAll(async () => {
    vi.restoreAllMocks()
    await database?.close()
  })

  type Store = {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
      max: number,
    ): void
    child(options: unknown): Store
  }
  const makeStore = () => {
    const Store = databaseRateLimitStore(database.db) as unknown as new (options: unknown) => Store
    return new Store({})
  }
  const hit = (store: Store, key: string, timeWindowMs: number) =>
    new Promise<{ current: number; ttl: number }>((resolve, reject) =>
      store.incr(
        key,
        (error, result) => (error || !result ? reject(error) : resolve(result)),
        timeWindowMs,
        10,
      ),
    )
  const rows = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM rate_limit_counters`.execute(database.db))
      .rows[0]!.n

  it('counts the hits of a window and starts again once it has ended', async () => {
    const store = makeStore()
    expect((await hit(store, 'anna', 60_000)).current).toBe(1)
    const second = await hit(store, 'anna', 60_000)
    expect(second.current).toBe(2)
    expect(second.ttl).toBeGreaterThan(0)
    expect(second.ttl).toBeLessThanOrEqual(60_000)
    expect((await hit(store, 'bruno', 60_000)).current).toBe(1)

    expect((await hit(store, 'short', 200)).current).toBe(1)
    expect((await hit(store, 'short', 200)).current).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await hit(store, 'short', 200)).current).toBe(1)
  })

  it('counts concurrent hits exactly once each, whichever store object takes them', async () => {
    const stores = [makeStore(), makeStore()]
    const counts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => hit(stores[i % 2]!, 'crowd', 60_000).then((r) => r.current)),
    )
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
  })

  it('keeps the counts of two routes apart, and stores digests, not keys', async () => {
    const store = makeStore()
    const login = store.child({ routeInfo: { method: 'POST', url: '/api/auth/login' } })
    const register = store.child({ routeInfo: { method: 'POST', url: '/api/auth/register' } })
    expect((await hit(login, '192.0.2.7', 60_000)).current).toBe(1)
    expect((await hit(login, '192.0.2.7', 60_000)).current).toBe(2)
    expect((await hit(register, '192.0.2.7', 60_000)).current).toBe(1)
    const stored = await sql<{ text: string }>`SELECT t::text AS text FROM rate_limit_counters t`.execute(
      database.db,
    )
    expect(stored.rows.some((row) => row.text.includes('192.0.2.7'))).toBe(false)
  })

  it('deletes ended windows on the first hit after the prune interval', async () => {
    const store = makeStore()
    await hit(store, 'soon-over-1', 100)
    await hit(store, 'soon-over-2', 100)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const before = await rows()
    // The store's clock jumps past the interval; the database's windows have ended by its own clock.
    const now = Date.now()
    vi.spyOn(Date, 'now').mockReturnValue(now + rateLimitPruneIntervalMs + 1)
    await hit(store, 'after-the-prune', 60_000)
    vi.restoreAllMocks()
    const ended = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM rate_limit_counters WHERE expires_at <= now() - interval '1 second'`.execute(
      database.db,
    )
    expect(ended.rows[0]!.n).toBe(0)
    expect(await rows()).toBeLessThan(before)
  })
})
