import { uuidPattern } from '@quartiere/db'
import {
  hashPassword,
  needsRehash,
  type PasswordHashOptions,
  passwordLength,
  passwordLengthMax,
  passwordLengthMin,
  passwordLog2NDefault,
  verifyPassword,
} from './password'
import { revokeAllRefreshTokens } from './refresh-tokens'
import {
  type Db,
  findUserByEmail,
  findUserById,
  insertUserUnlessEmailTaken,
  toUser,
  type User,
  type UserLocale,
  updatePasswordHash,
  updateProfileFields,
} from './users.repository'

export interface Registration {
  email: string
  password: string
  displayName: string
  locale?: UserLocale
}

export type WeakPasswordReason = 'too_short' | 'too_long' | 'matches_identity'

export type RegistrationOutcome =
  | { ok: true; user: User }
  | { ok: false; code: 'email_taken' }
  /** `reason` lets the client say what to change; the route may map it to a message. */
  | { ok: false; code: 'weak_password'; reason: WeakPasswordReason }

export type AuthenticationOutcome = { ok: true; user: User } | { ok: false; code: 'invalid_credentials' }

/**
 * Creates a member account. The email is trimmed and must be unique whatever its case.
 *
 * The route validates shapes (email syntax, display name length); this checks the password policy and
 * uniqueness, which need the domain and the database.
 *
 * @example
 * const outcome = await registerUser(trx, { email: 'anna@example.org', password: '…', displayName: 'Anna' })
 * if (!outcome.ok) switch (outcome.code) { case 'email_taken': …; case 'weak_password': … }
 */
export async function registerUser(
  db: Db,
  registration: Registration,
  options: PasswordHashOptions = {},
): Promise<RegistrationOutcome> {
  const email = registration.email.trim()
  const displayName = registration.displayName
  const weakness = passwordWeakness(registration.password, [email, displayName])
  if (weakness) return { ok: false, code: 'weak_password', reason: weakness }

  // Hashing first and inserting once means a taken email costs one hash: the same as a new account, so the
  // response time does not tell whether the address is registered.
  const passwordHash = await hashPassword(registration.password, options)
  const row = await insertUserUnlessEmailTaken(db, {
    email,
    display_name: displayName,
    password_hash: passwordHash,
    ...(registration.locale ? { locale: registration.locale } : {}),
  })
  if (!row) return { ok: false, code: 'email_taken' }
  return { ok: true, user: toUser(row) }
}

/**
 * Checks an email and password. Unknown email and wrong password give the same outcome in about the same
 * time: an unknown email is verified against a dummy hash of the same cost.
 *
 * When the stored hash was made with other parameters than `options.log2N` (the cost was raised since), it is
 * replaced by a new hash in the caller's transaction.
 */
export async function authenticate(
  db: Db,
  credentials: { email: string; password: string },
  options: PasswordHashOptions = {},
): Promise<AuthenticationOutcome> {
  const log2N = options.log2N ?? passwordLog2NDefault
  const row = await findUserByEmail(db, credentials.email.trim())
  if (!row) {
    await verifyPassword(credentials.password, await dummyHash(log2N))
    return { ok: false, code: 'invalid_credentials' }
  }
  if (!(await verifyPassword(credentials.password, row.password_hash))) {
    return { ok: false, code: 'invalid_credentials' }
  }
  if (needsRehash(row.password_hash, log2N)) {
    await updatePasswordHash(db, row.id, await hashPassword(credentials.password, { log2N }))
  }
  return { ok: true, user: toUser(row) }
}

export type PasswordChangeOutcome =
  | { ok: true; user: User }
  | { ok: false; code: 'invalid_credentials' }
  | { ok: false; code: 'weak_password'; reason: WeakPasswordReason }

/**
 * Changes a member's password after checking the current one, and signs out every session: all of the
 * member's refresh tokens are revoked in the caller's transaction (a password is changed because it may have
 * leaked; whoever used it must not stay in). Access tokens already issued expire on their own within minutes.
 */
export async function changePassword(
  db: Db,
  userId: string,
  change: { currentPassword: string; newPassword: string },
  options: PasswordHashOptions = {},
): Promise<PasswordChangeOutcome> {
  const row = await findUserById(db, userId)
  if (!row || !(await verifyPassword(change.currentPassword, row.password_hash))) {
    return { ok: false, code: 'invalid_credentials' }
  }
  const weakness = passwordWeakness(change.newPassword, [row.email, row.display_name])
  if (weakness) return { ok: false, code: 'weak_password', reason: weakness }
  await updatePasswordHash(db, row.id, await hashPassword(change.newPassword, options))
  await revokeAllRefreshTokens(db, row.id)
  return { ok: true, user: toUser(row) }
}

export type ProfileChangeOutcome =
  | { ok: true; user: User }
  | { ok: false; code: 'blank_display_name' }
  | { ok: false; code: 'not_found' }

/** What a member may change about themselves besides the password: the name others see and their language. */
export interface ProfileChange {
  displayName?: string
  locale?: UserLocale
}

/**
 * Changes a member's display name and/or language; returns the member as now stored, or undefined when the
 * account no longer exists. A display name is trimmed; one that is only spaces passes the schema's minLength but
 * would show as nobody, so it is refused (`blank_display_name`).
 *
 * @example
 * const user = await updateProfile(db, actor.userId, { locale: 'it' })
 */
export async function updateProfile(
  db: Db,
  userId: string,
  change: ProfileChange,
): Promise<ProfileChangeOutcome> {
  const fields: { display_name?: string; locale?: UserLocale } = {}
  if (change.displayName !== undefined) {
    const name = change.displayName.trim()
    if (!name) return { ok: false, code: 'blank_display_name' }
    fields.display_name = name
  }
  if (change.locale !== undefined) fields.locale = change.locale
  if (!uuidPattern.test(userId)) return { ok: false, code: 'not_found' }
  const row = await updateProfileFields(db, userId, fields)
  return row ? { ok: true, user: toUser(row) } : { ok: false, code: 'not_found' }
}

/** The user with this id, or undefined (also for an id that is not a uuid, which no user has). */
export async function getUser(db: Db, id: string): Promise<User | undefined> {
  if (!uuidPattern.test(id)) return undefined
  const row = await findUserById(db, id)
  return row ? toUser(row) : undefined
}

/**
 * Why a password is refused, or undefined when it is acceptable: at least {@link passwordLengthMin} and at
 * most {@link passwordLengthMax} characters, and not the account's own email or display name.
 */
export function passwordWeakness(password: string, identity: string[]): WeakPasswordReason | undefined {
  const length = passwordLength(password)
  if (length < passwordLengthMin) return 'too_short'
  if (length > passwordLengthMax) return 'too_long'
  const folded = password.toLowerCase()
  if (identity.some((value) => value.trim().toLowerCase() === folded)) return 'matches_identity'
  return undefined
}

// One dummy hash per cost, made on first need: computing it at import time would slow every process start
// (and every test file) by a full hash even when nobody logs in.
const dummyHashes = new Map<number, Promise<string>>()

function dummyHash(log2N: number): Promise<string> {
  let hash = dummyHashes.get(log2N)
  if (!hash) {
    hash = hashPassword('quartiere dummy password', { log2N })
    dummyHashes.set(log2N, hash)
  }
  return hash
}
