import { createPrivateKey, createPublicKey, randomBytes, randomUUID } from 'node:crypto'
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  type CryptoKey,
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose'
import { type UserRole, userRoles } from './users.repository'

/** Access tokens live 15 minutes: short enough that a stolen one is soon useless, refresh tokens do the rest. */
export const accessTokenTtlSecondsDefault = 900
/** Tokens longer than this are refused before any parsing: ours are about 400 bytes. */
export const accessTokenBytesMax = 4096
/** Clocks of the machines that sign and verify may differ by this much for exp and nbf. */
export const accessTokenClockToleranceSeconds = 5
/** RFC 9068's type for access tokens; checking it stops a JWT minted for another purpose passing as one. */
export const accessTokenType = 'at+jwt'
const accessTokenAlgorithm = 'EdDSA'
// A user id is a uuid; a longer subject is not one of ours.
const subjectLengthMax = 64

export interface TokenIssuerOptions {
  /** The Ed25519 private key as a JWK JSON string (from JWT_PRIVATE_KEY); takes precedence over keyFile. */
  privateJwk?: string
  /**
   * A file holding the private JWK. Read when it exists; otherwise a new key is generated and written there
   * (mode 0600). Without privateJwk and keyFile the key is generated in memory and lives as long as the process.
   */
  keyFile?: string
  /** The `iss` claim written and required. */
  issuer: string
  /** The `aud` claim written and required. */
  audience: string
  accessTokenTtlSeconds?: number
}

export interface AccessTokenSubject {
  userId: string
  role: UserRole
}

export interface AccessTokenClaims {
  userId: string
  role: UserRole
  /** ISO 8601, UTC. */
  expiresAt: string
}

export type AccessTokenVerification =
  | { ok: true; claims: AccessTokenClaims }
  /** `reason` is for logs only: the client is told no more than that its token is not valid. */
  | { ok: false; code: 'invalid_token'; reason: string }

export interface TokenIssuer {
  /** The key id written in every token's header: the RFC 7638 thumbprint of the public key. */
  readonly kid: string
  /** Signs a short-lived access token for a user. */
  signAccessToken(subject: AccessTokenSubject): Promise<string>
  /** Verifies an access token; every bad token is an `{ ok: false }` value, never an exception. */
  verifyAccessToken(token: string): Promise<AccessTokenVerification>
  /** The public key set, as `/.well-known/jwks.json` would serve it. */
  publicJwks(): { keys: JWK[] }
}

/**
 * Loads (or creates) the Ed25519 signing key and returns an issuer and verifier of access tokens.
 *
 * @example
 * const tokens = await createTokenIssuer({ keyFile: 'data/jwt.jwk', issuer: 'quartiere', audience: 'quartiere-api' })
 * const token = await tokens.signAccessToken({ userId: user.id, role: user.role })
 * const result = await tokens.verifyAccessToken(token) // { ok: true, claims: { userId, role, expiresAt } }
 */
