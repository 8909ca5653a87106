import type { AuthTokens, EntityFeature } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { code, money } from './helpers'

/**
 * `canOpen` on the campaigns of one place or project: whether the reader may open one there, by the rule the
 * opening itself is refused with (its editors; places and projects only).
 */
let t: TestApp
let m: ReturnType<typeof money>
let author: AuthTokens
let other: AuthTokens
let moderator: AuthTokens
let space: EntityFeature
let event: EntityFeature

beforeAll(async () => {
  t = await createTestApp()
  m = money(t)
  ;[author, other, moderator] = await Promise.all([t.signUp(), t.signUp(), t.signUp({ as: 'moderator' })])
  space = await m.ok<EntityFeature>('POST', '/api/entities', author, validEntityByKind.space)
  event = await m.ok<EntityFeature>('POST', '/api/entities', author, validEntityByKind.event)
})
afterAll(async () => {
  await t?.close()
})

const canOpen = async (tokens: AuthTokens | undefined, entityId: string) =>
  (await m.ok<{ canOpen?: boolean }>('GET', `/api/campaigns?entityId=${entityId}&limit=1`, tokens)).canOpen

describe('canOpen', () => {
  it('is true for who may edit a place, false for others, absent for a visitor and without entityId', async () => {
    expect(await canOpen(author, space.id as string)).toBe(true)
    expect(await canOpen(moderator, space.id as string)).toBe(true)
    expect(await canOpen(other, space.id as string)).toBe(false)
    expect(await canOpen(undefined, space.id as string)).toBeUndefined()
    expect((await m.ok<{ canOpen?: boolean }>('GET', '/api/campaigns', author)).canOpen).toBeUndefined()
    // An event takes no campaign, even from its author.
    expect(await canOpen(author, event.id as string)).toBe(false)
    // A thing that does not exist: nobody may.
    expect(await canOpen(author, crypto.randomUUID())).toBe(false)
  })

  it('agrees with the opening: refused where it says no, accepted where it says yes', async () => {
    const group = await m.group(author)
    const c = code('CAMP')
    await m.currency(author, { code: c, name: 'Camp coin', kind: 'coin', issuerGroupId: group.id })
    const body = {
      entityId: space.id,
      title: 'Panchine',
      acceptCurrency: 'TIME',
      giveCurrency: c,
      ratio: { accept: '1.00', give: '1.00' },
      cap: '10.00',
      endsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    }
    await m.refused('POST', '/api/campaigns', other, body, 403, 'forbidden')
    await m.refused(
      'POST',
      '/api/campaigns',
      author,
      { ...body, entityId: event.id },
      422,
      'entity_not_linkable',
    )
    await m.refused(
      'POST',
      '/api/campaigns',
      author,
      { ...body, entityId: crypto.randomUUID() },
      404,
      'not_found',
    )
    const opened = await m.ok<{ state: string; canManage: boolean }>('POST', '/api/campaigns', author, body)
    expect(opened).toMatchObject({ state: 'locked', canManage: true })
  })
})
