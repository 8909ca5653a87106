import { randomUUID } from 'node:crypto'
import {
  authenticate,
  getUser,
  hashPassword,
  issueRefreshToken,
  registerUser,
  revokeAllRefreshTokens,
  revokeRefreshTokenFamily,
  rotateRefreshToken,
} from '@quartiere/auth'
import type { Database } from '@quartiere/db'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase } from './support/test-database'

// The production cost takes a few hundred milliseconds per hash; 2^12 keeps these tests fast.
const hashOptions = { log2N: 12 }
const password = 'a long enough passphrase'

function uniqueEmail(name: string): string {
  return `${name}.${randomUUID()}@example.org`
}

let database: Database

beforeAll(async () => {
  database = await openTestDatabase()
})

afterAll(async () => {
  await database?.close()
})

async function registerMember(name = 'anna') {
  const email = uniqueEmail(name)
  const outcome = await registerUser(database.db, { email, password, displayName: name }, hashOptions)
  if (!outcome.ok) throw new Error(`registration failed: ${outcome.code}`)
  return outcome.user
}

/** Runs a rotation in a transaction that commits whatever the outcome, as the route must. */
function rotate(token: string) {
  return database.db.transaction().execute((trx) => rotateRefreshToken(trx, token))
}

describe('registration', () => {
  it('creates a member with a trimmed email and the default locale', async () => {
    const email = uniqueEmail('Bruno')
    const outcome = await registerUser(
      database.db,
      { email: `  ${email} `, password, displayName: 'Bruno' },
      hashOptions,
    )
    expect(outcome).toEqual({
      ok: true,
      user: {
        id: expect.any(String),
        email,
        displayName: 'Bruno',
        role: 'member',
        locale: 'it',
        createdAt: expect.any(String),
        // Unconfirmed until the emailed link is opened.
        emailVerifiedAt: null,
      },
    })
    if (!outcome.ok) return
    expect(new Date(outcome.user.createdAt).toISOString()).toBe(outcome.user.createdAt)
    expect(await getUser(database.db, outcome.user.id)).toEqual(outcome.user)
    const stored = await database.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', outcome.user.id)
      .executeTakeFirstOrThrow()
    expect(stored.password_hash).toMatch(/^scrypt\$12\$/)
    expect(stored.password_hash).not.toContain(password)
  })

  it('keeps the chosen locale', async () => {
    const outcome = await registerUser(
      database.db,
      { email: uniqueEmail('carla'), password, displayName: 'Carla', locale: 'en' },
      hashOptions,
    )
    expect(outcome.ok && outcome.user.locale).toBe('en')
  })

  it('refuses an email already taken in another case, and leaves the transaction usable', async () => {
    const email = uniqueEmail('dario')
    expect((await registerUser(database.db, { email, password, displayName: 'Dario' }, hashOptions)).ok).toBe(
      true,
    )
    const again = await database.db.transaction().execute(async (trx) => {
      const outcome = await registerUser(
        trx,
        { email: email.toUpperCase(), password: 'another passphrase', displayName: 'Impostor' },
        hashOptions,
      )
      // A caught unique violation would have aborted the transaction; this statement proves it did not.
      await sql`select 1`.execute(trx)
      return outcome
    })
    expect(again).toEqual({ ok: false, code: 'email_taken' })
    const count = await database.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where(sql`lower(email)`, '=', email.toLowerCase())
      .executeTakeFirstOrThrow()
    expect(Number(count.count)).toBe(1)
  })

  it('refuses weak passwords', async () => {
    const email = uniqueEmail('elena')
    const cases = [
      { password: 'short', reason: 'too_short' },
      { password: '123456789', reason: 'too_short' },
      { password: 'x'.repeat(257), reason: 'too_long' },
      { password: email.toUpperCase(), reason: 'matches_identity' },
      { password: 'elena rossi 1', displayName: 'Elena Rossi 1', reason: 'matches_identity' },
    ]
    for (const weak of cases) {
      const outcome = await registerUser(
        database.db,
        { email, password: weak.password, displayName: weak.displayName ?? 'Elena' },
        hashOptions,
      )
      expect(outcome).toEqual({ ok: false, code: 'weak_password', reason: weak.reason })
    }
    const users = await database.db.selectFrom('users').select('id').where('email', '=', email).execute()
    expect(users).toEqual([])
  })
})

