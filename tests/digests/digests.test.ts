import type { AuthTokens, EmailPreferences, EntityFeature, PersonalDataExport } from '@quartiere/contracts'
import { digestClaimTimeoutMs, duePeriods, unsubscribeTokenOf } from '@quartiere/digests'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { community } from '../community/helpers'
import { validEntityByKind } from '../support/fixtures'
import { carriesHeader, nextMailTo, type ReceivedMail, readMail } from '../support/smtp-server'
import { bearer, createTestApp, type TestApp, testPassword } from '../support/test-app'

// Email digests end to end: the job's passes (as the app's interval runs them, at a "now" the test chooses),
// what arrives over real SMTP, the one-click unsubscribe, and addresses that keep bouncing. Digests are due from
// hour 0 of Monday (Europe/Rome), so the week's is due whatever the day the test runs.

const origin = 'https://quartiere.example'
let t: TestApp
let c: ReturnType<typeof community>
let author: AuthTokens
/** A thing with a title that must not become markup. */
let thing: EntityFeature
const title = `Orto <b>&amp; "giardino"</b> ${Date.now()}`
const day = 24 * 60 * 60 * 1000
const env = { DIGEST_HOUR: '0', DIGEST_WEEKDAY: '1', PUBLIC_URL: origin }

beforeAll(async () => {
  // The author posts news for every test: the posting budget of new accounts is not what is tested here.
  t = await createTestApp({ ...env, NEW_ACCOUNT_POSTS_PER_HOUR: '1000', POSTS_PER_HOUR: '1000' })
  c = community(t)
  author = await t.signUp()
  thing = await c.entity(author, { ...validEntityByKind.space, title })
})
afterAll(async () => {
  await t?.close()
})

/** A digest, as opposed to the other mail members get (the confirmation link at sign-up): it can be unsubscribed. */
const isDigest = carriesHeader('List-Unsubscribe-Post')

function digests(): ReceivedMail[] {
  return t.mail.received.filter(isDigest)
}

/** The next digest to `address` (after the `seen` first). */
function nextDigestTo(address: string, options: { seen?: number } = {}) {
  return nextMailTo(t.mail, address, { ...options, matching: isDigest })
}

/** A header field of the first digest to `address`, unfolded, as the receiving server got it. */
function rawHeader(address: string, name: string): string {
  const message = digests().find((item) => item.to.includes(address))
  const head = (message?.raw ?? '').split(/\r?\n\r?\n/)[0]?.replace(/\r?\n[ \t]+/g, ' ') ?? ''
  const line = head.split(/\r?\n/).find((field) => field.toLowerCase().startsWith(`${name.toLowerCase()}:`))
  return line ? line.slice(name.length + 1).trim() : ''
}

/** How many digests `address` received. */
function received(address: string) {
  return digests().filter((message) => message.to.includes(address)).length
}

/** A member who follows the thing, and a post on it by its author: one notification and some activity. */
async function follower(options: { unverified?: boolean } = {}): Promise<AuthTokens> {
  const member = await t.signUp(options)
  await c.ok('PUT', `/api/entities/${thing.id}/subscription`, member, undefined, 201)
  return member
}

async function news(body = 'novità nel quartiere') {
  await c.ok('POST', `/api/entities/${thing.id}/posts`, author, { body })
}

async function preferences(member: AuthTokens): Promise<EmailPreferences> {
  return c.ok<EmailPreferences>('GET', '/api/me/email-preferences', member)
}

async function deliveries(userId: string) {
  const result = await sql<{ period: string; state: string }>`
    SELECT period, state FROM digest_deliveries WHERE user_id = ${userId}::uuid ORDER BY period`.execute(
    t.database.db,
  )
  return result.rows
}

