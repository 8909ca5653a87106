import { type DB, defineCursor } from '@quartiere/db'
import { sql, type Transaction } from 'kysely'
import { type Db, findUserByEmail, type UserRole } from './users.repository'

/** The advisory lock role changes take, the same key as the trigger of migration 0012 that keeps an admin. */
export const roleChangeLockKey = 4_242_012
/** Characters of the reason an admin may give for a role change (migration 0012 checks it too). */
export const roleChangeReasonLengthMax = 2_000
/** Entries per page of the role changes log at most, and by default. */
export const roleChangesPageSizeMax = 100
export const roleChangesPageSizeDefault = 20

export interface PersonRef {
  id: string
  displayName: string
}

/** One entry of the role changes log. */
export interface RoleChange {
  /** Increasing with time; a decimal string (the column is a bigint). */
  id: string
  user: PersonRef
  oldRole: UserRole
  newRole: UserRole
  /** Who made the change; null for a change made at the server's console (`pnpm admin:grant`). */
  changedBy: PersonRef | null
  reason: string
  /** ISO 8601, UTC. */
  createdAt: string
}

export interface RoleChangeRequest {
  /** The admin making the change; null for the server's console, which needs no admin (the first admin). */
  actorId: string | null
  userId: string
  role: UserRole
  reason?: string
}

export type RoleChangeOutcome =
  /** The member's role now, and the audit entry; `change` is null when they had that role already. */
  | { ok: true; userId: string; role: UserRole; change: RoleChange | null }
  | { ok: false; code: 'not_found'; message: string }
  | { ok: false; code: 'forbidden'; message: string }
  | { ok: false; code: 'last_admin'; message: string }

export type RoleChangeFailureCode = Extract<RoleChangeOutcome, { ok: false }>['code']

/**
 * Gives a member a platform role (`member`, `moderator`, `researcher` or `admin`), recording the change in the
 * append-only `role_changes` log in the same transaction. Only an admin may change roles (`forbidden`
 * otherwise; the actor's role is read from the database, not from their token). The platform keeps at least
 * one admin: taking the role from the last one is `last_admin`. Giving a member the role they have already
 * changes nothing and logs nothing (`change: null`). A member who does not exist, or was erased, is `not_found`.
 *
 * Runs in the caller's transaction: the advisory lock it takes first serialises role changes, so two admins
 * demoting each other at once cannot leave the platform without one (migration 0012's trigger refuses it
 * too, as a backstop for any other writer).
 *
 * @example
 * const outcome = await db.transaction().execute((trx) =>
 *   changeRole(trx, { actorId: admin.id, userId: anna.id, role: 'moderator', reason: 'runs the Tuesday desk' }))
 * if (!outcome.ok) switch (outcome.code) { case 'not_found': …; case 'forbidden': …; case 'last_admin': … }
 */
/**
 * Whether `userId` is the platform's last admin, decided under the role-change lock (held until the caller's
 * transaction ends), so that no role change can make it untrue before the caller acts on it. Erasing the last
 * admin would leave nobody able to grant roles. Takes the lock only for an admin: members erase without it.
 * Call it before locking the member's row, as {@link changeRole} takes this lock before the rows it changes.
 */
export async function isLastAdmin(trx: Transaction<DB>, userId: string): Promise<boolean> {
  const role = await sql<{ role: string }>`
    SELECT role FROM users WHERE id = ${userId}::uuid AND erased_at IS NULL`.execute(trx)
  if (role.rows[0]?.role !== 'admin') return false
  await sql`SELECT pg_advisory_xact_lock(${roleChangeLockKey})`.execute(trx)
  const admins = await sql<{ count: number }>`
    SELECT count(*)::int AS count FROM users WHERE role = 'admin' AND erased_at IS NULL`.execute(trx)
  return (admins.rows[0]?.count ?? 0) <= 1
}

