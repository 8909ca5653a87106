import { randomUUID } from 'node:crypto'
import type { DB } from '@quartiere/db'
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'
import { verifyPassword } from '../password'
import { findUserById, type UserRole } from '../users.repository'

/**
 * The account's part of a member's personal data (GDPR Art. 15, 17 and 20): the profile and sessions of the
 * export, the password check before an erasure, the tombstone, and the user row itself. packages/personal-data
 * runs the parts of every domain in order.
 */

/** What an erased member is called wherever their contributions stay (posts, comments, map things, transfers). */
export const tombstoneDisplayName = 'Former member'
/** Tombstone emails end so (RFC 2606's reserved .invalid domain); migration 0009 checks it. */
export const tombstoneEmailDomain = 'erased.invalid'
/** A password hash no password verifies against: `verifyPassword` cannot parse it. */
const unusablePasswordHash = '!erased'

type UserTable = keyof DB & string

/**
 * Every account column that holds a user id, and what erasure does with it (see packages/personal-data's
 * `userReferences`, which a test compares with the database's foreign keys to `users`): sessions are only the
 * member's, deleted; the role changes log stays, naming the tombstone (whose role changed, and who changed it).
 */
export const accountUserReferences = {
  deleted: [
    ['refresh_tokens', 'user_id'],
    ['email_tokens', 'user_id'],
  ],
  moved: [
    ['role_changes', 'user_id'],
    ['role_changes', 'changed_by'],
  ],
  special: [],
} as const satisfies Record<string, readonly (readonly [UserTable, string])[]>

export interface AccountProfile {
  id: string
  email: string
  displayName: string
  role: UserRole
  locale: string
  createdAt: string
  updatedAt: string
  emailVerifiedAt: string | null
}

/** A link sent by email (a password reset, an address confirmation): when, to where, and whether it was used. */
export interface AccountEmailLink {
  purpose: string
  email: string
  createdAt: string
  expiresAt: string
  usedAt: string | null
}

export interface AccountSession {
  createdAt: string
  expiresAt: string
  lastRotatedAt: string | null
  revokedAt: string | null
}

/**
 * The member's profile and sessions for the export, in the caller's (repeatable-read) transaction, with the
 * document's `generatedAt` (the transaction's time). Undefined when there is no such member, or only their
 * tombstone. `section` reads the sessions as packages/personal-data reads every section (capped).
 */
export async function exportAccountData(
  trx: Kysely<DB>,
  userId: string,
  section: (name: 'sessions' | 'emailLinks', query: RawBuilder<unknown>) => Promise<unknown[]>,
): Promise<
  | {
      generatedAt: string
      profile: AccountProfile
      sessions: AccountSession[]
      emailLinks: AccountEmailLink[]
    }
  | undefined
> {
  const me = sql`${userId}::uuid`
  const profile = await sql<AccountProfile & { generatedAt: string }>`
    SELECT id, email, display_name AS "displayName", role, locale, quartiere_iso(created_at) AS "createdAt",
           quartiere_iso(updated_at) AS "updatedAt", quartiere_iso(email_verified_at) AS "emailVerifiedAt",
           quartiere_iso(now()) AS "generatedAt"
      FROM users WHERE id = ${me} AND erased_at IS NULL`.execute(trx)
  const found = profile.rows[0]
  if (!found) return undefined
  const { generatedAt, ...person } = found
  const sessions = (await section(
    'sessions',
    sql`SELECT quartiere_iso(created_at) AS "createdAt", quartiere_iso(expires_at) AS "expiresAt",
               quartiere_iso(used_at) AS "lastRotatedAt", quartiere_iso(revoked_at) AS "revokedAt",
               created_at AS sort_key, id AS sort_id
          FROM refresh_tokens WHERE user_id = ${me}`,
  )) as AccountSession[]
  // The tokens themselves are stored only hashed and are never exported.
  const emailLinks = (await section(
    'emailLinks',
    sql`SELECT purpose, email, quartiere_iso(created_at) AS "createdAt", quartiere_iso(expires_at) AS "expiresAt",
               quartiere_iso(used_at) AS "usedAt", created_at AS sort_key, id AS sort_id
          FROM email_tokens WHERE user_id = ${me}`,
  )) as AccountEmailLink[]
  return { generatedAt, profile: person, sessions, emailLinks }
}

