import type { AuthTokens } from '@quartiere/contracts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectBooksBalance, pay } from '../support/ledger'
import { nextMailTo, type ReadMail } from '../support/smtp-server'
import {
  bearer,
  confirmEmailThroughLink,
  createTestApp,
  type TestApp,
  testPassword,
} from '../support/test-app'

/**
 * Issue #21, "Email": password recovery by an emailed single-use link, and addresses confirmed by one. Every
 * message is read back from the real SMTP server the app sends to, and its link followed as a person would.
 */

let t: TestApp
let registered = 0
const publicUrl = 'https://quartiere.example'

beforeAll(async () => {
  t = await createTestApp({ UNVERIFIED_TRANSFER_MAX: '5', PUBLIC_URL: publicUrl })
})
afterAll(async () => {
  await t?.close()
})

const newPassword = 'a brand new passphrase 42'

/** Registers through the API, leaving the address unconfirmed; answers the tokens and the address. */
async function register(locale?: 'it' | 'en') {
  registered += 1
  const email = `links${registered}.${process.pid}@example.org`
  const response = await t.request({
    method: 'POST',
    url: '/api/auth/register',
    payload: {
      email,
      password: testPassword,
      displayName: `Links ${registered}`,
      ...(locale ? { locale } : {}),
    },
  })
  expect(response.statusCode, response.body).toBe(201)
  return { email, tokens: response.json() as AuthTokens }
}

const askReset = (email: string, remoteAddress?: string) =>
  t.request({
    method: 'POST',
    url: '/api/auth/password-reset',
    payload: { email },
    ...(remoteAddress ? { remoteAddress } : {}),
  })

const confirmReset = (token: string, password: string) =>
  t.request({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password } })

const login = (email: string, password: string) =>
  t.request({ method: 'POST', url: '/api/auth/login', payload: { email, password } })

function tokenOf(message: ReadMail, path: string): string {
  const link = message.links.find((address) => new URL(address).pathname === path)
  expect(link, message.text).toBeDefined()
  return new URL(link!).searchParams.get('token') ?? ''
}

const mailsTo = (address: string) => t.mail.received.filter((message) => message.to.includes(address)).length

