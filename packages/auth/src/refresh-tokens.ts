import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from './users.repository'

/**
 * Refresh tokens rotate: each use spends the token and issues the next one of the same family. A spent token
 * presented again means that two parties hold the family (one of them stole it), so the whole family is
 * revoked and both must log in again. Only a SHA-256 digest of each token is stored: the tokens are 256-bit
 * random values, so a fast hash is enough, and a copy of the table does not give anyone a session.
 */

/** A refresh token is good for 30 days after it was issued; each rotation starts a new 30 days. */
export const refreshTokenTtlSeconds = 30 * 24 * 60 * 60
export const refreshTokenRandomBytes = 32
/** Anything longer is refused before hashing or querying; ours are 43 characters. */
export const refreshTokenBytesMax = 256

// 32 bytes in unpadded base64url are exactly 43 characters.
const refreshTokenPattern = /^[A-Za-z0-9_-]{43}$/

export interface IssuedRefreshToken {
  /** The token to give to the client; it is not stored anywhere on the server. */
  token: string
  /** ISO 8601, UTC. */
  expiresAt: string
}

export type RefreshTokenRotation =
  | { ok: true; userId: string; token: string; expiresAt: string }
  | { ok: false; code: 'invalid_refresh_token' }
  /** The family was revoked by this call: the caller must COMMIT (see {@link rotateRefreshToken}). */
  | { ok: false; code: 'refresh_token_reused' }

/**
 * Issues a refresh token. Without `familyId` it starts a new family, as a new login does.
 *
 * @example
 * const { token, expiresAt } = await issueRefreshToken(trx, { userId: user.id })
 */
export async function issueRefreshToken(
  db: Db,
  { userId, familyId = randomUUID() }: { userId: string; familyId?: string },
): Promise<IssuedRefreshToken> {
  const token = randomBytes(refreshTokenRandomBytes).toString('base64url')
  const row = await db
    .insertInto('refresh_tokens')
    .values({
      user_id: userId,
      family_id: familyId,
      token_hash: digest(token),
      // The database clock, the same one that rotation compares against.
      expires_at: sql<Date>`now() + make_interval(secs => ${refreshTokenTtlSeconds})`,
    })
    .returning('expires_at')
    .executeTakeFirstOrThrow()
  return { token, expiresAt: row.expires_at.toISOString() }
}

/**
 * Spends a refresh token and issues the next one of its family.
 *
 * Must run inside a transaction (`db.transaction().execute(trx => rotateRefreshToken(trx, token))`): the row
 * is locked `FOR UPDATE` so that two concurrent uses of one token are seen as a reuse, not as two rotations.
 *
 * Outcomes:
 * - `{ ok: true }`: the next token; the presented one is spent.
 * - `invalid_refresh_token`: malformed, unknown, expired or revoked. Nothing was written.
 * - `refresh_token_reused`: the token had been spent already, and every token of its family has now been
 *   revoked. **The caller must COMMIT the transaction on this outcome** (return the value from the
 *   transaction callback; do not throw to answer 401), or the revocation is rolled back and the thief keeps
 *   a working token.
 */
export async function rotateRefreshToken(db: Db, token: string): Promise<RefreshTokenRotation> {
  if (!db.isTransaction) throw new Error('rotateRefreshToken must run in a transaction')
  if (!isWellFormed(token)) return { ok: false, code: 'invalid_refresh_token' }

  const row = await db
    .selectFrom('refresh_tokens')
    .select([
      'id',
      'user_id',
      'family_id',
      'used_at',
      'revoked_at',
      sql<boolean>`expires_at <= now()`.as('expired'),
    ])
    .where('token_hash', '=', digest(token))
    .forUpdate()
    .executeTakeFirst()

  if (!row || row.revoked_at !== null) return { ok: false, code: 'invalid_refresh_token' }
  // Reuse is checked before expiry: a spent token replayed late is still evidence that the family leaked.
  if (row.used_at !== null) {
    await revokeFamily(db, row.family_id)
    return { ok: false, code: 'refresh_token_reused' }
  }
  if (row.expired) return { ok: false, code: 'invalid_refresh_token' }

  await db.updateTable('refresh_tokens').set({ used_at: sql`now()` }).where('id', '=', row.id).execute()
  const next = await issueRefreshToken(db, { userId: row.user_id, familyId: row.family_id })
  return { ok: true, userId: row.user_id, ...next }
}

/**
 * Revokes the family of a refresh token (logout). Returns whether the token was known; a malformed or unknown
 * token revokes nothing, and logging out twice is harmless.
 */
export async function revokeRefreshTokenFamily(db: Db, token: string): Promise<boolean> {
  if (!isWellFormed(token)) return false
  const row = await db
    .selectFrom('refresh_tokens')
    .select('family_id')
    .where('token_hash', '=', digest(token))
    .executeTakeFirst()
  if (!row) return false
  await revokeFamily(db, row.family_id)
  return true
}

/** Revokes every refresh token of a user (after a password change): all sessions must log in again. */
export async function revokeAllRefreshTokens(db: Db, userId: string): Promise<number> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

async function revokeFamily(db: Db, familyId: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql`now()` })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute()
}

function isWellFormed(token: unknown): token is string {
  return typeof token === 'string' && token.length <= refreshTokenBytesMax && refreshTokenPattern.test(token)
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}
