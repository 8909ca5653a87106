import type { AuthTokens, OpenDataCatalog, PostList, User } from '@quartiere/contracts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp, testPassword } from '../support/test-app'

/**
 * The routes of the account page and of "taking things with you": my profile, signing out everywhere, my posts,
 * the calendar file of one event, the open data catalog, and the erasure refusals that say what stands in the way.
 */
let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t?.close()
})

const as = (tokens: AuthTokens) => bearer(tokens)

async function create(tokens: AuthTokens, kind: keyof typeof validEntityByKind) {
  const response = await t.request({
    method: 'POST',
    url: '/api/entities',
    headers: as(tokens),
    payload: validEntityByKind[kind],
  })
  expect(response.statusCode, response.body).toBe(201)
  return (response.json() as { id: string }).id
}

describe('PATCH /api/me', () => {
  it('changes the display name and the language, and /api/me says so afterwards', async () => {
    const anna = await t.signUp({ displayName: 'Anna' })
    const response = await t.request({
      method: 'PATCH',
      url: '/api/me',
      headers: as(anna),
      payload: { displayName: '  Anna Rossi ', locale: 'en' },
    })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toMatchObject({ id: anna.user.id, displayName: 'Anna Rossi', locale: 'en' })
    const me = (await t.request({ method: 'GET', url: '/api/me', headers: as(anna) })).json() as User
    expect(me).toMatchObject({ displayName: 'Anna Rossi', locale: 'en', email: anna.user.email })
  })

  it('refuses an empty body, a blank name, an unknown language, other fields and strangers, changing nothing', async () => {
    const bruno = await t.signUp({ displayName: 'Bruno' })
    const attempts = [
      {},
      { displayName: '   ' },
      { displayName: '' },
      { displayName: 'x'.repeat(101) },
      { locale: 'fr' },
      { role: 'admin' },
      { email: 'new@example.org' },
    ]
    for (const payload of attempts) {
      const response = await t.request({ method: 'PATCH', url: '/api/me', headers: as(bruno), payload })
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(response.headers['content-type']).toContain('application/problem+json')
    }
    const blank = await t.request({
      method: 'PATCH',
      url: '/api/me',
      headers: as(bruno),
      payload: { displayName: '   ' },
    })
    expect(blank.json()).toMatchObject({ code: 'blank_display_name' })
    const anonymous = await t.request({ method: 'PATCH', url: '/api/me', payload: { locale: 'en' } })
    expect(anonymous.statusCode).toBe(401)
    const me = (await t.request({ method: 'GET', url: '/api/me', headers: as(bruno) })).json() as User
    expect(me).toMatchObject({ displayName: 'Bruno', locale: 'it', role: 'member' })
  })
})

describe('DELETE /api/me/sessions', () => {
  it('signs out every device: no refresh token of the member works afterwards, another member’s does', async () => {
    const carla = await t.signUp({ displayName: 'Carla' })
    const phone = (
      await t.request({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: carla.user.email, password: testPassword },
      })
    ).json() as AuthTokens
    const dario = await t.signUp({ displayName: 'Dario' })

    const response = await t.request({ method: 'DELETE', url: '/api/me/sessions', headers: as(carla) })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({ revoked: 2 })

    for (const tokens of [carla, phone]) {
      const refreshed = await t.request({
        method: 'POST',
        url: '/api/auth/refresh',
        payload: { refreshToken: tokens.refreshToken },
      })
      expect(refreshed.statusCode).toBe(401)
      expect(refreshed.json()).toMatchObject({ code: 'invalid_refresh_token' })
    }
    const other = await t.request({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: dario.refreshToken },
    })
    expect(other.statusCode).toBe(200)
    // Logging in again works, and starts a session that the revocation did not touch.
    const again = await t.request({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: carla.user.email, password: testPassword },
    })
    expect(again.statusCode).toBe(200)
    const refreshedAgain = await t.request({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: (again.json() as AuthTokens).refreshToken },
    })
    expect(refreshedAgain.statusCode).toBe(200)
  })

  it('asks for a sign-in', async () => {
    expect((await t.request({ method: 'DELETE', url: '/api/me/sessions' })).statusCode).toBe(401)
  })
})

