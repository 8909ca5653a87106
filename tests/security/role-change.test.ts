import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp, testPassword } from '../support/test-app'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/**
 * Access tokens carry a role, but the role that counts is the one in the database: a moderator whose role is
 * taken away loses their powers within ACCOUNT_RECHECK_MS (0 here, so at once), not when their token expires.
 */
describe('a role changed in the database applies to access tokens already issued', () => {
  let t: TestApp

  beforeAll(async () => {
    t = await createTestApp({ ACCOUNT_RECHECK_MS: '0' })
  })

  afterAll(async () => {
    await t?.close()
  })

  const setRole = (userId: string, role: 'member' | 'moderator') =>
    t.database.db.updateTable('users').set({ role }).where('id', '=', userId).execute()

  it('a demoted moderator is refused the moderation queue with the token that still says moderator', async () => {
    const moderator = await t.signUp({ as: 'moderator' })
    const queue = () =>
      t.request({ method: 'GET', url: '/api/moderation/queue', headers: bearer(moderator.accessToken) })
    expect((await queue()).statusCode).toBe(200)
    await setRole(moderator.user.id, 'member')
    const refused = await queue()
    expect(refused.statusCode).toBe(403)
    expect(refused.headers['content-type']).toContain('application/problem+json')
  })

  it('a promoted member is a moderator at once, with the old token or a new one', async () => {
    const member = await t.signUp()
    const queue = (token: string) =>
      t.request({ method: 'GET', url: '/api/moderation/queue', headers: bearer(token) })
    expect((await queue(member.accessToken)).statusCode).toBe(403)
    await setRole(member.user.id, 'moderator')
    expect((await queue(member.accessToken)).statusCode).toBe(200)
  })
})

describe('with the default recheck, a remembered role gives way to a newer token', () => {
  let t: TestApp

  beforeAll(async () => {
    t = await createTestApp()
  })

  afterAll(async () => {
    await t?.close()
  })

  it('a member promoted in the database who logs in again is a moderator at once', async () => {
    const member = await t.signUp()
    const queue = (token: string) =>
      t.request({ method: 'GET', url: '/api/moderation/queue', headers: bearer(token) })
    expect((await queue(member.accessToken)).statusCode).toBe(403)
    await t.database.db
      .updateTable('users')
      .set({ role: 'moderator' })
      .where('id', '=', member.user.id)
      .execute()
    const login = await t.request({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: member.user.email, password: testPassword },
    })
    expect(login.statusCode, login.body).toBe(200)
    expect((await queue((login.json() as { accessToken: string }).accessToken)).statusCode).toBe(200)
  })
})
