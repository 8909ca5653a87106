import type { AuthTokens, RoleChange, RoleChangeList, RoleChangeResult } from '@quartiere/contracts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, type TestApp, testPassword } from '../support/test-app'

/**
 * Platform roles are given and taken by admins over `PUT /api/admin/users/:id/role`; every change is in the
 * append-only role changes log (`GET /api/admin/role-changes`); the platform always keeps one admin; and a
 * token issued before a change carries the new role.
 */

type Role = 'member' | 'moderator' | 'researcher' | 'admin'

let t: TestApp
let admin: AuthTokens

beforeAll(async () => {
  t = await createTestApp()
  // The first admin of this database, made at the console as `pnpm admin:grant` makes it.
  admin = await t.signUp({ as: 'admin', displayName: 'Ada Admin' })
})

afterAll(async () => {
  await t?.close()
})

const setRole = (who: AuthTokens, userId: string, role: Role, reason?: string) =>
  t.request({
    method: 'PUT',
    url: `/api/admin/users/${userId}/role`,
    headers: bearer(who),
    payload: reason === undefined ? { role } : { role, reason },
  })

const storedRole = async (userId: string) =>
  (await t.database.db.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirstOrThrow())
    .role

const roleChangesPage = (who: AuthTokens, query = '') =>
  t.request({ method: 'GET', url: `/api/admin/role-changes${query}`, headers: bearer(who) })

/** What only each role may do: the moderation queue, the ledger statistics, the role changes log. */
const powers = {
  moderate: (who: AuthTokens) =>
    t.request({ method: 'GET', url: '/api/moderation/queue', headers: bearer(who) }),
  research: (who: AuthTokens) =>
    t.request({ method: 'GET', url: '/api/export/ledger-flows.csv', headers: bearer(who) }),
  administer: (who: AuthTokens) => roleChangesPage(who),
}

function expectProblem(response: Awaited<ReturnType<TestApp['request']>>, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.headers['content-type']).toContain('application/problem+json')
  expect(response.json()).toMatchObject({ status, code })
}

describe('granting and revoking roles', () => {
  it.each([
    ['moderator', 'moderate'],
    ['researcher', 'research'],
    ['admin', 'administer'],
  ] as const)(
    'an admin makes a member %s and back, and the token already issued follows',
    async (role, power) => {
      const member = await t.signUp()
      expect((await powers[power](member)).statusCode).toBe(403)

      const granted = await setRole(admin, member.user.id, role, 'needed on Tuesdays')
      expect(granted.statusCode, granted.body).toBe(200)
      const body = granted.json() as RoleChangeResult
      expect(body).toMatchObject({
        id: member.user.id,
        role,
        change: {
          user: { id: member.user.id },
          oldRole: 'member',
          newRole: role,
          changedBy: { id: admin.user.id, displayName: 'Ada Admin' },
          reason: 'needed on Tuesdays',
        },
      })
      expect(await storedRole(member.user.id)).toBe(role)
      // The token issued at sign-up says member; the role that counts is the database's.
      expect((await powers[power](member)).statusCode).toBe(200)
      const me = await t.request({ method: 'GET', url: '/api/me', headers: bearer(member) })
      expect(me.json()).toMatchObject({ role })

      const revoked = await setRole(admin, member.user.id, 'member')
      expect(revoked.statusCode, revoked.body).toBe(200)
      expect(revoked.json()).toMatchObject({ role: 'member', change: { oldRole: role, newRole: 'member' } })
      expect(await storedRole(member.user.id)).toBe('member')
      expect((await powers[power](member)).statusCode).toBe(403)
    },
  )

  it('giving a member the role they have changes nothing and logs nothing', async () => {
    const member = await t.signUp()
    const before = await countChanges()
    const same = await setRole(admin, member.user.id, 'member')
    expect(same.statusCode, same.body).toBe(200)
    expect(same.json()).toEqual({ id: member.user.id, role: 'member', change: null })
    expect(await countChanges()).toEqual(before)
  })

  it('answers 404 for a member that does not exist and 400 for a role that does not', async () => {
    expectProblem(await setRole(admin, '00000000-0000-4000-8000-000000000000', 'moderator'), 404, 'not_found')
    const member = await t.signUp()
    const unknown = await t.request({
      method: 'PUT',
      url: `/api/admin/users/${member.user.id}/role`,
      headers: bearer(admin),
      payload: { role: 'superuser' },
    })
    expect(unknown.statusCode).toBe(400)
    expect(await storedRole(member.user.id)).toBe('member')
  })
})

