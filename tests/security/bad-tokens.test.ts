import { createPublicKey } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type App, buildApp } from '@quartiere/api'
import { loadConfig } from '@quartiere/api/config'
import { createTokenIssuer, type TokenIssuer } from '@quartiere/auth'
import { type AuthTokens, realtimeTokenLengthMax } from '@quartiere/contracts'
import type { Database } from '@quartiere/db'
import { base64url, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedWithin, connectFeed, helloFeed } from '../realtime/ws-client'
import { bearer, testPassword, testPasswordLog2N } from '../support/test-app'
import { openTestDatabase } from '../support/test-database'
import { permissiveEnv } from './world'

/**
 * Every kind of bad access token, on an HTTP route and on the websocket's hello. The API is built here with a
 * signing key the test knows, so that tokens signed with the right key but wrong claims can be made: those
 * prove the claim checks, not merely the signature check.
 */

let database: Database
let app: App
let issuer: TokenIssuer
let privateJwk: JWK
let member: AuthTokens
let wsUrl: string
const issuerName = 'quartiere'
const audienceName = 'quartiere-api'

const now = () => Math.floor(Date.now() / 1000)

beforeAll(async () => {
  database = await openTestDatabase()
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  privateJwk = await exportJWK(privateKey)
  const config = {
    ...loadConfig({ DATA_DIR: '/nonexistent-test-data-dir', ...permissiveEnv }),
    passwordLog2N: testPasswordLog2N,
    seedDemo: false,
    authRateLimitPerMinute: 100_000,
    jwtIssuer: issuerName,
    jwtAudience: audienceName,
  }
  issuer = await createTokenIssuer({
    privateJwk: JSON.stringify(privateJwk),
    issuer: issuerName,
    audience: audienceName,
  })
  app = await buildApp({ config, database, tokens: issuer })
  const registered = await app.fastify.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: { email: `tokens.${Date.now()}@example.org`, password: testPassword, displayName: 'Tina' },
  })
  member = registered.json() as AuthTokens
  await app.fastify.listen({ port: 0, host: '127.0.0.1' })
  const address = app.fastify.server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  wsUrl = `ws://127.0.0.1:${address.port}/ws`
})

afterAll(async () => {
  await app?.close()
  await database?.close()
})

function validClaims(overrides: Record<string, unknown> = {}) {
  return {
    sub: member.user.id,
    role: 'member',
    iat: now(),
    nbf: now(),
    exp: now() + 600,
    iss: issuerName,
    aud: audienceName,
    ...overrides,
  }
}

/** Signed with the API's own key: only the claims or header named make it wrong. */
async function signed(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const key = await importJWK(privateJwk, 'EdDSA')
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: issuer.kid, typ: 'at+jwt', ...header })
    .sign(key)
}

function handmade(header: object, payload: object, signature = '') {
  const encode = (value: object) => base64url.encode(JSON.stringify(value))
  return `${encode(header)}.${encode(payload)}.${signature}`
}