describe('password recovery', () => {
  it('answers 202 for a known and an unknown address alike, and writes only to the known one', async () => {
    const { email } = await register('en')
    // The registration's confirmation is message #1.
    await nextMailTo(t.mail, email)
    const unknown = `nobody.${process.pid}@example.org`
    const forUnknown = await askReset(unknown)
    const forKnown = await askReset(email)
    expect(forUnknown.statusCode, forUnknown.body).toBe(202)
    expect(forKnown.statusCode).toBe(202)
    expect(forUnknown.body).toBe(forKnown.body)
    const message = await nextMailTo(t.mail, email, { seen: 1 })
    expect(message.subject).toBe('Reset your Quartiere password')
    // The link points at the web page, from the configured origin (PUBLIC_URL or the server's own address).
    const link = message.links.find((address) => address.includes('/reset-password?token='))
    expect(link).toBeDefined()
    expect(link!.startsWith(`${publicUrl}/reset-password?token=`)).toBe(true)
    expect(mailsTo(unknown)).toBe(0)
  })

  it('writes in the member’s language', async () => {
    const { email } = await register('it')
    await askReset(email)
    const message = await nextMailTo(t.mail, email, { seen: 1 })
    expect(message.subject).toBe('Reimposta la password di Quartiere')
    expect(message.text).toContain('Ciao')
  })

  it('sets the new password once, signs out every session, and the link then is spent', async () => {
    const { email, tokens } = await register()
    await askReset(email)
    const token = tokenOf(await nextMailTo(t.mail, email, { seen: 1 }), '/reset-password')

    // A password the rules refuse leaves the link usable.
    const weak = await confirmReset(token, 'short')
    expect(weak.statusCode).toBe(400)
    expect(weak.json().code).toBe('weak_password')

    expect((await confirmReset(token, newPassword)).statusCode).toBe(204)
    expect((await login(email, testPassword)).statusCode).toBe(401)
    expect((await login(email, newPassword)).statusCode).toBe(200)
    // The refresh token of the session from before the reset is revoked.
    const refresh = await t.request({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: tokens.refreshToken },
    })
    expect(refresh.statusCode).toBe(401)

    const again = await confirmReset(token, 'yet another passphrase 7')
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('email_link_used')
    expect((await login(email, newPassword)).statusCode).toBe(200)
  })

  it('keeps earlier links working until one is used, which spends them all', async () => {
    const { email } = await register()
    await askReset(email)
    await askReset(email)
    const first = tokenOf(await nextMailTo(t.mail, email, { seen: 1 }), '/reset-password')
    const second = tokenOf(await nextMailTo(t.mail, email, { seen: 2 }), '/reset-password')
    expect(first).not.toBe(second)
    expect((await confirmReset(second, newPassword)).statusCode).toBe(204)
    const older = await confirmReset(first, 'yet another passphrase 7')
    expect(older.statusCode).toBe(409)
    expect(older.json().code).toBe('email_link_used')
  })

  it('refuses an expired link and an unknown one, changing nothing', async () => {
    const { email } = await register()
    await askReset(email)
    const token = tokenOf(await nextMailTo(t.mail, email, { seen: 1 }), '/reset-password')
    await sql`UPDATE email_tokens SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'
               WHERE email = ${email} AND purpose = 'password_reset'`.execute(t.database.db)
    const expired = await confirmReset(token, newPassword)
    expect(expired.statusCode).toBe(410)
    expect(expired.json().code).toBe('email_link_expired')
    expect(expired.headers['content-type']).toContain('application/problem+json')

    for (const bad of ['A'.repeat(43), 'not a token', `${token}x`]) {
      const unknown = await confirmReset(bad, newPassword)
      expect(unknown.statusCode, bad).toBe(400)
      expect(unknown.json().code).toBe('email_link_unknown')
    }
    // A confirmation link is no reset link.
    const { email: other } = await register()
    const confirmation = tokenOf(await nextMailTo(t.mail, other), '/verify-email')
    expect((await confirmReset(confirmation, newPassword)).json().code).toBe('email_link_unknown')
    expect((await login(email, testPassword)).statusCode).toBe(200)
    expect((await login(other, testPassword)).statusCode).toBe(200)
  })

  it('confirms the address it was sent to', async () => {
    const { email, tokens } = await register()
    await askReset(email)
    const token = tokenOf(await nextMailTo(t.mail, email, { seen: 1 }), '/reset-password')
    expect((await confirmReset(token, newPassword)).statusCode).toBe(204)
    const me = await t.request({ method: 'GET', url: '/api/me', headers: bearer(tokens) })
    expect(me.json().emailVerifiedAt).toEqual(expect.any(String))
  })

  it('limits requests per address, known or not', async () => {
    const { email } = await register()
    const unknown = `limited.${process.pid}@example.org`
    // The default: 3 an hour per address.
    for (let i = 0; i < 3; i++) {
      expect((await askReset(email, '198.51.100.1')).statusCode).toBe(202)
      expect((await askReset(unknown, '198.51.100.2')).statusCode).toBe(202)
    }
    // From another IP too: the address is what is counted. Case does not make another address.
    const known = await askReset(email.toUpperCase(), '198.51.100.3')
    expect(known.statusCode).toBe(429)
    expect(known.json().code).toBe('rate_limited')
    expect(known.headers['retry-after']).toBeDefined()
    expect((await askReset(unknown, '198.51.100.3')).statusCode).toBe(429)
    // The registration's message and three links; the refused fourth request sent nothing.
    await nextMailTo(t.mail, email, { seen: 3 })
    expect(mailsTo(email)).toBe(1 + 3)
  })

  it('limits requests per IP, whatever the address', async () => {
    const limited = await t.sibling({ PASSWORD_RESETS_PER_IP_PER_HOUR: '2' })
    const ask = (n: number) =>
      limited.request({
        method: 'POST',
        url: '/api/auth/password-reset',
        payload: { email: `ip${n}.${process.pid}@example.org` },
        remoteAddress: '203.0.113.9',
      })
    expect((await ask(1)).statusCode).toBe(202)
    expect((await ask(2)).statusCode).toBe(202)
    const third = await ask(3)
    expect(third.statusCode).toBe(429)
    expect(third.headers['content-type']).toContain('application/problem+json')
  })

  it('answers the same when the mail server refuses the message (the failure is only logged)', async () => {
    // The test SMTP server refuses gone@… permanently: registration and reset still answer as always.
    const email = `gone.${process.pid}@example.org`
    const registeredGone = await t.request({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email, password: testPassword, displayName: 'Gone' },
    })
    expect(registeredGone.statusCode).toBe(201)
    expect((await askReset(email)).statusCode).toBe(202)
    expect((await t.request({ method: 'GET', url: '/health' })).statusCode).toBe(200)
  })

  it('refuses bad requests with a problem', async () => {
    for (const payload of [{}, { email: 'not an address' }, { email: 'a@example.org', extra: 1 }]) {
      const response = await t.request({ method: 'POST', url: '/api/auth/password-reset', payload })
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
    }
    const noToken = await t.request({
      method: 'POST',
      url: '/api/auth/password-reset/confirm',
      payload: { password: newPassword },
    })
    expect(noToken.statusCode).toBe(400)
  })
})

