import type { DB, UsersTable } from '@quartiere/db'
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely'
import { sql } from 'kysely'

/** A `Kysely<DB>` or a `Transaction<DB>`: the caller decides whether the work runs in a transaction. */
export type Db = Kysely<DB> | Transaction<DB>

export const userRoles = ['member', 'moderator', 'admin', 'researcher'] as const
export type UserRole = (typeof userRoles)[number]
export const userLocales = ['it', 'en'] as const
export type UserLocale = (typeof userLocales)[number]

/** A user as the rest of the system sees it; the password hash never leaves this package. */
export interface User {
  id: string
  email: string
  displayName: string
  role: UserRole
  locale: UserLocale
  /** ISO 8601, UTC. */
  createdAt: string
  /** When the member confirmed their address through the emailed link (ISO 8601, UTC); null until then. */
  emailVerifiedAt: string | null
}

export type UserRow = Selectable<UsersTable>

/** Maps a `users` row to the domain type. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    locale: row.locale,
    createdAt: row.created_at.toISOString(),
    emailVerifiedAt: row.email_verified_at ? row.email_verified_at.toISOString() : null,
  }
}

/**
 * Inserts a user unless one with the same email (whatever its case) exists; returns undefined then.
 *
 * `ON CONFLICT ((lower(email))) DO NOTHING` is as race-free as catching the unique violation (two concurrent
 * inserts of one email: the second waits for the first and then does nothing), and unlike a caught error it
 * leaves the caller's transaction usable, where a failed statement would abort it.
 */
export async function insertUserUnlessEmailTaken(
  db: Db,
  user: Insertable<UsersTable>,
): Promise<UserRow | undefined> {
  return db
    .insertInto('users')
    .values(user)
    .onConflict((conflict) => conflict.expression(sql`lower(email)`).doNothing())
    .returningAll()
    .executeTakeFirst()
}

/** The user with this email, compared case-insensitively as the unique index `users_email_lower_key` does. */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  // lower() on both sides in SQL, so that the comparison is the index's and not JavaScript's idea of case.
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql`lower(email)`, '=', sql`lower(${email})`)
    .executeTakeFirst()
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function updatePasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute()
}

/** Sets the given profile fields; returns the updated row, or undefined when there is no such user. */
export async function updateProfileFields(
  db: Db,
  id: string,
  fields: { display_name?: string; locale?: UserLocale },
): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({ ...fields, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}
