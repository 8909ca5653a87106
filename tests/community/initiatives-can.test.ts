import type { AuthTokens, EntityFeature, Initiative } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

/**
 * An initiative says whether its reader may curate it (`canCurate`), from the rule its writes apply: the
 * screens offer adding and removing things exactly to those the API lets do it.
 */
let t: TestApp
let c: ReturnType<typeof community>
let moderator: AuthTokens
let member: AuthTokens
let thing: EntityFeature
beforeAll(async () => {
  t = await createTestApp()
  c = community(t)
  moderator = await t.signUp({ as: 'moderator' })
  member = await t.signUp()
  thing = await c.entity(member, validEntityByKind.space)
  await c.ok('POST', '/api/initiatives', moderator, { slug: 'axto', name: 'AxTO' })
})
afterAll(async () => {
  await t?.close()
})

describe('who may curate an initiative', () => {
  it('says canCurate to moderators only, in the list, the initiative and the answers to its writes', async () => {
    for (const [reader, expected] of [
      [moderator, true],
      [member, false],
      [undefined, false],
    ] as const) {
      const list = await c.ok<{ items: Initiative[] }>('GET', '/api/initiatives', reader)
      expect(list.items.map((item) => item.canCurate)).toEqual([expected])
      expect((await c.ok<Initiative>('GET', '/api/initiatives/axto', reader)).canCurate).toBe(expected)
    }
    const put = await c.ok<Initiative>('PUT', `/api/initiatives/axto/entities/${thing.id}`, moderator)
    expect(put).toMatchObject({ canCurate: true, entitiesCount: 1 })
    // What canCurate withholds, the API refuses, and nothing changes.
    const refused = await c.call('DELETE', `/api/initiatives/axto/entities/${thing.id}`, member)
    expect(refused.statusCode).toBe(403)
    expect((await c.ok<Initiative>('GET', '/api/initiatives/axto')).entitiesCount).toBe(1)
  })
})
