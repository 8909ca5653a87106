import { LoginThrottle, loginFailuresPruneIntervalMs } from '@quartiere/auth'
import type { Database } from '@quartiere/db'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase } from '../support/test-database'

/** The login throttle counts failures in the database (migration 0012's login_failures), on both backends. */
describe('LoginThrottle', () => {
  let database: Database

  beforeAll(async () => {
    database = await openTestDatabase()
  })

  afterAll(async () => {
    await database?.close()
  })

  const clock = () => {
    let now = 1_000_000
    return { now: () => now, advance: (ms: number) => (now += ms) }
  }

  it('refuses an account after too many failures in the window, then lets it try again', async () => {
    const time = clock()
    const throttle = new LoginThrottle(database.db, { failuresMax: 3, windowMs: 60_000, now: time.now })
    for (let i = 0; i < 3; i++) {
      expect(await throttle.retryAfterSeconds('anna@example.org')).toBe(0)
      await throttle.failed('anna@example.org')
    }
    expect(await throttle.retryAfterSeconds('Anna@Example.org ')).toBe(60)
    expect(await throttle.retryAfterSeconds('bruno@example.org')).toBe(0)
    time.advance(30_000)
    expect(await throttle.retryAfterSeconds('anna@example.org')).toBe(30)
    time.advance(30_001)
    expect(await throttle.retryAfterSeconds('anna@example.org')).toBe(0)
  })

  it('forgets the failures of an account that logs in', async () => {
    const throttle = new LoginThrottle(database.db, { failuresMax: 2, windowMs: 60_000 })
    await throttle.failed('carla@example.org')
    await throttle.succeeded('carla@example.org')
    await throttle.failed('carla@example.org')
    expect(await throttle.retryAfterSeconds('carla@example.org')).toBe(0)
  })

  it('counts the failures every instance records: two throttles on one database share them', async () => {
    const one = new LoginThrottle(database.db, { failuresMax: 4, windowMs: 60_000 })
    const two = new LoginThrottle(database.db, { failuresMax: 4, windowMs: 60_000 })
    await one.failed('dario@example.org')
    await two.failed('dario@example.org')
    await one.failed('dario@example.org')
    expect(await two.retryAfterSeconds('dario@example.org')).toBe(0)
    await two.failed('dario@example.org')
    expect(await one.retryAfterSeconds('dario@example.org')).toBeGreaterThan(0)
    expect(await two.retryAfterSeconds('dario@example.org')).toBeGreaterThan(0)
    // A success on one instance clears the count for both.
    await two.succeeded('dario@example.org')
    expect(await one.retryAfterSeconds('dario@example.org')).toBe(0)
  })

  it('keeps no email, and deletes failures that fell out of the window', async () => {
    // Later than every failure the other tests recorded, by the real clock or the test's.
    let now = Date.now() + 3_600_000
    const time = { now: () => now, advance: (ms: number) => (now += ms) }
    const throttle = new LoginThrottle(database.db, { failuresMax: 1, windowMs: 60_000, now: time.now })
    await throttle.failed('elena@example.org')
    const stored = await sql<{ text: string }>`SELECT t::text AS text FROM login_failures t`.execute(
      database.db,
    )
    expect(stored.rows.length).toBeGreaterThan(0)
    expect(stored.rows.some((row) => row.text.includes('elena'))).toBe(false)
    const count = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM login_failures`.execute(database.db)).rows[0]!
        .n
    const before = await count()
    // Past the window and the prune interval, the next failure clears every one that has fallen out of it.
    time.advance(Math.max(60_000, loginFailuresPruneIntervalMs) + 1)
    await throttle.failed('franco@example.org')
    expect(before).toBeGreaterThan(1)
    expect(await count()).toBe(1)
  })
})