describe('authentication', () => {
  it('accepts the right password whatever the case of the email', async () => {
    const user = await registerMember('franca')
    const outcome = await authenticate(
      database.db,
      { email: ` ${user.email.toUpperCase()}`, password },
      hashOptions,
    )
    expect(outcome).toEqual({ ok: true, user })
  })

  it('refuses a wrong password and an unknown email alike', async () => {
    const user = await registerMember('giorgio')
    const wrong = await authenticate(
      database.db,
      { email: user.email, password: `${password}!` },
      hashOptions,
    )
    const unknown = await authenticate(database.db, { email: uniqueEmail('nobody'), password }, hashOptions)
    expect(wrong).toEqual({ ok: false, code: 'invalid_credentials' })
    expect(unknown).toEqual(wrong)
  })

  it('rehashes a password stored with an older cost', async () => {
    const user = await registerMember('ilaria')
    const older = await hashPassword(password, { log2N: 11 })
    await database.db.updateTable('users').set({ password_hash: older }).where('id', '=', user.id).execute()
    expect((await authenticate(database.db, { email: user.email, password }, hashOptions)).ok).toBe(true)
    const stored = await database.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(stored.password_hash).toMatch(/^scrypt\$12\$/)
    expect((await authenticate(database.db, { email: user.email, password }, hashOptions)).ok).toBe(true)
  })

  it('finds no user for an unknown or malformed id', async () => {
    expect(await getUser(database.db, randomUUID())).toBeUndefined()
    expect(await getUser(database.db, 'not-a-uuid')).toBeUndefined()
  })
})

