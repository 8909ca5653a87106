import { randomUUID } from 'node:crypto'
import type { AuthTokens, Pact } from '@quartiere/contracts'
import { type RawBuilder, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { community } from './community/helpers'
import { point, validEntityByKind } from './support/fixtures'
import { expectBooksBalance, pay } from './support/ledger'
import { bearer, createTestApp, type TestApp, testPassword } from './support/test-app'

// The ledger's history, the moderation log and the pacts' history are append-only in the database itself
// (migration 0011): a direct UPDATE, DELETE or TRUNCATE fails for the role the API connects as, here the very
// pool the API uses. Erasure still moves a member's references onto their tombstone, and only onto a tombstone.

let t: TestApp
let c: ReturnType<typeof community>
let anna: AuthTokens
let bruno: AuthTokens
let moderator: AuthTokens
let admin: AuthTokens
/** A member nobody erases: no history row may be moved onto them. */
let carla: AuthTokens
/** One row of each protected table, made through the API. */
const rows: Record<string, string> = {}
let pactId: string

/** The error the triggers raise: SQLSTATE QH001, with a message that says the rows are history. */
const historyRefusal = { code: 'QH001', message: expect.stringMatching(/are history|is history/) }

function run(query: RawBuilder<unknown>) {
  return query.execute(t.database.db)
}

async function count(table: string): Promise<number> {
  const result = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(
    t.database.db,
  )
  return Number(result.rows[0]!.n)
}

async function rowText(table: string, id: string): Promise<string> {
  const result = await sql<{ row: string }>`
    SELECT x::text AS row FROM ${sql.table(table)} x WHERE id = ${id}::uuid`.execute(t.database.db)
  return result.rows[0]!.row
}

beforeAll(async () => {
  t = await createTestApp({ EVENT_LOOP_DELAY_MAX_MS: '0' })
  c = community(t)
  anna = await t.signUp({ displayName: 'Anna' })
  bruno = await t.signUp({ displayName: 'Bruno' })
  moderator = await t.signUp({ as: 'moderator', displayName: 'Moderatrice' })
  admin = await t.signUp({ as: 'admin', displayName: 'Città' })
  carla = await t.signUp({ displayName: 'Carla' })

  const key = randomUUID()
  const paid = await pay(t, anna, { to: { userId: bruno.user.id }, amount: '1.50', memo: 'spesa' }, key)
  expect(paid.statusCode, paid.body).toBe(201)
  rows.transfers = paid.json().id
  rows.transfer_requests = key

  const offer = await c.entity(bruno, validEntityByKind.offer)
  const opened = await c.ok<{ id: string }>('POST', `/api/entities/${offer.id}/exchanges`, anna, {
    hours: '1.00',
  })
  await c.ok('POST', `/api/ledger/exchanges/${opened.id}/confirm`, anna, { hours: '1.00' }, 200)
  rows.exchanges = opened.id

  const pact = await c.ok<Pact>('POST', '/api/pacts', anna, {
    title: 'Patto per la piazza',
    geometry: validEntityByKind.project.geometry,
  })
  await c.ok('POST', `/api/pacts/${pact.id}/transitions`, admin, { to: 'co-design' }, 200)
  pactId = pact.id
  const history = await t.database.db
    .selectFrom('pact_history')
    .select('id')
    .where('pact_id', '=', pact.id)
    .where('to_status', '=', 'co-design')
    .executeTakeFirstOrThrow()
  rows.pact_history = history.id

  const thing = await c.entity(bruno, { ...validEntityByKind.space, geometry: point(7.69, 45.07) })
  const report = await c.ok<{ id: string }>('POST', '/api/reports', anna, {
    targetType: 'entity',
    targetId: thing.id,
    reason: 'spam',
    details: 'pubblicità',
  })
  rows.reports = report.id
  const action = await c.ok<{ id: string }>(
    'POST',
    '/api/moderation/hide',
    moderator,
    { targetType: 'entity', targetId: thing.id, reason: 'pubblicità' },
    200,
  )
  rows.moderation_actions = action.id
})
afterAll(async () => {
  await t?.close()
})

/** A change to a column that is not a person reference, for each table. */
const edits: Record<string, RawBuilder<unknown>> = {
  transfers: sql`amount = amount + 1`,
  transfer_requests: sql`outcome = 'rewritten'`,
  exchanges: sql`created_at = created_at - interval '1 day'`,
  pact_history: sql`to_status = 'signed'`,
  moderation_actions: sql`reason = 'rewritten'`,
}
const references: Record<string, string> = {
  transfers: 'created_by',
  transfer_requests: 'created_by',
  exchanges: 'provider_id',
  pact_history: 'actor_id',
  moderation_actions: 'moderator_id',
}
const protectedTables = Object.keys(edits)

describe('the ledger, the moderation log and the pact history are append-only in the database', () => {
  it.each(protectedTables)('refuses UPDATE, DELETE and TRUNCATE of %s, changing nothing', async (table) => {
    const id = rows[table]!
    const before = await rowText(table, id)
    const rowsBefore = await count(table)
    await expect(
      run(sql`UPDATE ${sql.table(table)} SET ${edits[table]!} WHERE id = ${id}::uuid`),
    ).rejects.toMatchObject(historyRefusal)
    await expect(run(sql`DELETE FROM ${sql.table(table)} WHERE id = ${id}::uuid`)).rejects.toMatchObject(
      historyRefusal,
    )
    await expect(run(sql`DELETE FROM ${sql.table(table)}`)).rejects.toMatchObject(historyRefusal)
    await expect(run(sql`TRUNCATE ${sql.table(table)} CASCADE`)).rejects.toMatchObject(historyRefusal)
    expect(await rowText(table, id)).toBe(before)
    expect(await count(table)).toBe(rowsBefore)
    await expectBooksBalance(t.database)
  })

  it.each(protectedTables)(
    'refuses moving a person reference of %s onto a member who is not erased',
    async (table) => {
      const id = rows[table]!
      const before = await rowText(table, id)
      const column = references[table]!
      await expect(
        run(
          sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${carla.user.id}::uuid WHERE id = ${id}::uuid`,
        ),
      ).rejects.toMatchObject(historyRefusal)
      expect(await rowText(table, id)).toBe(before)
    },
  )

  it('refuses moving a reference onto a tombstone together with any other change', async () => {
    const tombstone = await insertTombstone()
    const before = await rowText('transfers', rows.transfers!)
    await expect(
      run(sql`UPDATE transfers SET created_by = ${tombstone}::uuid, memo = 'rewritten'
               WHERE id = ${rows.transfers!}::uuid`),
    ).rejects.toMatchObject(historyRefusal)
    expect(await rowText('transfers', rows.transfers!)).toBe(before)
  })

  it('keeps a resolved report’s decision; an open report still changes as moderators resolve it', async () => {
    const id = rows.reports!
    const before = await rowText('reports', id)
    await expect(run(sql`UPDATE reports SET status = 'open' WHERE id = ${id}::uuid`)).rejects.toMatchObject(
      historyRefusal,
    )
    await expect(
      run(sql`UPDATE reports SET resolved_by = ${carla.user.id}::uuid WHERE id = ${id}::uuid`),
    ).rejects.toMatchObject(historyRefusal)
    await expect(
      run(sql`UPDATE reports SET details = 'altro testo' WHERE id = ${id}::uuid`),
    ).rejects.toMatchObject(historyRefusal)
    expect(await rowText('reports', id)).toBe(before)
    // Deleting it is refused too while the moderation log points at it (the foreign key).
    await expect(run(sql`DELETE FROM reports WHERE id = ${id}::uuid`)).rejects.toThrow()

    const thing = await c.entity(bruno, { ...validEntityByKind.space, geometry: point(7.7, 45.08) })
    const open = await c.ok<{ id: string }>('POST', '/api/reports', anna, {
      targetType: 'entity',
      targetId: thing.id,
      reason: 'other',
    })
    await c.ok('POST', `/api/moderation/reports/${open.id}/dismiss`, moderator, { reason: 'va bene' }, 200)
    const dismissed = await t.database.db
      .selectFrom('reports')
      .select('status')
      .where('id', '=', open.id)
      .executeTakeFirstOrThrow()
    expect(dismissed.status).toBe('dismissed')
  })
})

describe('a hold', () => {
  it('keeps its deadline: neither brought forward, pushed back, removed nor added; it ends by a new transfer', async () => {
    const hold = await pay(t, anna, {
      to: { userId: bruno.user.id },
      amount: '0.50',
      pending: true,
      timeoutSeconds: 3600,
    })
    expect(hold.statusCode, hold.body).toBe(201)
    const id = hold.json().id as string
    for (const change of [
      sql`expires_at = expires_at + interval '1 day'`,
      sql`expires_at = expires_at - interval '1 minute'`,
      sql`expires_at = now() - interval '1 second'`,
      sql`expires_at = NULL`,
    ]) {
      await expect(run(sql`UPDATE transfers SET ${change} WHERE id = ${id}::uuid`)).rejects.toMatchObject(
        historyRefusal,
      )
    }
    // A hold with no deadline does not get one.
    const open = await pay(t, anna, { to: { userId: bruno.user.id }, amount: '0.25', pending: true })
    expect(open.statusCode, open.body).toBe(201)
    await expect(
      run(
        sql`UPDATE transfers SET expires_at = now() - interval '1 second' WHERE id = ${open.json().id}::uuid`,
      ),
    ).rejects.toMatchObject(historyRefusal)
    for (const held of [open.json().id as string, id]) {
      const released = await t.request({
        method: 'POST',
        url: `/api/ledger/transfers/${held}/void`,
        headers: bearer(anna),
      })
      expect(released.statusCode, released.body).toBe(201)
    }
    // Resolved, it changes in no way either.
    await expect(
      run(sql`UPDATE transfers SET expires_at = expires_at + interval '1 day' WHERE id = ${id}::uuid`),
    ).rejects.toMatchObject(historyRefusal)
    await expect(run(sql`UPDATE transfers SET memo = 'x' WHERE id = ${id}::uuid`)).rejects.toMatchObject(
      historyRefusal,
    )
    await expectBooksBalance(t.database)
  })
})

describe('erasure', () => {
  it('still moves every reference onto the tombstone, and the books balance', async () => {
    for (const who of [anna, moderator, admin]) {
      const erased = await t.request({
        method: 'DELETE',
        url: '/api/me',
        headers: bearer(who),
        payload: { password: testPassword },
      })
      expect(erased.statusCode, erased.body).toBe(204)
    }
    const moved = await sql<{ erased: boolean }>`
      SELECT u.erased_at IS NOT NULL AS erased FROM transfers x JOIN users u ON u.id = x.created_by
       WHERE x.id = ${rows.transfers!}::uuid
      UNION ALL SELECT u.erased_at IS NOT NULL FROM transfer_requests x JOIN users u ON u.id = x.created_by
       WHERE x.id = ${rows.transfer_requests!}::uuid
      UNION ALL SELECT u.erased_at IS NOT NULL FROM exchanges x JOIN users u ON u.id = x.receiver_id
       WHERE x.id = ${rows.exchanges!}::uuid
      UNION ALL SELECT u.erased_at IS NOT NULL FROM pact_history x JOIN users u ON u.id = x.actor_id
       WHERE x.id = ${rows.pact_history!}::uuid
      UNION ALL SELECT u.erased_at IS NOT NULL FROM moderation_actions x JOIN users u ON u.id = x.moderator_id
       WHERE x.id = ${rows.moderation_actions!}::uuid
      UNION ALL SELECT u.erased_at IS NOT NULL FROM reports x JOIN users u ON u.id = x.reporter_id
       WHERE x.id = ${rows.reports!}::uuid`.execute(t.database.db)
    expect(moved.rows.map((row) => row.erased)).toEqual([true, true, true, true, true, true])
    // The pact's history reads as before, its actors now "Former member".
    const pact = await c.ok<Pact>('GET', `/api/pacts/${pactId}`, bruno, undefined, 200)
    expect(pact.history.map((step) => step.to)).toEqual(['proposal', 'co-design'])
    await expectBooksBalance(t.database)
  })

  it('leaves the moved rows as history: a tombstone’s rows cannot be rewritten either', async () => {
    await expect(
      run(sql`UPDATE transfers SET amount = amount + 1 WHERE id = ${rows.transfers!}::uuid`),
    ).rejects.toMatchObject(historyRefusal)
    await expect(
      run(sql`DELETE FROM pact_history WHERE id = ${rows.pact_history!}::uuid`),
    ).rejects.toMatchObject(historyRefusal)
    await expectBooksBalance(t.database)
  })
})

/** A tombstone as erasure makes one (migration 0009's rules), to point a reference at. */
async function insertTombstone(): Promise<string> {
  const id = randomUUID()
  await t.database.db
    .insertInto('users')
    .values({
      id,
      email: `${id}@erased.invalid`,
      display_name: 'Former member',
      password_hash: '!erased',
      erased_at: sql<Date>`now()`,
    })
    .execute()
  return id
}
