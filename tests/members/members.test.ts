import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, type TestApp, testPassword } from '../support/test-app'

describe('GET /api/members', () => {
  let t: TestApp
  let viewer: Awaited<ReturnType<TestApp['signUp']>>
  const stamp = Date.now().toString(36)

  beforeAll(async () => {
    t = await createTestApp()
    viewer = await t.signUp({ displayName: `Viewer ${stamp}` })
    for (const name of [
      `Zelda Rossi ${stamp}`,
      `Mario Zanetti ${stamp}`,
      `Zoe ${stamp}`,
      `Anna Bianchi ${stamp}`,
    ]) {
      await t.signUp({ displayName: name })
    }
  })
  afterAll(() => t.close())

  it('finds members by the start of any word of their name, case-insensitively, without emails', async () => {
    const response = await t.request({ method: 'GET', url: '/api/members?q=z', headers: bearer(viewer) })
    expect(response.statusCode).toBe(200)
    const body = response.json() as {
      items: { id: string; displayName: string }[]
      nextCursor: string | null
    }
    const names = body.items.map((item) => item.displayName)
    expect(names).toEqual([`Mario Zanetti ${stamp}`, `Zelda Rossi ${stamp}`, `Zoe ${stamp}`])
    for (const item of body.items) expect(Object.keys(item).sort()).toEqual(['displayName', 'id'])
    expect(response.body).not.toContain('@')
  })

  it('pages with a keyset cursor, no duplicates and no gaps', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const url: string = `/api/members?q=z&limit=1${cursor ? `&cursor=${cursor}` : ''}`
      const response = await t.request({ method: 'GET', url, headers: bearer(viewer) })
      expect(response.statusCode).toBe(200)
      const body = response.json() as { items: { displayName: string }[]; nextCursor: string | null }
      seen.push(...body.items.map((item) => item.displayName))
      cursor = body.nextCursor
    } while (cursor)
    expect(seen).toEqual([`Mario Zanetti ${stamp}`, `Zelda Rossi ${stamp}`, `Zoe ${stamp}`])
  })

  it('treats LIKE wildcards as text, needs a login, and refuses bad input', async () => {
    const wildcard = await t.request({ method: 'GET', url: '/api/members?q=%25', headers: bearer(viewer) })
    expect(wildcard.statusCode).toBe(200)
    expect((wildcard.json() as { items: unknown[] }).items).toEqual([])
    expect((await t.request({ method: 'GET', url: '/api/members?q=z' })).statusCode).toBe(401)
    const empty = await t.request({ method: 'GET', url: '/api/members?q=', headers: bearer(viewer) })
    expect(empty.statusCode).toBe(400)
    const tooMany = await t.request({
      method: 'GET',
      url: '/api/members?q=z&limit=51',
      headers: bearer(viewer),
    })
    expect(tooMany.statusCode).toBe(400)
    const badCursor = await t.request({
      method: 'GET',
      url: '/api/members?q=z&cursor=nope',
      headers: bearer(viewer),
    })
    expect(badCursor.statusCode).toBe(400)
    expect(badCursor.json()).toMatchObject({ code: 'invalid_cursor' })
  })

  it('does not list an erased member, nor their tombstone', async () => {
    const leaving = await t.signUp({ displayName: `Quirino Partente ${Date.now()}` })
    const find = () => t.request({ method: 'GET', url: '/api/members?q=quirino', headers: bearer(viewer) })
    expect((await find()).json().items).toHaveLength(1)
    const erased = await t.request({
      method: 'DELETE',
      url: '/api/me',
      headers: bearer(leaving),
      payload: { password: testPassword },
    })
    expect(erased.statusCode, erased.body).toBe(204)
    expect((await find()).json().items).toEqual([])
    const former = await t.request({ method: 'GET', url: '/api/members?q=former', headers: bearer(viewer) })
    expect(former.json().items).toEqual([])
  })
})