describe('only admins', () => {
  it('refuses members, moderators and researchers (403) and the anonymous (401), changing nothing', async () => {
    const target = await t.signUp()
    const before = await countChanges()
    for (const as of ['member', 'moderator', 'researcher'] as const) {
      const caller = await t.signUp({ as })
      expectProblem(await setRole(caller, target.user.id, 'admin'), 403, 'forbidden')
      // Nor may they promote themselves.
      expectProblem(await setRole(caller, caller.user.id, 'admin'), 403, 'forbidden')
      expectProblem(await roleChangesPage(caller), 403, 'forbidden')
    }
    const anonymous = await t.request({
      method: 'PUT',
      url: `/api/admin/users/${target.user.id}/role`,
      payload: { role: 'admin' },
    })
    expectProblem(anonymous, 401, 'unauthorized')
    expectProblem(await t.request({ method: 'GET', url: '/api/admin/role-changes' }), 401, 'unauthorized')
    expect(await storedRole(target.user.id)).toBe('member')
    // The callers' own promotions (by the admin) are logged; nothing the refused calls asked for is.
    const changes = await t.database.db
      .selectFrom('role_changes')
      .select(['user_id', 'new_role'])
      .where('id', '>', String(before.lastId))
      .execute()
    expect(changes.filter((c) => c.user_id === target.user.id || c.new_role === 'admin')).toEqual([])
  })

  it('an admin whose role was taken away can no longer give roles with the token they hold', async () => {
    const second = await t.signUp({ as: 'admin' })
    const target = await t.signUp()
    expect((await setRole(second, target.user.id, 'moderator')).statusCode).toBe(200)
    expect((await setRole(admin, second.user.id, 'member')).statusCode).toBe(200)
    expectProblem(await setRole(second, target.user.id, 'researcher'), 403, 'forbidden')
    expect(await storedRole(target.user.id)).toBe('moderator')
  })
})

describe('the last admin', () => {
  // A database of its own, where one admin is the only one.
  let own: TestApp
  beforeAll(async () => {
    own = await createTestApp()
  })
  afterAll(async () => {
    await own?.close()
  })
  const put = (who: AuthTokens, userId: string, role: Role) =>
    own.request({
      method: 'PUT',
      url: `/api/admin/users/${userId}/role`,
      headers: bearer(who),
      payload: { role },
    })
  const roleIn = async (userId: string) =>
    (
      await own.database.db
        .selectFrom('users')
        .select('role')
        .where('id', '=', userId)
        .executeTakeFirstOrThrow()
    ).role

  it('cannot remove themselves, until another admin exists; the database refuses it too', async () => {
    const only = await own.signUp({ as: 'admin' })
    const refused = await put(only, only.user.id, 'member')
    expectProblem(refused, 409, 'last_admin')
    expect(await roleIn(only.user.id)).toBe('admin')
    // The trigger of migration 0012 keeps it against any other writer.
    await expect(
      own.database.db.updateTable('users').set({ role: 'member' }).where('id', '=', only.user.id).execute(),
    ).rejects.toThrow(/last admin/)
    expect(await roleIn(only.user.id)).toBe('admin')

    const next = await own.signUp()
    expect((await put(only, next.user.id, 'admin')).statusCode).toBe(200)
    const stepDown = await put(only, only.user.id, 'moderator')
    expect(stepDown.statusCode, stepDown.body).toBe(200)
    // Now `next` is the last one.
    expectProblem(await put(next, next.user.id, 'member'), 409, 'last_admin')
    await expect(
      own.database.db.updateTable('users').set({ role: 'member' }).where('id', '=', next.user.id).execute(),
    ).rejects.toThrow(/last admin/)
    expect(await roleIn(next.user.id)).toBe('admin')
  })
})