export async function changeRole(
  trx: Transaction<DB>,
  request: RoleChangeRequest,
): Promise<RoleChangeOutcome> {
  await sql`SELECT pg_advisory_xact_lock(${roleChangeLockKey})`.execute(trx)
  if (request.actorId !== null) {
    const actor = await liveUser(trx, request.actorId)
    if (actor?.role !== 'admin') {
      return { ok: false, code: 'forbidden', message: 'only an admin may change roles' }
    }
  }
  const target = await liveUser(trx, request.userId, { forUpdate: true })
  if (!target) return { ok: false, code: 'not_found', message: 'there is no such member' }
  if (target.role === request.role) {
    return { ok: true, userId: target.id, role: target.role, change: null }
  }
  if (target.role === 'admin') {
    const admins = await sql<{ count: number }>`
      SELECT count(*)::int AS count FROM users WHERE role = 'admin' AND erased_at IS NULL`.execute(trx)
    if ((admins.rows[0]?.count ?? 0) <= 1) {
      return {
        ok: false,
        code: 'last_admin',
        message: 'this is the last admin: make someone else an admin before taking the role away',
      }
    }
  }
  await sql`UPDATE users SET role = ${request.role}, updated_at = now() WHERE id = ${target.id}::uuid`.execute(
    trx,
  )
  const inserted = await sql<{ id: string }>`
    INSERT INTO role_changes (user_id, old_role, new_role, changed_by, reason)
    VALUES (${target.id}::uuid, ${target.role}, ${request.role}, ${request.actorId}::uuid, ${request.reason ?? ''})
    RETURNING id::text AS id`.execute(trx)
  const id = inserted.rows[0]?.id
  if (id === undefined) throw new Error('inserting a role change returned no row')
  const [change] = await selectRoleChanges(trx, { id })
  if (!change) throw new Error(`the role change ${id} just inserted cannot be read back`)
  return { ok: true, userId: target.id, role: request.role, change }
}

export type RoleChangesPage =
  | { ok: true; items: RoleChange[]; nextCursor: string | null }
  | { ok: false; code: 'invalid_cursor'; message: string }

/**
 * The role changes log, newest first, a page at a time: `cursor` is the `nextCursor` of the previous page.
 * Reading it is the route's to allow (admins only); this does not check who asks.
 */
export async function listRoleChanges(
  db: Db,
  page: { limit?: number; cursor?: string | undefined } = {},
): Promise<RoleChangesPage> {
  const limit = Math.min(page.limit ?? roleChangesPageSizeDefault, roleChangesPageSizeMax)
  let before: string | undefined
  if (page.cursor !== undefined) {
    before = decodeRoleChangesCursor(page.cursor)
    if (before === undefined) {
      return { ok: false, code: 'invalid_cursor', message: 'the cursor is not one this list gave out' }
    }
  }
  const rows = await selectRoleChanges(db, { before, limit: limit + 1 })
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return {
    ok: true,
    items,
    nextCursor: rows.length > limit && last ? encodeRoleChangesCursor(last.id) : null,
  }
}

interface RoleChangeRow {
  id: string
  user_id: string
  user_name: string
  old_role: UserRole
  new_role: UserRole
  changed_by: string | null
  changed_by_name: string | null
  reason: string
  created_at: string
}

async function selectRoleChanges(
  db: Db,
  where: { id?: string; before?: string | undefined; limit?: number },
): Promise<RoleChange[]> {
  const result = await sql<RoleChangeRow>`
    SELECT c.id::text AS id, c.user_id, u.display_name AS user_name, c.old_role, c.new_role, c.changed_by,
           b.display_name AS changed_by_name, c.reason, quartiere_iso(c.created_at) AS created_at
      FROM role_changes c
      JOIN users u ON u.id = c.user_id
      LEFT JOIN users b ON b.id = c.changed_by
     WHERE ${where.id === undefined ? sql`true` : sql`c.id = ${where.id}::bigint`}
       AND ${where.before === undefined ? sql`true` : sql`c.id < ${where.before}::bigint`}
     ORDER BY c.id DESC
     LIMIT ${where.limit ?? 1}`.execute(db)
  return result.rows.map((row) => ({
    id: row.id,
    user: { id: row.user_id, displayName: row.user_name },
    oldRole: row.old_role,
    newRole: row.new_role,
    changedBy:
      row.changed_by === null ? null : { id: row.changed_by, displayName: row.changed_by_name ?? '' },
    reason: row.reason,
    createdAt: row.created_at,
  }))
}

/** The id of the member with this email (compared case-insensitively), for the console's `admin:grant`. */
export async function userIdByEmail(db: Db, email: string): Promise<string | undefined> {
  return (await findUserByEmail(db, email.trim()))?.id
}

async function liveUser(
  db: Db,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<{ id: string; role: UserRole } | undefined> {
  const result = await sql<{ id: string; role: UserRole }>`
    SELECT id, role FROM users WHERE id = ${id}::uuid AND erased_at IS NULL
    ${options.forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db)
  return result.rows[0]
}

/** The role changes log pages by id, newest first: the cursor names the last id served. */
const roleChangesCursor = defineCursor({ before: 'seq' })

function encodeRoleChangesCursor(lastId: string): string {
  return roleChangesCursor.encode({ before: lastId })
}

function decodeRoleChangesCursor(cursor: string): string | undefined {
  return roleChangesCursor.decode(cursor)?.before
}
