import { createHash, randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { hashPassword, type PasswordHashOptions } from './password'
import { revokeAllRefreshTokens } from './refresh-tokens'
import type { Db, UserLocale } from './users.repository'
import { passwordWeakness, type WeakPasswordReason } from './users.service'

/**
 * Single-use links sent by email (migration 0014): a password reset, and the confirmation of an address. The
 * token in the link is a 256-bit random value; only its SHA-256 digest is stored, so a copy of the table opens
 * nothing. A link is spent by its use; an unknown, expired or spent link is refused, each with its own code.
 *
 * A new reset request does not spend the links sent before it: mail can arrive late or out of order, and a
 * stranger asking for resets of someone's address must not be able to void the link that person is about to
 * open. Each link stays short-lived instead (30 minutes by default), and the first one used spends all the
 * member's other reset links. The same holds for confirmation links: any of them confirms the address.
 */

export type EmailTokenPurpose = 'password_reset' | 'email_verification'

/** A reset link is good for 30 minutes (PASSWORD_RESET_TTL_MINUTES). */
export const passwordResetTtlSecondsDefault = 30 * 60
/** A confirmation link is good for 7 days (EMAIL_VERIFICATION_TTL_HOURS). */
export const emailVerificationTtlSecondsDefault = 7 * 24 * 60 * 60
/** Links expired for longer than this are deleted when new ones are made: until then they are refused as expired. */
export const emailTokenRetentionSeconds = 7 * 24 * 60 * 60
/** Expired links deleted at most per new link, so that pruning never holds the table for long. */
export const emailTokenPruneRowsMax = 100
export const emailTokenRandomBytes = 32
/** Anything longer is refused before hashing or querying; ours are 43 characters. */
export const emailTokenBytesMax = 256

// 32 bytes in unpadded base64url are exactly 43 characters.
const emailTokenPattern = /^[A-Za-z0-9_-]{43}$/

/** Whom to write to, and in which language, with the token to put in the link. */
export interface IssuedEmailToken {
  token: string
  userId: string
  email: string
  displayName: string
  locale: UserLocale
}

/** Why a link is refused. */
export type EmailLinkFailureCode = 'email_link_unknown' | 'email_link_expired' | 'email_link_used'

export type PasswordResetOutcome =
  | { ok: true; userId: string }
  | { ok: false; code: EmailLinkFailureCode }
  | { ok: false; code: 'weak_password'; reason: WeakPasswordReason }

export type EmailVerificationOutcome =
  | { ok: true; userId: string; emailVerifiedAt: string }
  | { ok: false; code: EmailLinkFailureCode }

export type VerificationRequestOutcome =
  | { ok: true; issued: IssuedEmailToken }
  | { ok: false; code: 'email_already_verified' }
  | { ok: false; code: 'not_found' }

/**
 * Makes a password-reset link for the member with this address, if there is one; undefined otherwise.
 *
 * Known and unknown addresses cost the same work: one statement inserts the link for whichever member the
 * address finds (none for an unknown one), after the same token generation and the same pruning, so the time
 * taken does not tell whether an address is registered. Erased members' tombstones are never found.
 *
 * @example
 * const issued = await requestPasswordReset(db, 'anna@example.org', { ttlSeconds: 1800 })
 * if (issued) sendLater(issued) // the caller answers 202 either way
 */
export async function requestPasswordReset(
  db: Db,
  email: string,
  { ttlSeconds = passwordResetTtlSecondsDefault }: { ttlSeconds?: number } = {},
): Promise<IssuedEmailToken | undefined> {
  const token = randomBytes(emailTokenRandomBytes).toString('base64url')
  await pruneExpired(db)
  const result = await sql<{ user_id: string; email: string; display_name: string; locale: UserLocale }>`
    WITH member AS (
      SELECT id, email, display_name, locale FROM users
       WHERE lower(email) = lower(${email.trim()}) AND erased_at IS NULL
    ), inserted AS (
      INSERT INTO email_tokens (user_id, purpose, token_hash, email, expires_at)
      SELECT id, 'password_reset', ${digest(token)}, email, now() + make_interval(secs => ${ttlSeconds})
        FROM member
      RETURNING user_id
    )
    SELECT m.id AS user_id, m.email, m.display_name, m.locale FROM member m JOIN inserted i ON i.user_id = m.id`.execute(
    db,
  )
  const row = result.rows[0]
  if (!row) return undefined
  return { token, userId: row.user_id, email: row.email, displayName: row.display_name, locale: row.locale }
}

/**
 * Makes a link that confirms the member's current address: after registration, and when the member asks for a
 * new one. Refused when the address is confirmed already.
 */
export async function requestEmailVerification(
  db: Db,
  userId: string,
  { ttlSeconds = emailVerificationTtlSecondsDefault }: { ttlSeconds?: number } = {},
): Promise<VerificationRequestOutcome> {
  const member = await db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'locale', 'email_verified_at'])
    .where('id', '=', userId)
    .where('erased_at', 'is', null)
    .executeTakeFirst()
  if (!member) return { ok: false, code: 'not_found' }
  if (member.email_verified_at !== null) return { ok: false, code: 'email_already_verified' }
  const token = randomBytes(emailTokenRandomBytes).toString('base64url')
  await pruneExpired(db)
  await db
    .insertInto('email_tokens')
    .values({
      user_id: member.id,
      purpose: 'email_verification',
      token_hash: digest(token),
      email: member.email,
      expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
    })
    .execute()
  return {
    ok: true,
    issued: {
      token,
      userId: member.id,
      email: member.email,
      displayName: member.display_name,
      locale: member.locale,
    },
  }
}