async function badTokens(): Promise<[string, string][]> {
  const { exp: _exp, ...withoutExp } = validClaims()
  const { sub: _sub, ...withoutSub } = validClaims()
  const good = await issuer.signAccessToken({ userId: member.user.id, role: 'member' })
  const [head, body, signature] = good.split('.') as [string, string, string]
  const payload = JSON.parse(new TextDecoder().decode(base64url.decode(body)))
  const tampered = `${head}.${base64url.encode(JSON.stringify({ ...payload, role: 'admin' }))}.${signature}`
  // The public key as an HMAC secret, as a library that trusts the header's alg would use it.
  const publicPem = createPublicKey({ key: privateJwk as never, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  }) as string
  const hs256 = await new SignJWT(validClaims())
    .setProtectedHeader({ alg: 'HS256', kid: issuer.kid, typ: 'at+jwt' })
    .sign(new TextEncoder().encode(publicPem))
  const hs256WithX = await new SignJWT(validClaims())
    .setProtectedHeader({ alg: 'HS256', kid: issuer.kid, typ: 'at+jwt' })
    .sign(base64url.decode(privateJwk.x!))
  const { privateKey: otherKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
  const otherKeyOurKid = await new SignJWT(validClaims())
    .setProtectedHeader({ alg: 'EdDSA', kid: issuer.kid, typ: 'at+jwt' })
    .sign(otherKey)
  return [
    ['alg none', handmade({ alg: 'none', kid: issuer.kid, typ: 'at+jwt' }, validClaims())],
    ['alg none, with a dot signature', `${handmade({ alg: 'none', typ: 'at+jwt' }, validClaims())}.`],
    ['HS256 signed with the public key (PEM) as the secret', hs256],
    ['HS256 signed with the public key (raw) as the secret', hs256WithX],
    ['expired', await signed(validClaims({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }))],
    ['nbf in the future', await signed(validClaims({ nbf: now() + 3600 }))],
    ['wrong issuer', await signed(validClaims({ iss: 'https://evil.example' }))],
    ['wrong audience', await signed(validClaims({ aud: 'another-api' }))],
    ['missing exp', await signed(withoutExp)],
    ['missing sub', await signed(withoutSub)],
    ['a role that is not ours', await signed(validClaims({ role: 'superuser' }))],
    ['another typ (an id token)', await signed(validClaims(), { typ: 'JWT' })],
    ['tampered payload (role: admin)', tampered],
    ['unknown kid', await signed(validClaims(), { kid: 'not-our-key' })],
    ['no kid', await signed(validClaims(), { kid: undefined })],
    ['another key claiming our kid', otherKeyOurKid],
    ['oversized (20 KB)', await signed(validClaims({ pad: 'x'.repeat(20_000) }))],
    ['garbage', 'garbage'],
    ['three empty parts', '..'],
    ['base64 of nothing JSON', 'eyJ.eyJ.eyJ'],
    ['a header that is JSON null', `${base64url.encode('null')}.${body}.${signature}`],
    ['a refresh token', member.refreshToken],
  ]
}

describe('bad access tokens over HTTP', () => {
  it('answers every one 401 with a problem body, on a route that needs a login and on a public one', async () => {
    const failures: string[] = []
    for (const [name, token] of await badTokens()) {
      for (const url of ['/api/me', '/api/entities?bbox=7.6,45.0,7.7,45.1', '/api/ledger/accounts']) {
        const response = await app.fastify.inject({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${token}` },
        })
        const type = String(response.headers['content-type'])
        const body = type.startsWith('application/problem+json') ? response.json() : undefined
        if (response.statusCode !== 401 || body?.code !== 'unauthorized' || body?.status !== 401)
          failures.push(`${name} on ${url}: ${response.statusCode} ${response.body.slice(0, 200)}`)
        else if (response.headers['www-authenticate'] !== 'Bearer')
          failures.push(`${name} on ${url}: no WWW-Authenticate`)
        else if (/at |node_modules|\.ts:|JWS|JWT|jose/i.test(body.detail))
          failures.push(`${name} on ${url}: the detail says too much: ${body.detail}`)
      }
    }
    expect(failures).toEqual([])
    // And the good one passes, so the refusals above are about the tokens.
    const me = await app.fastify.inject({ method: 'GET', url: '/api/me', headers: bearer(member) })
    expect(me.statusCode, me.body).toBe(200)
    const own = await app.fastify.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${await signed(validClaims())}` },
    })
    expect(own.statusCode, own.body).toBe(200)
  })

  it('refuses malformed Authorization headers with 401 too', async () => {
    for (const header of [
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'bearer x y',
      `Bearer ${'a'.repeat(9000)}`,
    ]) {
      const response = await app.fastify.inject({
        method: 'GET',
        url: '/api/me',
        headers: { authorization: header },
      })
      expect(response.statusCode, `${header.slice(0, 30)}: ${response.body}`).toBe(401)
      expect(response.json()).toMatchObject({ status: 401, code: 'unauthorized' })
    }
  })
})

describe('bad access tokens on the websocket', () => {
  it('closes with 4001 after an unauthorized error for every one, and the server carries on', async () => {
    const failures: string[] = []
    for (const [name, token] of await badTokens()) {
      const client = await connectFeed(wsUrl)
      client.send({ type: 'hello', token })
      if (token.length > 16_000) {
        // A hello larger than a frame may be (16 KiB) is cut with 1009 before its token is read.
        const closed = await closedWithin(client)
        if (closed.code !== 1009) failures.push(`${name}: closed with ${closed.code} ${closed.reason}`)
      } else if (token.length > realtimeTokenLengthMax) {
        // Longer than hello allows: an invalid message, answered as such; the socket is still not signed in.
        const error = await client.next((m) => m.type === 'error')
        if ((error as { code?: string }).code !== 'invalid_message')
          failures.push(`${name}: ${JSON.stringify(error)}`)
        await client.close()
      } else {
        const closed = await closedWithin(client)
        if (closed.code !== 4001) failures.push(`${name}: closed with ${closed.code} ${closed.reason}`)
        const error = client.messages.find((m) => m.type === 'error')
        if ((error as { code?: string } | undefined)?.code !== 'unauthorized')
          failures.push(`${name}: ${JSON.stringify(client.messages)}`)
      }
      if (client.messages.some((m) => m.type === 'welcome')) failures.push(`${name}: welcomed`)
    }
    expect(failures).toEqual([])
    // The server carries on: a good token is welcomed.
    const fine = await connectFeed(wsUrl)
    expect((await helloFeed(fine, { token: member.accessToken })).userId).toBe(member.user.id)
    await fine.close()
  })
})

describe('jwtVerify', () => {
  it('is always given an algorithms allow-list', async () => {
    const sources: string[] = []
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.name === 'node_modules' || entry.name === 'dist') continue
        const path = join(dir, entry.name)
        if (entry.isDirectory()) await walk(path)
        else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) sources.push(path)
      }
    }
    const root = fileURLToPath(new URL('../..', import.meta.url))
    for (const top of ['packages', 'apps']) await walk(join(root, top))
    const calls: string[] = []
    for (const path of sources) {
      const text = await readFile(path, 'utf8')
      for (let at = text.indexOf('jwtVerify('); at >= 0; at = text.indexOf('jwtVerify(', at + 1)) {
        // The call's text, to its closing parenthesis.
        let depth = 0
        let end = at + 'jwtVerify'.length
        for (; end < text.length; end += 1) {
          if (text[end] === '(') depth += 1
          else if (text[end] === ')' && --depth === 0) break
        }
        const call = text.slice(at, end + 1)
        calls.push(path)
        expect(call, `${path}: jwtVerify without algorithms`).toMatch(/algorithms:\s*\[/)
      }
    }
    expect(calls.length).toBeGreaterThan(0)
  })
})