export type PasswordConfirmation =
  | { ok: true; passwordHash: string }
  | { ok: false; code: 'not_found'; message: string }
  | { ok: false; code: 'invalid_credentials'; message: string }

/**
 * Checks the member's password once more before an erasure, outside any transaction (the scrypt work holds no
 * locks). The erasure then makes sure the hash checked here is still the stored one ({@link lockMemberForErasure}).
 */
export async function confirmPassword(
  db: Kysely<DB>,
  userId: string,
  password: string,
): Promise<PasswordConfirmation> {
  const user = await findUserById(db, userId)
  if (!user) return { ok: false, code: 'not_found', message: 'the account no longer exists' }
  if (!(await verifyPassword(password, user.password_hash))) {
    return { ok: false, code: 'invalid_credentials', message: 'the password is wrong' }
  }
  return { ok: true, passwordHash: user.password_hash }
}

/**
 * Locks the member's row for an erasure and checks that its password hash is still `expectedPasswordHash` (the
 * one the caller verified: a different one means the password changed meanwhile, `invalid_credentials`).
 * Returns the member's display name, which the erasure rewrites in documents that name them.
 */
export async function lockMemberForErasure(
  trx: Transaction<DB>,
  userId: string,
  expectedPasswordHash: string,
): Promise<{ ok: true; displayName: string } | Exclude<PasswordConfirmation, { ok: true }>> {
  const user = await sql<{ password_hash: string; display_name: string; email: string }>`
    SELECT password_hash, display_name, email FROM users WHERE id = ${userId}::uuid FOR UPDATE`.execute(trx)
  const member = user.rows[0]
  if (!member) return { ok: false, code: 'not_found', message: 'the account no longer exists' }
  if (member.password_hash !== expectedPasswordHash) {
    return { ok: false, code: 'invalid_credentials', message: 'the password is wrong' }
  }
  return { ok: true, displayName: member.display_name }
}

/**
 * Inserts a tombstone user with a fresh random id, who can never sign in: it takes over what others rely on of
 * an erased member. Returns its id.
 */
export async function insertTombstone(trx: Transaction<DB>): Promise<string> {
  const tombstoneId = randomUUID()
  await trx
    .insertInto('users')
    .values({
      id: tombstoneId,
      email: `${tombstoneId}@${tombstoneEmailDomain}`,
      display_name: tombstoneDisplayName,
      password_hash: unusablePasswordHash,
      erased_at: sql<Date>`now()`,
    })
    .execute()
  return tombstoneId
}

/** Deletes the member's sessions and the links sent to them by email. */
export async function eraseAccountSessions(trx: Transaction<DB>, userId: string): Promise<void> {
  for (const [table, column] of accountUserReferences.deleted) {
    await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${userId}::uuid`.execute(trx)
  }
}

/** Moves the account's history (the role changes log) onto the tombstone; migration 0012 allows only that. */
export async function moveAccountHistory(
  trx: Transaction<DB>,
  userId: string,
  tombstoneId: string,
): Promise<void> {
  for (const [table, column] of accountUserReferences.moved) {
    await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${tombstoneId}::uuid
               WHERE ${sql.ref(column)} = ${userId}::uuid`.execute(trx)
  }
}

/**
 * Deletes the member's own row, last: a reference the erasure forgot makes this fail (a foreign key), and the
 * whole erasure with it.
 */
export async function deleteErasedUser(trx: Transaction<DB>, userId: string): Promise<void> {
  await trx.deleteFrom('users').where('id', '=', userId).execute()
}