describe('the digest', () => {
  let reader: AuthTokens
  let token = ''

  it('reaches a member with news once, as text and HTML, with the one-click unsubscribe headers', async () => {
    reader = await follower()
    await news('Raccolta delle zucche sabato')
    const now = new Date(Date.now() + 1000)
    await t.app.runDigestPass(now)
    const mail = await nextDigestTo(reader.user.email)
    expect(mail.subject).toMatch(/Quartiere/)
    // The member's language (Italian unless they chose otherwise), their name, the thing, its activity.
    expect(mail.text).toContain(reader.user.displayName)
    expect(mail.text).toContain(title)
    expect(mail.text).toMatch(/1 nuovo post/)
    expect(mail.text).toContain(`${origin}/account`)
    expect(mail.text).toContain(`${origin}/?sel=${thing.id}`)
    // Everything from the database is escaped in the HTML part: the title's markup is text there.
    expect(mail.html).toContain('Orto &lt;b&gt;&amp;amp; &quot;giardino&quot;&lt;/b&gt;')
    expect(mail.html).not.toContain('<b>&amp;')
    const unsubscribe = rawHeader(reader.user.email, 'List-Unsubscribe')
    expect(unsubscribe).toMatch(new RegExp(`^<${origin}/unsubscribe\\?id=[0-9a-f]{62}>$`))
    expect(rawHeader(reader.user.email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click')
    token = new URL(unsubscribe.slice(1, -1)).searchParams.get('id') ?? ''

    // The same pass again, at the same moment or later in the period: nothing more.
    await t.app.runDigestPass(now)
    await t.app.runDigestPass(new Date(now.getTime() + 60_000))
    expect(received(reader.user.email)).toBe(1)
    const periods = duePeriods(now, { hour: 0, weekday: 1 }).map((period) => period.key)
    expect(await deliveries(reader.user.id)).toEqual([
      { period: periods.find((key) => key.startsWith('weekly:')), state: 'sent' },
    ])
  })

  it('speaks English to a member who chose it', async () => {
    const member = await follower()
    await c.ok('PATCH', '/api/me', member, { locale: 'en' })
    await news()
    await t.app.runDigestPass(new Date(Date.now() + 1000))
    const mail = await nextDigestTo(member.user.email)
    expect(mail.text).toMatch(/1 new post/)
    expect(mail.html).toContain('lang="en"')
  })

  it('is not sent to a member who chose none, nor when there is nothing new, nor to an unconfirmed address', async () => {
    const unconfirmed = await follower({ unverified: true })
    const none = await follower()
    const patched = await c.ok<EmailPreferences>('PATCH', '/api/me/email-preferences', none, {
      digestFrequency: 'none',
    })
    expect(patched.digestFrequency).toBe('none')
    const quiet = await t.signUp()
    await news()
    const now = new Date(Date.now() + 1000)
    await t.app.runDigestPass(now)
    // A member with news, in the same pass, does get theirs: the pass did run.
    const witness = await follower()
    await news()
    await t.app.runDigestPass(new Date(now.getTime() + 1000))
    await nextDigestTo(witness.user.email)
    expect(received(none.user.email)).toBe(0)
    expect(received(quiet.user.email)).toBe(0)
    // Recurring mail goes only to an address its member showed they read (someone else's, typed at sign-up,
    // gets nothing but the one confirmation link).
    expect(received(unconfirmed.user.email)).toBe(0)
    expect(await deliveries(unconfirmed.user.id)).toEqual([])
    expect(await deliveries(none.user.id)).toEqual([])
    expect((await deliveries(quiet.user.id)).map((row) => row.state)).toEqual(['empty'])
  })

  it('refuses a bad preference and a bad unsubscribe token clearly, changing nothing', async () => {
    const bad = await c.call('PATCH', '/api/me/email-preferences', reader, { digestFrequency: 'hourly' })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/)
    const unknown = await t.request({
      method: 'POST',
      url: `/unsubscribe?id=${'a'.repeat(62)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(unknown.json()).toMatchObject({ code: 'unsubscribe_link_invalid' })
    const malformed = await t.request({ method: 'POST', url: '/unsubscribe?id=short' })
    expect(malformed.statusCode).toBe(400)
    expect((await preferences(reader)).digestFrequency).toBe('weekly')
  })

  it('unsubscribes with one POST of the link, without signing in (RFC 8058)', async () => {
    expect(token).toHaveLength(62)
    const response = await t.request({
      method: 'POST',
      url: `/unsubscribe?id=${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({ digestFrequency: 'none' })
    expect((await preferences(reader)).digestFrequency).toBe('none')
    // Twice is fine; a multipart body too.
    const again = await t.request({
      method: 'POST',
      url: `/unsubscribe?id=${token}`,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    })
    expect(again.statusCode, again.body).toBe(200)
  })
})

describe('the job across instances and restarts', () => {
  it('sends exactly one message per member and period when instances run passes at once', async () => {
    const members = await Promise.all(Array.from({ length: 6 }, () => follower()))
    await news('tutti insieme')
    const sibling = await t.sibling(env)
    const now = new Date(Date.now() + 1000)
    await Promise.all([
      t.app.runDigestPass(now),
      sibling.app.runDigestPass(now),
      sibling.app.runDigestPass(now),
      t.app.runDigestPass(now),
    ])
    for (const member of members) await nextDigestTo(member.user.email)
    for (const member of members) expect(received(member.user.email)).toBe(1)
  })

  it('does not send again after a restart, even a digest an instance claimed and died with', async () => {
    const done = await follower()
    const claimed = await follower()
    await news()
    const now = new Date(Date.now() + 1000)
    const week = duePeriods(now, { hour: 0, weekday: 1 }).find((period) => period.kind === 'weekly')!.key
    // An instance claimed this member's digest and died before recording what became of it.
    await sql`INSERT INTO digest_deliveries (user_id, period, state, attempts, claimed_at)
              VALUES (${claimed.user.id}::uuid, ${week}, 'sending', 1, ${now}::timestamptz)`.execute(
      t.database.db,
    )
    const first = await t.sibling(env)
    await first.app.runDigestPass(now)
    await nextDigestTo(done.user.email)
    await first.app.close()

    // A new instance on the same database, then later in the week, past the claim's timeout.
    const restarted = await t.sibling(env)
    await restarted.app.runDigestPass(now)
    const later = new Date(now.getTime() + digestClaimTimeoutMs + 60_000)
    const report = await restarted.app.runDigestPass(later)
    expect(report.abandoned).toBeGreaterThanOrEqual(1)
    expect(received(done.user.email)).toBe(1)
    // At most once: the claimed digest is given up, not sent twice.
    expect(received(claimed.user.email)).toBe(0)
    expect(await deliveries(claimed.user.id)).toEqual([{ period: week, state: 'abandoned' }])
  })
})

describe('bounces', () => {
  async function register(email: string): Promise<AuthTokens> {
    const response = await t.request({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email, password: testPassword, displayName: `Bounce ${email}` },
    })
    expect(response.statusCode, response.body).toBe(201)
    const member = response.json() as AuthTokens
    // Precondition: the address was confirmed once (digests go only to confirmed addresses), and its mailbox
    // closed since; the refusals of the confirmation link itself are not what is tested here.
    await sql`UPDATE users SET email_verified_at = now() WHERE id = ${member.user.id}::uuid`.execute(
      t.database.db,
    )
    return member
  }

  it('stops mail to an address refused permanently 3 times in a row, says so, and resumes when asked', async () => {
    const gone = await register(`gone@${Date.now()}.example.org`)
    await c.ok('PATCH', '/api/me/email-preferences', gone, { digestFrequency: 'daily' })
    await c.ok('PUT', `/api/entities/${thing.id}/subscription`, gone, undefined, 201)
    const start = Date.now() + 1000
    for (let pass = 0; pass < 3; pass++) {
      expect((await preferences(gone)).delivery.state).toBe('active')
      await news(`giorno ${pass}`)
      // The pass runs days ahead of the clock: the member's news is dated within that day's window.
      const now = new Date(start + pass * day)
      await sql`UPDATE notifications SET created_at = ${new Date(now.getTime() - 60_000)}::timestamptz
                 WHERE user_id = ${gone.user.id}::uuid AND read_at IS NULL`.execute(t.database.db)
      await t.app.runDigestPass(now)
    }
    const suspended = await preferences(gone)
    expect(suspended.delivery).toMatchObject({
      state: 'suspended',
      consecutivePermanentFailures: 3,
      permanentFailuresMax: 3,
      lastFailure: { permanent: true },
    })
    expect(suspended.delivery.suspendedAt).not.toBeNull()
    // A fourth day with news: no try at all.
    await news('giorno 3')
    await t.app.runDigestPass(new Date(start + 3 * day))
    const failures = await sql<{ n: string }>`
      SELECT count(*) AS n FROM mail_failures WHERE user_id = ${gone.user.id}::uuid`.execute(t.database.db)
    expect(Number(failures.rows[0]?.n)).toBe(3)
    expect((await deliveries(gone.user.id)).map((row) => row.state)).toEqual(['failed', 'failed', 'failed'])

    // Exported, then resumed.
    const data = (
      await t.request({ method: 'GET', url: '/api/me/export', headers: bearer(gone) })
    ).json() as PersonalDataExport
    expect(data.email).toMatchObject({ digestFrequency: 'daily', consecutivePermanentFailures: 3 })
    expect(data.mailFailures).toHaveLength(3)
    expect(data.digests.map((row) => row.state)).toEqual(['failed', 'failed', 'failed'])
    const resumed = await c.ok<EmailPreferences>(
      'POST',
      '/api/me/email-preferences/resume',
      gone,
      undefined,
      200,
    )
    expect(resumed.delivery).toMatchObject({ state: 'active', consecutivePermanentFailures: 0 })

    // Erasure takes every mail row with the member.
    const erased = await t.request({
      method: 'DELETE',
      url: '/api/me',
      headers: bearer(gone),
      payload: { password: testPassword },
    })
    expect(erased.statusCode, erased.body).toBe(204)
    for (const table of ['mail_recipients', 'mail_failures', 'digest_deliveries']) {
      const left = await sql<{ n: string }>`
        SELECT count(*) AS n FROM ${sql.table(table)} WHERE user_id = ${gone.user.id}::uuid`.execute(
        t.database.db,
      )
      expect(Number(left.rows[0]?.n), table).toBe(0)
    }
  })

  it('starts the count of permanent refusals again after a delivery', async () => {
    const member = await follower()
    // Two permanent refusals behind them (one short of the limit), as earlier passes would have left.
    await unsubscribeTokenOf(t.database.db, member.user.id)
    await sql`UPDATE mail_recipients SET consecutive_permanent_failures = 2
               WHERE user_id = ${member.user.id}::uuid`.execute(t.database.db)
    expect((await preferences(member)).delivery.consecutivePermanentFailures).toBe(2)
    await news()
    await t.app.runDigestPass(new Date(Date.now() + 1000))
    await nextDigestTo(member.user.email)
    const after = await preferences(member)
    expect(after.delivery).toMatchObject({ state: 'active', consecutivePermanentFailures: 0 })
    expect(after.delivery.lastDeliveredAt).not.toBeNull()
  })

  it('records a temporary refusal without counting it, and tries again later', async () => {
    const busy = await register(`busy@${Date.now()}.example.org`)
    await c.ok('PATCH', '/api/me/email-preferences', busy, { digestFrequency: 'daily' })
    await c.ok('PUT', `/api/entities/${thing.id}/subscription`, busy, undefined, 201)
    await news()
    const now = new Date(Date.now() + 1000)
    await t.app.runDigestPass(now)
    const after = await preferences(busy)
    expect(after.delivery).toMatchObject({
      state: 'active',
      consecutivePermanentFailures: 0,
      lastFailure: { permanent: false },
    })
    expect((await deliveries(busy.user.id)).map((row) => row.state)).toEqual(['pending'])
  })
})

describe('reading the message as a client would', () => {
  it('parses every digest the server received', async () => {
    const all = digests()
    expect(all.length).toBeGreaterThan(0)
    for (const message of all) {
      const mail = await readMail(message)
      expect(mail.text.length).toBeGreaterThan(0)
      expect(mail.html).toMatch(/^<!doctype html>/i)
    }
  })
})