/**
 * Sets a new password from a reset link, in the caller's transaction: the password rules are the
 * registration's; on success the link and every other reset link of the member are spent, and every refresh
 * token of the member is revoked (whoever had the old password is signed out everywhere). A refused password
 * leaves the link usable. Using the link also proves the member reads mail at the address it was sent to: an
 * unconfirmed address that is still the account's becomes confirmed.
 *
 * @example
 * const outcome = await db.transaction().execute((trx) => resetPassword(trx, { token, password }, options))
 */
export async function resetPassword(
  db: Db,
  reset: { token: string; password: string },
  options: PasswordHashOptions = {},
): Promise<PasswordResetOutcome> {
  if (!db.isTransaction) throw new Error('resetPassword must run in a transaction')
  const link = await lockLink(db, reset.token, 'password_reset')
  if (!link.ok) return link
  const member = await db
    .selectFrom('users')
    .select(['id', 'email', 'display_name'])
    .where('id', '=', link.userId)
    .executeTakeFirstOrThrow()
  const weakness = passwordWeakness(reset.password, [member.email, member.display_name])
  if (weakness) return { ok: false, code: 'weak_password', reason: weakness }
  const passwordHash = await hashPassword(reset.password, options)
  await db
    .updateTable('users')
    .set({
      password_hash: passwordHash,
      updated_at: sql`now()`,
      email_verified_at: sql`CASE WHEN email_verified_at IS NULL AND lower(email) = lower(${link.email})
                                  THEN now() ELSE email_verified_at END`,
    })
    .where('id', '=', member.id)
    .execute()
  await spendAll(db, member.id, 'password_reset')
  await revokeAllRefreshTokens(db, member.id)
  return { ok: true, userId: member.id }
}

/**
 * Confirms the address a confirmation link was sent to, in the caller's transaction, and spends the member's
 * confirmation links. A link sent to an address the account no longer has confirms nothing (unknown).
 */
export async function verifyEmail(db: Db, token: string): Promise<EmailVerificationOutcome> {
  if (!db.isTransaction) throw new Error('verifyEmail must run in a transaction')
  const link = await lockLink(db, token, 'email_verification')
  if (!link.ok) return link
  const row = await db
    .updateTable('users')
    .set({ email_verified_at: sql`coalesce(email_verified_at, now())`, updated_at: sql`now()` })
    .where('id', '=', link.userId)
    .where(sql<boolean>`lower(email) = lower(${link.email})`)
    .returning('email_verified_at')
    .executeTakeFirst()
  if (!row?.email_verified_at) return { ok: false, code: 'email_link_unknown' }
  await spendAll(db, link.userId, 'email_verification')
  return { ok: true, userId: link.userId, emailVerifiedAt: row.email_verified_at.toISOString() }
}

/** The link's row, locked against a concurrent use of the same link, or why it cannot be used. */
async function lockLink(
  db: Db,
  token: string,
  purpose: EmailTokenPurpose,
): Promise<{ ok: true; userId: string; email: string } | { ok: false; code: EmailLinkFailureCode }> {
  if (!isWellFormed(token)) return { ok: false, code: 'email_link_unknown' }
  const row = await db
    .selectFrom('email_tokens')
    .select(['user_id', 'email', 'used_at', sql<boolean>`expires_at <= now()`.as('expired')])
    .where('token_hash', '=', digest(token))
    .where('purpose', '=', purpose)
    .forUpdate()
    .executeTakeFirst()
  if (!row) return { ok: false, code: 'email_link_unknown' }
  // Spent is told before expired: a link used once and opened again later was used, whatever its age.
  if (row.used_at !== null) return { ok: false, code: 'email_link_used' }
  if (row.expired) return { ok: false, code: 'email_link_expired' }
  return { ok: true, userId: row.user_id, email: row.email }
}

async function spendAll(db: Db, userId: string, purpose: EmailTokenPurpose): Promise<void> {
  await db
    .updateTable('email_tokens')
    .set({ used_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute()
}

async function pruneExpired(db: Db): Promise<void> {
  await sql`
    DELETE FROM email_tokens
     WHERE id IN (SELECT id FROM email_tokens
                   WHERE expires_at < now() - make_interval(secs => ${emailTokenRetentionSeconds})
                   LIMIT ${emailTokenPruneRowsMax}::int)`.execute(db)
}

function isWellFormed(token: unknown): token is string {
  return typeof token === 'string' && token.length <= emailTokenBytesMax && emailTokenPattern.test(token)
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}
