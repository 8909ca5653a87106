import type { AuthTokens } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, type TestApp, testPassword } from './support/test-app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t?.close()
})

const register = (payload: Record<string, unknown>) =>
  t.request({ method: 'POST', url: '/api/auth/register', payload })
const login = (payload: Record<string, unknown>) =>
  t.request({ method: 'POST', url: '/api/auth/login', payload })
const refresh = (refreshToken: string) =>
  t.request({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } })

describe('register, login, me', () => {
  it('registers a member and returns the user with a token pair', async () => {
    const response = await register({
      email: 'Anna.Rossi@Example.org',
      password: testPassword,
      displayName: 'Anna',
    })
    expect(response.statusCode).toBe(201)
    const body = response.json() as AuthTokens
    expect(body.user).toMatchObject({
      email: 'Anna.Rossi@Example.org',
      displayName: 'Anna',
      role: 'member',
      locale: 'it',
    })
    expect(body.user).not.toHaveProperty('passwordHash')
    expect(body.accessToken.split('.')).toHaveLength(3)
    expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/)

    const me = await t.request({ method: 'GET', url: '/api/me', headers: bearer(body) })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toEqual(body.user)
  })

  it('refuses the same email in another case with 409', async () => {
    const response = await register({
      email: 'anna.rossi@example.ORG',
      password: testPassword,
      displayName: 'Anna 2',
    })
    expect(response.statusCode).toBe(409)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(response.json()).toMatchObject({ status: 409, code: 'email_taken' })
  })

  it('refuses weak passwords and malformed bodies with a 400 problem', async () => {
    const short = await register({ email: 'short@example.org', password: 'abc123', displayName: 'S' })
    expect(short.statusCode).toBe(400)
    expect(short.json()).toMatchObject({ code: 'weak_password' })
    const sameAsEmail = await register({
      email: 'same@example.org',
      password: 'same@example.org',
      displayName: 'S',
    })
    expect(sameAsEmail.json()).toMatchObject({ code: 'weak_password' })
    const badEmail = await register({ email: 'not-an-email', password: testPassword, displayName: 'S' })
    expect(badEmail.statusCode).toBe(400)
    expect(badEmail.json()).toMatchObject({ code: 'invalid_request' })
    const withRole = await register({
      email: 'r@example.org',
      password: testPassword,
      displayName: 'S',
      role: 'admin',
    })
    expect(withRole.statusCode).toBe(400)
    expect(withRole.json().errors[0].message).toContain('role')
    const users = await t.database.db.selectFrom('users').select('email').execute()
    expect(users.map((u) => u.email)).not.toContain('r@example.org')
  })

  it('logs in with the right password only, case-insensitively on the email', async () => {
    const good = await login({ email: 'ANNA.ROSSI@example.org', password: testPassword })
    expect(good.statusCode).toBe(200)
    expect(good.json().user.email).toBe('Anna.Rossi@Example.org')
    const wrong = await login({ email: 'anna.rossi@example.org', password: 'wrong password here' })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json()).toMatchObject({ code: 'invalid_credentials' })
    const unknown = await login({ email: 'nobody@example.org', password: testPassword })
    expect(unknown.statusCode).toBe(401)
    // The same answer whether or not the account exists.
    expect(unknown.json().detail).toBe(wrong.json().detail)
  })

  it('answers 401 to /api/me without a token or with a bad one', async () => {
    expect((await t.request({ method: 'GET', url: '/api/me' })).statusCode).toBe(401)
    const garbage = await t.request({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: 'Bearer abc.def.ghi' },
    })
    expect(garbage.statusCode).toBe(401)
    expect(garbage.json()).toMatchObject({ code: 'unauthorized' })
    const basic = await t.request({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
    })
    expect(basic.statusCode).toBe(401)
  })
})

