import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { accessTokenBytesMax, createTokenIssuer, type TokenIssuer } from './tokens'

const issuer = 'https://quartiere.test'
const audience = 'quartiere-api'
const userId = '6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b'

async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  return exportJWK(privateKey)
}

function now(): number {
  return Math.floor(Date.now() / 1000)
}

/** A compact JWS with any header and payload and the given signature bytes, assembled by hand. */
function handmade(header: object, payload: object, signature = ''): string {
  const encode = (value: object) => base64url.encode(JSON.stringify(value))
  return `${encode(header)}.${encode(payload)}.${signature}`
}

describe('access tokens', () => {
  let privateJwk: JWK
  let tokens: TokenIssuer

  beforeEach(async () => {
    privateJwk = await newPrivateJwk()
    tokens = await createTokenIssuer({ privateJwk: JSON.stringify(privateJwk), issuer, audience })
  })

  /** Signs arbitrary claims with the issuer's own key, to build tokens the issuer would never make. */
  async function signWithOurKey(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
    const key = await importJWK(privateJwk, 'EdDSA')
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: tokens.kid, typ: 'at+jwt', ...header })
      .sign(key)
  }

  function validClaims(overrides: Record<string, unknown> = {}) {
    return {
      sub: userId,
      role: 'member',
      iat: now(),
      nbf: now(),
      exp: now() + 600,
      iss: issuer,
      aud: audience,
      ...overrides,
    }
  }

  it('signs tokens that it verifies', async () => {
    const token = await tokens.signAccessToken({ userId, role: 'moderator' })
    const result = await tokens.verifyAccessToken(token)
    expect(result).toEqual({ ok: true, claims: { userId, role: 'moderator', expiresAt: expect.any(String) } })
    if (!result.ok) return
    const ttlMs = Date.parse(result.claims.expiresAt) - Date.now()
    expect(ttlMs).toBeGreaterThan(800_000)
    expect(ttlMs).toBeLessThanOrEqual(900_000)
  })

  it('writes the expected header and claims', async () => {
    const token = await tokens.signAccessToken({ userId, role: 'admin' })
    const [headerPart, payloadPart] = token.split('.') as [string, string]
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(headerPart)))
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(payloadPart)))
    const { d: _, ...publicJwk } = privateJwk
    expect(header).toEqual({ alg: 'EdDSA', kid: await calculateJwkThumbprint(publicJwk), typ: 'at+jwt' })
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'role', 'sub'])
    expect(payload).toMatchObject({ sub: userId, role: 'admin', iss: issuer, aud: audience })
    expect(payload.exp - payload.iat).toBe(900)
  })

  it('accepts a well-formed token signed by hand with its key (the negative cases below are meaningful)', async () => {
    const result = await tokens.verifyAccessToken(await signWithOurKey(validClaims()))
    expect(result.ok).toBe(true)
  })

  it('refuses an expired token', async () => {
    const token = await signWithOurKey(validClaims({ iat: now() - 3600, nbf: now() - 3600, exp: now() - 60 }))
    expect(await tokens.verifyAccessToken(token)).toEqual({
      ok: false,
      code: 'invalid_token',
      reason: 'ERR_JWT_EXPIRED',
    })
  })

  it('refuses a token not yet valid', async () => {
    const token = await signWithOurKey(validClaims({ nbf: now() + 600 }))
    expect((await tokens.verifyAccessToken(token)).ok).toBe(false)
  })

  it('refuses the wrong issuer or audience', async () => {
    for (const claims of [validClaims({ iss: 'https://evil.test' }), validClaims({ aud: 'another-api' })]) {
      const result = await tokens.verifyAccessToken(await signWithOurKey(claims))
      expect(result).toEqual({ ok: false, code: 'invalid_token', reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' })
    }
  })

  it('refuses tokens missing a required claim', async () => {
    for (const missing of ['exp', 'sub', 'iat']) {
      const claims: Record<string, unknown> = validClaims()
      delete claims[missing]
      expect((await tokens.verifyAccessToken(await signWithOurKey(claims))).ok).toBe(false)
    }
  })

  it('refuses a role that is not one of ours', async () => {
    const token = await signWithOurKey(validClaims({ role: 'root' }))
    expect(await tokens.verifyAccessToken(token)).toEqual({
      ok: false,
      code: 'invalid_token',
      reason: 'bad role',
    })
  })

  it('refuses a token of another type', async () => {
    const token = await signWithOurKey(validClaims(), { typ: 'JWT' })
    expect((await tokens.verifyAccessToken(token)).ok).toBe(false)
  })

  it('refuses alg none', async () => {
    const token = handmade({ alg: 'none', kid: tokens.kid, typ: 'at+jwt' }, validClaims())
    expect((await tokens.verifyAccessToken(token)).ok).toBe(false)
  })

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const { d: _, ...publicJwk } = privateJwk
    const secrets = [base64url.decode(publicJwk.x!), new TextEncoder().encode(JSON.stringify(publicJwk))]
    for (const secret of secrets) {
      const token = await new SignJWT(validClaims())
        .setProtectedHeader({ alg: 'HS256', kid: tokens.kid, typ: 'at+jwt' })
        .sign(secret)
      expect(await tokens.verifyAccessToken(token)).toEqual({
        ok: false,
        code: 'invalid_token',
        reason: 'ERR_JOSE_ALG_NOT_ALLOWED',
      })
    }
  })

  it('refuses an unknown kid, and another key claiming our kid', async () => {
    const otherJwk = await newPrivateJwk()
    const otherKey = await importJWK(otherJwk, 'EdDSA')
    const { d: _, ...otherPublic } = otherJwk
    const withOwnKid = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: 'EdDSA', kid: await calculateJwkThumbprint(otherPublic), typ: 'at+jwt' })
      .sign(otherKey)
    expect(await tokens.verifyAccessToken(withOwnKid)).toEqual({
      ok: false,
      code: 'invalid_token',
      reason: 'ERR_JWKS_NO_MATCHING_KEY',
    })
    const withoutKid = await signWithOurKey(validClaims(), { kid: undefined })
    expect((await tokens.verifyAccessToken(withoutKid)).ok).toBe(false)
    const withOurKid = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: 'EdDSA', kid: tokens.kid, typ: 'at+jwt' })
      .sign(otherKey)
    expect(await tokens.verifyAccessToken(withOurKid)).toEqual({
      ok: false,
      code: 'invalid_token',
      reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    })
  })

  it('refuses a tampered payload', async () => {
    const token = await tokens.signAccessToken({ userId, role: 'member' })
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)))
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...claims, role: 'admin' }))}.${signature}`
    expect(await tokens.verifyAccessToken(tampered)).toEqual({
      ok: false,
      code: 'invalid_token',
      reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    })
  })

  it('refuses an oversized token before parsing it', async () => {
    const token = await signWithOurKey(validClaims({ padding: 'x'.repeat(accessTokenBytesMax) }))
    expect(await tokens.verifyAccessToken(token)).toEqual({
      ok: false,
      code: 'invalid_token',
      reason: 'too large',
    })
    // Multi-byte characters count by their UTF-8 bytes.
    const wide = 'é'.repeat(accessTokenBytesMax / 2 + 1)
    expect(await tokens.verifyAccessToken(wide)).toEqual({
      ok: false,
      code: 'invalid_token',
      reason: 'too large',
    })
  })

  it('refuses garbage without throwing', async () => {
    const garbage = [
      '',
      'abc',
      'a.b.c',
      '...',
      'eyJ.eyJ.sig',
      handmade({}, {}),
      `${'x'.repeat(100)}.${'y'.repeat(100)}.`,
    ]
    for (const token of [...garbage, null, 42, {}] as unknown as string[]) {
      const result = await tokens.verifyAccessToken(token)
      expect(result.ok).toBe(false)
    }
  })

  it('publishes the public key only', async () => {
    const { keys } = tokens.publicJwks()
    expect(keys).toHaveLength(1)
    expect(keys[0]).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: privateJwk.x,
      kid: tokens.kid,
      alg: 'EdDSA',
      use: 'sig',
    })
  })
})

describe('key loading', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quartiere-auth-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('generates a key file once, private to its owner, and reuses it', async () => {
    const keyFile = join(dir, 'nested', 'jwt-key.json')
    const first = await createTokenIssuer({ keyFile, issuer, audience })
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    const stored = JSON.parse(await readFile(keyFile, 'utf8'))
    expect(stored).toMatchObject({ kty: 'OKP', crv: 'Ed25519', d: expect.any(String), x: expect.any(String) })

    const second = await createTokenIssuer({ keyFile, issuer, audience })
    expect(second.kid).toBe(first.kid)
    const verified = await second.verifyAccessToken(await first.signAccessToken({ userId, role: 'member' }))
    expect(verified.ok).toBe(true)
  })

  it('agrees on one key when two instances create the key file at once', async () => {
    const keyFile = join(dir, 'jwt-key.json')
    const issuers = await Promise.all(
      Array.from({ length: 5 }, () => createTokenIssuer({ keyFile, issuer, audience })),
    )
    expect(new Set(issuers.map((one) => one.kid)).size).toBe(1)
  })

  it('prefers the privateJwk option over the key file', async () => {
    const keyFile = join(dir, 'jwt-key.json')
    const fromFile = await createTokenIssuer({ keyFile, issuer, audience })
    const jwk = await newPrivateJwk()
    const fromOption = await createTokenIssuer({ privateJwk: JSON.stringify(jwk), keyFile, issuer, audience })
    expect(fromOption.kid).not.toBe(fromFile.kid)
  })

  it('refuses keys that are not Ed25519 private JWKs, without quoting them', async () => {
    const jwk = await newPrivateJwk()
    const { d: _, ...publicOnly } = jwk
    const otherX = (await newPrivateJwk()).x
    const bad = ['not json', '{}', JSON.stringify(publicOnly), JSON.stringify({ ...jwk, crv: 'X25519' })]
    for (const privateJwk of [...bad, JSON.stringify({ ...jwk, x: otherX })]) {
      const error = await createTokenIssuer({ privateJwk, issuer, audience }).catch((e: Error) => e)
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).message).not.toContain(jwk.d)
    }
    const keyFile = join(dir, 'broken.json')
    await writeFile(keyFile, 'garbage')
    await expect(createTokenIssuer({ keyFile, issuer, audience })).rejects.toThrow(/not JSON/)
  })

  it('generates an in-memory key when given neither', async () => {
    const tokens = await createTokenIssuer({ issuer, audience, accessTokenTtlSeconds: 60 })
    const result = await tokens.verifyAccessToken(
      await tokens.signAccessToken({ userId: randomUUID(), role: 'researcher' }),
    )
    expect(result.ok).toBe(true)
  })
})
