import { openDatabase, statementTimeoutMsDefault } from '@quartiere/db'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app'

/**
 * Every connection the API opens to PostgreSQL carries a statement_timeout (issue 9, "database
 * statement_timeout"), so one runaway query cannot hold a connection and its locks for ever.
 */
describe('statement timeout on PostgreSQL', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t?.close()
  })

  it('is set on the connections the API uses', async () => {
    const shown = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(t.database.db)
    expect(shown.rows[0]?.statement_timeout).toBe(`${statementTimeoutMsDefault / 1000}s`)
  })

  it('cancels a statement that runs past it', async () => {
    const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
    const database = await openDatabase({ databaseUrl: url, statementTimeoutMs: 200 })
    try {
      await expect(sql`SELECT pg_sleep(5)`.execute(database.db)).rejects.toMatchObject({ code: '57014' })
      // The connection is still good for the next statement.
      const one = await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)
      expect(one.rows[0]?.one).toBe(1)
    } finally {
      await database.close()
    }
  })
})