describe('the role changes log', () => {
  it('lists each change, newest first, a page at a time', async () => {
    const member = await t.signUp({ displayName: 'Logged Member' })
    for (const role of ['moderator', 'researcher', 'admin', 'member'] as const) {
      expect((await setRole(admin, member.user.id, role, `to ${role}`)).statusCode).toBe(200)
    }
    const first = await roleChangesPage(admin, '?limit=3')
    expect(first.statusCode, first.body).toBe(200)
    const page = first.json() as RoleChangeList
    expect(page.items.map((c) => [c.oldRole, c.newRole, c.reason])).toEqual([
      ['admin', 'member', 'to member'],
      ['researcher', 'admin', 'to admin'],
      ['moderator', 'researcher', 'to researcher'],
    ])
    expect(page.items.every((c) => c.user.displayName === 'Logged Member')).toBe(true)
    expect(page.items.every((c) => c.changedBy?.id === admin.user.id)).toBe(true)
    expect(page.nextCursor).not.toBeNull()

    const second = (
      await roleChangesPage(admin, `?limit=3&cursor=${page.nextCursor}`)
    ).json() as RoleChangeList
    expect(second.items[0]).toMatchObject({ oldRole: 'member', newRole: 'moderator', reason: 'to moderator' })
    expect(Number(second.items[0]?.id)).toBeLessThan(Number(page.items[2]?.id))

    // Everything, in pages: ids strictly decreasing, no entry twice, the last page says so.
    const all: RoleChange[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2'
      const next = (await roleChangesPage(admin, query)).json() as RoleChangeList
      all.push(...next.items)
      cursor = next.nextCursor
    } while (cursor)
    const ids = all.map((c) => Number(c.id))
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    expect(new Set(ids).size).toBe(ids.length)
    expect(all.length).toBe((await countChanges()).count)
    // The console's grant of the first admin is there, by nobody.
    expect(all.at(-1)).toMatchObject({ user: { id: admin.user.id }, newRole: 'admin', changedBy: null })
  })

  it('has a maximum page size and refuses a cursor it did not give', async () => {
    expect((await roleChangesPage(admin, '?limit=101')).statusCode).toBe(400)
    expectProblem(await roleChangesPage(admin, '?cursor=bm90LW91cnM'), 400, 'invalid_cursor')
  })

  it('is append-only: its rows cannot be changed or deleted', async () => {
    const member = await t.signUp()
    expect((await setRole(admin, member.user.id, 'moderator')).statusCode).toBe(200)
    const db = t.database.db
    await expect(
      sql`UPDATE role_changes SET new_role = 'admin' WHERE user_id = ${member.user.id}::uuid`.execute(db),
    ).rejects.toThrow(/audit log/)
    await expect(
      sql`UPDATE role_changes SET changed_by = ${member.user.id}::uuid WHERE user_id = ${member.user.id}::uuid`.execute(
        db,
      ),
    ).rejects.toThrow(/audit log/)
    await expect(
      sql`DELETE FROM role_changes WHERE user_id = ${member.user.id}::uuid`.execute(db),
    ).rejects.toThrow(/audit log/)
    const rows = await db
      .selectFrom('role_changes')
      .selectAll()
      .where('user_id', '=', member.user.id)
      .execute()
    expect(rows.map((r) => r.new_role)).toEqual(['moderator'])
  })

  it('survives the erasure of the member and of the admin, naming their tombstones', async () => {
    const leaving = await t.signUp({ as: 'admin', displayName: 'Leaving Admin' })
    const member = await t.signUp({ displayName: 'Leaving Member' })
    expect((await setRole(leaving, member.user.id, 'moderator')).statusCode).toBe(200)
    for (const who of [member, leaving]) {
      const erased = await t.request({
        method: 'DELETE',
        url: '/api/me',
        headers: bearer(who),
        payload: { password: testPassword },
      })
      expect(erased.statusCode, erased.body).toBe(204)
    }
    const page = (await roleChangesPage(admin, '?limit=100')).json() as RoleChangeList
    const entry = page.items.find(
      (c) =>
        c.oldRole === 'member' && c.newRole === 'moderator' && c.changedBy?.displayName === 'Former member',
    )
    expect(entry).toMatchObject({ user: { displayName: 'Former member' } })
    expect(JSON.stringify(page)).not.toContain(member.user.id)
    expect(JSON.stringify(page)).not.toContain(leaving.user.id)
  })
})

describe('a token issued before the change', () => {
  it('loses a removed role within ACCOUNT_RECHECK_MS on an instance that did not make the change', async () => {
    // A second API instance on the same database, remembering what it found of a member for 300 ms at most.
    const recheckMs = 300
    const elsewhere = await t.sibling({ ACCOUNT_RECHECK_MS: String(recheckMs) })
    const moderator = await t.signUp({ as: 'moderator' })
    const queueHere = () =>
      t.request({ method: 'GET', url: '/api/moderation/queue', headers: bearer(moderator) })
    const queueElsewhere = () =>
      elsewhere.request({ method: 'GET', url: '/api/moderation/queue', headers: bearer(moderator) })
    expect((await queueHere()).statusCode).toBe(200)
    expect((await queueElsewhere()).statusCode).toBe(200)

    expect((await setRole(admin, moderator.user.id, 'member')).statusCode).toBe(200)
    // The instance that made the change forgets the role it knew at once.
    expectProblem(await queueHere(), 403, 'forbidden')
    // The other one reads the role again once what it remembered is older than ACCOUNT_RECHECK_MS.
    await new Promise((resolve) => setTimeout(resolve, recheckMs + 200))
    expectProblem(await queueElsewhere(), 403, 'forbidden')
  })
})

async function countChanges(): Promise<{ count: number; lastId: number }> {
  const row = await sql<{ count: number; last_id: number }>`
    SELECT count(*)::int AS count, coalesce(max(id), 0)::int AS last_id FROM role_changes`.execute(
    t.database.db,
  )
  return { count: row.rows[0]!.count, lastId: row.rows[0]!.last_id }
}