describe('verified email addresses', () => {
  it('sends a confirmation link at registration, which confirms the address once', async () => {
    const { email, tokens } = await register('en')
    expect(tokens.user.emailVerifiedAt).toBeNull()
    const me = () => t.request({ method: 'GET', url: '/api/me', headers: bearer(tokens) })
    expect((await me()).json().emailVerifiedAt).toBeNull()
    const message = await nextMailTo(t.mail, email)
    expect(message.subject).toBe('Confirm your email address for Quartiere')
    const token = tokenOf(message, '/verify-email')
    const confirmed = await t.request({ method: 'POST', url: '/api/auth/verify-email', payload: { token } })
    expect(confirmed.statusCode, confirmed.body).toBe(200)
    expect((await me()).json().emailVerifiedAt).toBe(confirmed.json().emailVerifiedAt)
    const again = await t.request({ method: 'POST', url: '/api/auth/verify-email', payload: { token } })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('email_link_used')
    // Logging in says so too.
    expect((await login(email, testPassword)).json().user.emailVerifiedAt).toEqual(expect.any(String))
  })

  it('refuses an expired confirmation link', async () => {
    const { email, tokens } = await register()
    const token = tokenOf(await nextMailTo(t.mail, email), '/verify-email')
    await sql`UPDATE email_tokens SET created_at = now() - interval '9 days', expires_at = now() - interval '1 day'
               WHERE email = ${email}`.execute(t.database.db)
    const expired = await t.request({ method: 'POST', url: '/api/auth/verify-email', payload: { token } })
    expect(expired.statusCode).toBe(410)
    expect(expired.json().code).toBe('email_link_expired')
    const me = await t.request({ method: 'GET', url: '/api/me', headers: bearer(tokens) })
    expect(me.json().emailVerifiedAt).toBeNull()
  })

  it('sends a new link on request, a few times an hour, and not once confirmed', async () => {
    const { email, tokens } = await register()
    const resend = (who: AuthTokens | null) =>
      t.request({
        method: 'POST',
        url: '/api/me/email-verification',
        headers: who ? bearer(who) : {},
      })
    expect((await resend(null)).statusCode).toBe(401)
    for (let i = 0; i < 3; i++) expect((await resend(tokens)).statusCode).toBe(202)
    const over = await resend(tokens)
    expect(over.statusCode).toBe(429)
    // The newest link works (message #4: the registration's, then three).
    await confirmEmailThroughLink(t, email, 3)
    const member = await t.signUp()
    const confirmedAlready = await resend(member)
    expect(confirmedAlready.statusCode).toBe(409)
    expect(confirmedAlready.json().code).toBe('email_already_verified')
  })

  it('caps what an unconfirmed member pays and is paid, until the address is confirmed', async () => {
    const verified = await t.signUp()
    const { email, tokens: unverified } = await register()
    const cap = (response: { statusCode: number; json(): { code: string } }) => {
      expect(response.statusCode).toBe(422)
      expect(response.json().code).toBe('exceeds_unverified_transfer_max')
    }
    // Paying: up to the cap, not above it.
    cap(await pay(t, unverified, { to: { userId: verified.user.id }, amount: '5.01' }))
    cap(
      await pay(t, unverified, {
        to: { userId: verified.user.id },
        amount: '5.01',
        pending: true,
        timeoutSeconds: 60,
      }),
    )
    expect((await pay(t, unverified, { to: { userId: verified.user.id }, amount: '5.00' })).statusCode).toBe(
      201,
    )
    // Being paid by another member.
    cap(await pay(t, verified, { to: { userId: unverified.user.id }, amount: '5.01' }))
    expect((await pay(t, verified, { to: { userId: unverified.user.id }, amount: '1.00' })).statusCode).toBe(
      201,
    )

    await confirmEmailThroughLink(t, email)
    expect((await pay(t, unverified, { to: { userId: verified.user.id }, amount: '6.00' })).statusCode).toBe(
      201,
    )
    expect((await pay(t, verified, { to: { userId: unverified.user.id }, amount: '7.00' })).statusCode).toBe(
      201,
    )
    await expectBooksBalance(t.database)
  })
})

describe('personal data', () => {
  it('the export lists the links sent, without their tokens, and erasure deletes them', async () => {
    const { email, tokens } = await register()
    await askReset(email)
    await nextMailTo(t.mail, email, { seen: 1 })
    const exported = await t.request({ method: 'GET', url: '/api/me/export', headers: bearer(tokens) })
    expect(exported.statusCode, exported.body).toBe(200)
    const document = exported.json()
    expect(document.profile.emailVerifiedAt).toBeNull()
    expect(document.emailLinks.map((link: { purpose: string }) => link.purpose).sort()).toEqual([
      'email_verification',
      'password_reset',
    ])
    expect(JSON.stringify(document.emailLinks)).not.toMatch(/token/i)

    const erased = await t.request({
      method: 'DELETE',
      url: '/api/me',
      headers: bearer(tokens),
      payload: { password: testPassword },
    })
    expect(erased.statusCode, erased.body).toBeLessThan(300)
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM email_tokens
                                            WHERE user_id = ${tokens.user.id}::uuid OR email = ${email}`.execute(
      t.database.db,
    )
    expect(left.rows[0]!.n).toBe(0)
    // And a reset asked for the erased address sends nothing.
    expect((await askReset(email)).statusCode).toBe(202)
  })
})