describe('refresh token rotation', () => {
  it('rotates: a refresh gives a new pair and spends the old refresh token', async () => {
    const first = await t.signUp()
    const second = await refresh(first.refreshToken)
    expect(second.statusCode).toBe(200)
    const pair = second.json() as AuthTokens
    expect(pair.refreshToken).not.toBe(first.refreshToken)
    expect(pair.user.id).toBe(first.user.id)
    const me = await t.request({ method: 'GET', url: '/api/me', headers: bearer(pair) })
    expect(me.statusCode).toBe(200)
  })

  it('revokes the whole family when a spent refresh token is used again', async () => {
    const first = await t.signUp()
    const second = (await refresh(first.refreshToken)).json() as AuthTokens
    const reuse = await refresh(first.refreshToken)
    expect(reuse.statusCode).toBe(401)
    expect(reuse.json()).toMatchObject({ code: 'refresh_token_reused' })
    // The thief's reuse also signs out the legitimate holder of the newest token of that family.
    const newest = await refresh(second.refreshToken)
    expect(newest.statusCode).toBe(401)
    // Another login (a new family) still works.
    const other = await t.signUp()
    expect((await refresh(other.refreshToken)).statusCode).toBe(200)
  })

  it('refuses unknown and malformed refresh tokens', async () => {
    expect((await refresh('A'.repeat(43))).statusCode).toBe(401)
    expect((await refresh('not a token')).statusCode).toBe(401)
    const empty = await t.request({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: '' } })
    expect(empty.statusCode).toBe(400)
  })

  it('logout revokes the refresh token', async () => {
    const tokens = await t.signUp()
    const out = await t.request({
      method: 'POST',
      url: '/api/auth/logout',
      payload: { refreshToken: tokens.refreshToken },
    })
    expect(out.statusCode).toBe(204)
    expect((await refresh(tokens.refreshToken)).statusCode).toBe(401)
  })
})

describe('rate limiting', () => {
  it('limits auth requests per IP with a 429 problem', async () => {
    const limited = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) {
        const response = await limited.request({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'x@example.org', password: testPassword },
        })
        statuses.push(response.statusCode)
        if (response.statusCode === 429) {
          expect(response.headers['content-type']).toContain('application/problem+json')
          expect(response.json()).toMatchObject({ status: 429, code: 'rate_limited' })
        }
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429])
    } finally {
      await limited.close()
    }
  })
})

describe('password change', () => {
  const change = (tokens: AuthTokens, payload: Record<string, unknown>) =>
    t.request({ method: 'POST', url: '/api/me/password', headers: bearer(tokens), payload })

  it('needs the current password, and signs out every other session', async () => {
    const first = await t.signUp()
    const second = await login({ email: first.user.email, password: testPassword })
    expect(second.statusCode).toBe(200)

    const wrong = await change(first, {
      currentPassword: 'not my password at all',
      newPassword: 'a new long password',
    })
    expect(wrong.statusCode).toBe(403)
    expect(wrong.json()).toMatchObject({ code: 'invalid_credentials' })
    const weak = await change(first, { currentPassword: testPassword, newPassword: first.user.email })
    expect(weak.statusCode).toBe(400)
    expect(weak.json()).toMatchObject({ code: 'weak_password' })
    expect(await refresh(second.json().refreshToken).then((r) => r.statusCode)).toBe(200)

    const changed = await change(first, { currentPassword: testPassword, newPassword: 'a new long password' })
    expect(changed.statusCode, changed.body).toBe(200)
    // Every refresh token issued before the change is revoked; the pair answered by the change works.
    expect((await refresh(first.refreshToken)).statusCode).toBe(401)
    expect((await refresh(changed.json().refreshToken)).statusCode).toBe(200)
    expect((await login({ email: first.user.email, password: testPassword })).statusCode).toBe(401)
    expect((await login({ email: first.user.email, password: 'a new long password' })).statusCode).toBe(200)
  })

  it('needs a login', async () => {
    const response = await t.request({
      method: 'POST',
      url: '/api/me/password',
      payload: { currentPassword: testPassword, newPassword: 'a new long password' },
    })
    expect(response.statusCode).toBe(401)
  })
})

describe('failed logins per account', () => {
  it('refuses an account after too many failures from anywhere, even with the right password', async () => {
    const guarded = await createTestApp({ LOGIN_FAILURES_PER_ACCOUNT_MAX: '3' })
    try {
      const member = await guarded.signUp()
      const attempt = (password: string) =>
        guarded.request({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: member.user.email.toUpperCase(), password },
        })
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((await attempt('a wrong password guess')).statusCode)
      expect(statuses).toEqual([401, 401, 401])
      const refused = await attempt(testPassword)
      expect(refused.statusCode).toBe(429)
      expect(refused.json()).toMatchObject({ code: 'too_many_attempts' })
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
      // Another account is not affected.
      const other = await guarded.signUp()
      expect(
        (
          await guarded.request({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email: other.user.email, password: testPassword },
          })
        ).statusCode,
      ).toBe(200)
    } finally {
      await guarded.close()
    }
  })
})