describe('GET /api/me/posts', () => {
  it('lists my posts newest first, a page at a time, without my removed posts or anyone else’s', async () => {
    const elena = await t.signUp({ displayName: 'Elena' })
    const fabio = await t.signUp({ displayName: 'Fabio' })
    const space = await create(fabio, 'space')
    const post = async (tokens: AuthTokens, body: string) => {
      const response = await t.request({
        method: 'POST',
        url: `/api/entities/${space}/posts`,
        headers: as(tokens),
        payload: { body },
      })
      expect(response.statusCode, response.body).toBe(201)
      return (response.json() as { id: string }).id
    }
    const first = await post(elena, 'first')
    await post(fabio, 'not mine')
    const removed = await post(elena, 'removed')
    const third = await post(elena, 'third')
    const gone = await t.request({ method: 'DELETE', url: `/api/posts/${removed}`, headers: as(elena) })
    expect(gone.statusCode).toBe(204)

    const seen: string[] = []
    let cursor: string | null = null
    for (let page = 0; page < 5; page += 1) {
      const response = await t.request({
        method: 'GET',
        url: `/api/me/posts?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        headers: as(elena),
      })
      expect(response.statusCode, response.body).toBe(200)
      const list = response.json() as PostList
      for (const item of list.items) {
        expect(item).toMatchObject({ entityId: space, author: { id: elena.user.id } })
        seen.push(item.id)
      }
      cursor = list.nextCursor
      if (!cursor) break
    }
    expect(seen).toEqual([third, first])

    const forged = await t.request({ method: 'GET', url: '/api/me/posts?cursor=abc', headers: as(elena) })
    expect(forged.statusCode).toBe(400)
    expect(forged.json()).toMatchObject({ code: 'invalid_cursor' })
    expect((await t.request({ method: 'GET', url: '/api/me/posts' })).statusCode).toBe(401)
  })
})

describe('GET /api/events.ics?id=', () => {
  it('answers one event as a valid iCalendar file, and nothing for an id that is no event', async () => {
    const giulia = await t.signUp({ displayName: 'Giulia' })
    const event = await create(giulia, 'event')
    await t.request({
      method: 'PATCH',
      url: `/api/entities/${event}`,
      headers: { ...as(giulia), 'if-match': '"1"' },
      payload: {
        description: `Bring: chairs, tables; a long line ${'and more words '.repeat(8)}\nsecond line`,
      },
    })
    await create(giulia, 'event')
    const response = await t.request({ method: 'GET', url: `/api/events.ics?id=${event}` })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['content-type']).toContain('text/calendar')
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="quartiere-event-${event}.ics"`,
    )
    const ics = response.body
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true)
    expect(ics.trimEnd().endsWith('END:VCALENDAR')).toBe(true)
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1)
    expect(ics).toContain(`UID:${event}@quartiere`)
    expect(ics).toMatch(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/)
    expect(ics).toMatch(/\r\nDTSTART:20190619T123000Z\r\n/)
    // RFC 5545: lines of at most 75 octets, folded with CRLF and a space; commas, semicolons and newlines escaped.
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75)
    const unfolded = ics.replace(/\r\n /g, '')
    expect(unfolded).toContain('DESCRIPTION:Bring: chairs\\, tables\\; a long line')
    expect(unfolded).toContain('\\nsecond line')

    const none = await t.request({
      method: 'GET',
      url: '/api/events.ics?id=00000000-0000-4000-8000-000000000000',
    })
    expect(none.statusCode).toBe(200)
    expect(none.body).not.toContain('BEGIN:VEVENT')
    const bad = await t.request({ method: 'GET', url: '/api/events.ics?id=not-a-uuid' })
    expect(bad.statusCode).toBe(400)
  })
})

describe('GET /api/open-data', () => {
  it('gives absolute addresses with the licence, and offers the ledger statistics to whom the route serves', async () => {
    const anonymous = await t.request({
      method: 'GET',
      url: '/api/open-data',
      headers: { host: 'maps.example.org' },
    })
    expect(anonymous.statusCode, anonymous.body).toBe(200)
    const catalog = anonymous.json() as OpenDataCatalog
    expect(catalog.ogcLandingPage).toBe('http://maps.example.org/ogc')
    expect(catalog.tileTemplate).toBe('http://maps.example.org/tiles/{z}/{x}/{y}.mvt')
    expect(catalog.exports.map((entry) => entry.format)).toEqual(['geojson', 'csv', 'fgb'])
    for (const entry of catalog.exports) expect(entry.licence).toBe(catalog.licence.name)
    expect(catalog.ledgerFlows.offered).toBe(false)

    const member = await t.signUp()
    const researcher = await t.signUp({ as: 'researcher' })
    for (const [tokens, offered] of [
      [member, false],
      [researcher, true],
    ] as const) {
      const answer = (
        await t.request({ method: 'GET', url: '/api/open-data', headers: as(tokens) })
      ).json() as OpenDataCatalog
      expect(answer.ledgerFlows.offered).toBe(offered)
      const flows = await t.request({
        method: 'GET',
        url: new URL(answer.ledgerFlows.url).pathname,
        headers: as(tokens),
      })
      expect(flows.statusCode).toBe(offered ? 200 : 403)
    }
  })
})

describe('DELETE /api/me refusals', () => {
  it('name the group that stands in the way, so that the member can be led to it', async () => {
    const hugo = await t.signUp({ displayName: 'Hugo' })
    const group = await create(hugo, 'group')
    const response = await t.request({
      method: 'DELETE',
      url: '/api/me',
      headers: as(hugo),
      payload: { password: testPassword },
    })
    expect(response.statusCode, response.body).toBe(422)
    expect(response.json()).toMatchObject({
      code: 'sole_group_owner',
      errors: [{ path: `/groups/${group}` }],
    })
  })
})

describe('DELETE /api/me by the last admin', () => {
  it('is refused until someone else is an admin, so that roles can still be granted', async () => {
    const ada = await t.signUp({ as: 'admin', displayName: 'Ada' })
    // Precondition: Ada is the platform's only admin (admins other tests made step down).
    await sql`UPDATE users SET role = 'member' WHERE role = 'admin' AND id <> ${ada.user.id}::uuid`.execute(
      t.database.db,
    )
    const erase = () =>
      t.request({ method: 'DELETE', url: '/api/me', headers: as(ada), payload: { password: testPassword } })
    const refused = await erase()
    expect(refused.statusCode, refused.body).toBe(422)
    expect(refused.json()).toMatchObject({ code: 'last_admin' })
    const me = await t.request({ method: 'GET', url: '/api/me', headers: as(ada) })
    expect(me.statusCode).toBe(200)

    const bea = await t.signUp({ displayName: 'Bea' })
    const granted = await t.request({
      method: 'PUT',
      url: `/api/admin/users/${bea.user.id}/role`,
      headers: as(ada),
      payload: { role: 'admin' },
    })
    expect(granted.statusCode, granted.body).toBe(200)
    const erased = await erase()
    expect(erased.statusCode, erased.body).toBe(204)
  })
})