describe('refresh tokens', () => {
  it('rotates within the family', async () => {
    const user = await registerMember('luca')
    const first = await issueRefreshToken(database.db, { userId: user.id })
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const ttlMs = Date.parse(first.expiresAt) - Date.now()
    expect(ttlMs).toBeGreaterThan(29 * 24 * 3600 * 1000)
    expect(ttlMs).toBeLessThanOrEqual(30 * 24 * 3600 * 1000 + 60_000)

    const second = await rotate(first.token)
    expect(second).toEqual({
      ok: true,
      userId: user.id,
      token: expect.any(String),
      expiresAt: expect.any(String),
    })
    if (!second.ok) return
    expect(second.token).not.toBe(first.token)
    const third = await rotate(second.token)
    expect(third.ok && third.userId).toBe(user.id)

    const rows = await database.db
      .selectFrom('refresh_tokens')
      .select(['family_id', 'used_at', 'revoked_at'])
      .where('user_id', '=', user.id)
      .orderBy('created_at')
      .execute()
    expect(rows).toHaveLength(3)
    expect(new Set(rows.map((row) => row.family_id)).size).toBe(1)
    expect(rows.map((row) => row.used_at !== null)).toEqual([true, true, false])
    expect(rows.every((row) => row.revoked_at === null)).toBe(true)
  })

  it('stores only a digest of the token', async () => {
    const user = await registerMember('marta')
    const { token } = await issueRefreshToken(database.db, { userId: user.id })
    const row = await database.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(row.token_hash).toHaveLength(32)
    expect(Buffer.from(row.token_hash).toString('base64url')).not.toBe(token)
  })

  it('revokes the whole family when a spent token comes back', async () => {
    const user = await registerMember('nicola')
    const first = await issueRefreshToken(database.db, { userId: user.id })
    const otherLogin = await issueRefreshToken(database.db, { userId: user.id })
    const second = await rotate(first.token)
    if (!second.ok) throw new Error('rotation failed')

    expect(await rotate(first.token)).toEqual({ ok: false, code: 'refresh_token_reused' })
    // The newest token of the family (the one the thief or the user holds) no longer works either…
    expect(await rotate(second.token)).toEqual({ ok: false, code: 'invalid_refresh_token' })
    // …while a session from another login, another family, is untouched.
    expect((await rotate(otherLogin.token)).ok).toBe(true)
  })

  it('treats two concurrent uses of one token as a reuse', async () => {
    const user = await registerMember('nadia')
    const { token } = await issueRefreshToken(database.db, { userId: user.id })
    // The row lock makes the second transaction wait for the first and then see the token spent.
    const outcomes = await Promise.all([rotate(token), rotate(token)])
    expect(outcomes.map((outcome) => outcome.ok).sort()).toEqual([false, true])
    expect(outcomes.find((outcome) => !outcome.ok)).toEqual({ ok: false, code: 'refresh_token_reused' })
    const winner = outcomes.find((outcome) => outcome.ok)
    if (!winner?.ok) throw new Error('no rotation succeeded')
    expect(await rotate(winner.token)).toEqual({ ok: false, code: 'invalid_refresh_token' })
  })

  it('loses the revocation if the caller rolls back on reuse (why the route must commit)', async () => {
    const user = await registerMember('olga')
    const first = await issueRefreshToken(database.db, { userId: user.id })
    const second = await rotate(first.token)
    if (!second.ok) throw new Error('rotation failed')
    const rolledBack = new Error('rolled back')
    await expect(
      database.db.transaction().execute(async (trx) => {
        expect(await rotateRefreshToken(trx, first.token)).toEqual({
          ok: false,
          code: 'refresh_token_reused',
        })
        throw rolledBack
      }),
    ).rejects.toBe(rolledBack)
    expect((await rotate(second.token)).ok).toBe(true)
  })

  it('refuses expired, unknown and malformed tokens', async () => {
    const user = await registerMember('paolo')
    const expired = await issueRefreshToken(database.db, { userId: user.id })
    await database.db
      .updateTable('refresh_tokens')
      .set({ expires_at: sql`now() - interval '1 second'` })
      .where('user_id', '=', user.id)
      .execute()
    const invalid = { ok: false, code: 'invalid_refresh_token' }
    expect(await rotate(expired.token)).toEqual(invalid)
    const unknown = Buffer.alloc(32, 7).toString('base64url')
    for (const token of [
      unknown,
      '',
      'short',
      `${unknown}=`,
      `${unknown.slice(0, 42)}+`,
      'x'.repeat(10_000),
    ]) {
      expect(await rotate(token)).toEqual(invalid)
    }
    expect(await rotate(null as unknown as string)).toEqual(invalid)
  })

  it('must run in a transaction', async () => {
    const user = await registerMember('quinto')
    const { token } = await issueRefreshToken(database.db, { userId: user.id })
    await expect(rotateRefreshToken(database.db, token)).rejects.toThrow(/transaction/)
  })

  it('logs out by revoking the family', async () => {
    const user = await registerMember('rita')
    const first = await issueRefreshToken(database.db, { userId: user.id })
    const second = await rotate(first.token)
    if (!second.ok) throw new Error('rotation failed')
    const otherLogin = await issueRefreshToken(database.db, { userId: user.id })

    expect(await revokeRefreshTokenFamily(database.db, second.token)).toBe(true)
    expect(await rotate(second.token)).toEqual({ ok: false, code: 'invalid_refresh_token' })
    expect((await rotate(otherLogin.token)).ok).toBe(true)
    // Logging out twice, or with nonsense, is harmless.
    expect(await revokeRefreshTokenFamily(database.db, second.token)).toBe(true)
    expect(await revokeRefreshTokenFamily(database.db, 'nonsense')).toBe(false)
    expect(await revokeRefreshTokenFamily(database.db, Buffer.alloc(32).toString('base64url'))).toBe(false)
  })

  it('revokes every session of a user', async () => {
    const user = await registerMember('sara')
    const bystander = await registerMember('tommaso')
    const tokens = [
      await issueRefreshToken(database.db, { userId: user.id }),
      await issueRefreshToken(database.db, { userId: user.id }),
    ]
    const theirs = await issueRefreshToken(database.db, { userId: bystander.id })
    expect(await revokeAllRefreshTokens(database.db, user.id)).toBe(2)
    for (const { token } of tokens) {
      expect(await rotate(token)).toEqual({ ok: false, code: 'invalid_refresh_token' })
    }
    expect((await rotate(theirs.token)).ok).toBe(true)
  })
})