export async function createTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const { issuer, audience } = options
  const ttlSeconds = options.accessTokenTtlSeconds ?? accessTokenTtlSecondsDefault
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new Error(`accessTokenTtlSeconds must be a positive integer, got ${ttlSeconds}`)
  }
  if (!issuer || !audience) throw new Error('createTokenIssuer needs an issuer and an audience')

  const privateJwk = await loadPrivateJwk(options)
  const publicJwk = publicJwkOf(privateJwk)
  const kid = await calculateJwkThumbprint(publicJwk)
  const privateKey = (await importJWK(privateJwk, accessTokenAlgorithm)) as CryptoKey
  const publicKey = (await importJWK(publicJwk, accessTokenAlgorithm)) as CryptoKey

  return {
    kid,

    async signAccessToken({ userId, role }) {
      const issuedAt = Math.floor(Date.now() / 1000)
      return new SignJWT({ role })
        .setProtectedHeader({ alg: accessTokenAlgorithm, kid, typ: accessTokenType })
        .setSubject(userId)
        .setIssuedAt(issuedAt)
        .setNotBefore(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .setJti(randomUUID())
        .setIssuer(issuer)
        .setAudience(audience)
        .sign(privateKey)
    },

    async verifyAccessToken(token) {
      if (typeof token !== 'string') return invalid('not a string')
      // Length in UTF-16 units first (cheap, and never more than the UTF-8 length), then the exact byte count.
      if (token.length > accessTokenBytesMax || Buffer.byteLength(token, 'utf8') > accessTokenBytesMax) {
        return invalid('too large')
      }
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(
          token,
          async (header) => {
            // No part of the token is authenticated yet: the kid only selects a key, and only ours exists.
            if (header.kid !== kid) throw new errors.JWKSNoMatchingKey()
            return publicKey
          },
          {
            algorithms: [accessTokenAlgorithm],
            issuer,
            audience,
            typ: accessTokenType,
            requiredClaims: ['exp', 'sub', 'iat'],
            clockTolerance: accessTokenClockToleranceSeconds,
          },
        ))
      } catch (error) {
        return invalid(error instanceof errors.JOSEError ? error.code : 'malformed')
      }
      const { sub, role, exp } = payload
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > subjectLengthMax)
        return invalid('bad sub')
      if (!isUserRole(role)) return invalid('bad role')
      if (typeof exp !== 'number') return invalid('bad exp')
      return { ok: true, claims: { userId: sub, role, expiresAt: new Date(exp * 1000).toISOString() } }
    },

    publicJwks() {
      return { keys: [{ ...publicJwk, kid, alg: accessTokenAlgorithm, use: 'sig' }] }
    },
  }
}

function invalid(reason: string): AccessTokenVerification {
  return { ok: false, code: 'invalid_token', reason }
}

function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (userRoles as readonly string[]).includes(value)
}

async function loadPrivateJwk(options: TokenIssuerOptions): Promise<JWK> {
  if (options.privateJwk) return parsePrivateJwk(options.privateJwk, 'the privateJwk option')
  if (!options.keyFile) return generatePrivateJwk()

  const keyFile = options.keyFile
  const existing = await readFileIfExists(keyFile)
  if (existing !== undefined) return parsePrivateJwk(existing, keyFile)

  const jwk = await generatePrivateJwk()
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 })
  // Written whole to a private temporary file and then hard-linked into place: link() fails if the key file
  // appeared meanwhile (another instance starting at the same moment), and nobody ever reads a half-written key.
  const temporary = join(dirname(keyFile), `.${randomBytes(8).toString('hex')}.jwk.tmp`)
  await writeFile(temporary, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' })
  try {
    await link(temporary, keyFile)
    return jwk
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error
    return parsePrivateJwk(await readFile(keyFile, 'utf8'), keyFile)
  } finally {
    await unlink(temporary)
  }
}

async function generatePrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(accessTokenAlgorithm, { crv: 'Ed25519', extractable: true })
  const { kty, crv, x, d } = await exportJWK(privateKey)
  return { kty, crv, x, d }
}

/** Checks that the text is an Ed25519 private JWK; the error never quotes the key. */
function parsePrivateJwk(text: string, source: string): JWK {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`the access token key in ${source} is not JSON`)
  }
  const jwk = value as Partial<Record<string, unknown>> | null
  if (
    typeof jwk !== 'object' ||
    jwk === null ||
    jwk.kty !== 'OKP' ||
    jwk.crv !== 'Ed25519' ||
    typeof jwk.d !== 'string' ||
    typeof jwk.x !== 'string'
  ) {
    throw new Error(
      `the access token key in ${source} must be an Ed25519 private JWK (kty OKP, crv Ed25519, x, d)`,
    )
  }
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d }
}

/** The public half, derived from the private key itself rather than trusting the JWK's `x`. */
function publicJwkOf(privateJwk: JWK): JWK {
  let derived: JsonWebKey
  try {
    derived = createPublicKey(createPrivateKey({ key: privateJwk, format: 'jwk' })).export({ format: 'jwk' })
  } catch {
    throw new Error('the access token key is not a valid Ed25519 private key')
  }
  if (derived.x !== privateJwk.x) throw new Error('the access token key has an x that does not match its d')
  return { kty: 'OKP', crv: 'Ed25519', x: derived.x }
}

async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined
}
