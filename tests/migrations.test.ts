import { createHash } from 'node:crypto'
import { type Database, type Migration, migrate, readMigrations } from '@quartiere/db'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestDatabase } from './support/test-database'

let database: Database
beforeEach(async () => {
  database = await openTestDatabase()
})
afterEach(async () => {
  await database?.close()
})

const migration = (version: number, name: string, text: string): Migration => ({
  version,
  name,
  sql: text,
  checksum: createHash('sha256').update(text).digest('hex'),
})

async function tableExists(name: string) {
  const result = await sql<{ found: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS found`.execute(
    database.db,
  )
  return result.rows[0]?.found === true
}

describe('migrator', () => {
  it('is idempotent: a migrated database gets nothing applied again', async () => {
    expect(await migrate(database)).toEqual({ ok: true, applied: [] })
    const rows = await database.db.selectFrom('schema_migrations').select(['version', 'name']).execute()
    expect(rows.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version))
  })

  it('applies a new migration in a transaction, and a failing one leaves nothing behind', async () => {
    const current = readMigrations()
    const next = current.length + 1
    const failing = migration(next, 'failing', 'CREATE TABLE half_done (id int); SELECT 1 / 0;')
    await expect(migrate(database, [...current, failing])).rejects.toThrow(/failing.*division by zero/)
    expect(await tableExists('half_done')).toBe(false)

    const good = migration(next, 'good', 'CREATE TABLE fully_done (id int);')
    expect(await migrate(database, [...current, good])).toEqual({
      ok: true,
      applied: [`${String(next).padStart(4, '0')}_good`],
    })
    expect(await tableExists('fully_done')).toBe(true)
  })

  it('refuses a database with a migration this code does not know, changing nothing', async () => {
    await database.db
      .insertInto('schema_migrations')
      .values({ version: 999, name: 'from_the_future', checksum: 'x' })
      .execute()
    const outcome = await migrate(database)
    expect(outcome).toMatchObject({ ok: false, code: 'unknown_migration' })
  })

  it('refuses a migration whose file changed after it was applied', async () => {
    const edited = readMigrations().map((m, i) =>
      i === 0 ? migration(m.version, m.name, `${m.sql}\n-- edited`) : m,
    )
    expect(await migrate(database, edited)).toMatchObject({ ok: false, code: 'checksum_mismatch' })
  })
})
