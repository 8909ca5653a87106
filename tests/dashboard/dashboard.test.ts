import type { AuthTokens, Dashboard, EntityFeature } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { money } from '../currencies/helpers'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'

/**
 * GET /api/admin/dashboard against figures the test computes from what it created: things by kind and month,
 * members active per month, exchanges of time and their exact hours, pacts by status.
 */
let t: TestApp
let m: ReturnType<typeof money>
let admin: AuthTokens
let anna: AuthTokens
let bruno: AuthTokens
let carla: AuthTokens

/** This UTC month and the one before, as the API names them (the figures are laid out by month, not by time). */
const now = new Date()
const monthName = (year: number, month: number) => `${year}-${String(month + 1).padStart(2, '0')}`
const thisMonth = monthName(now.getUTCFullYear(), now.getUTCMonth())
const before = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15))
const lastMonth = monthName(before.getUTCFullYear(), before.getUTCMonth())

beforeAll(async () => {
  t = await createTestApp()
  m = money(t)
  ;[admin, anna, bruno, carla] = await Promise.all([
    t.signUp({ as: 'admin' }),
    t.signUp(),
    t.signUp(),
    t.signUp(),
  ])
})
afterAll(async () => {
  await t?.close()
})

describe('the organisers’ dashboard', () => {
  it('answers the figures of what was done, month by month', async () => {
    const created: { kind: string; month: string; author: string }[] = []
    const make = async (who: AuthTokens, body: object, month = thisMonth) => {
      const feature = await m.ok<EntityFeature>('POST', '/api/entities', who, body)
      if (month !== thisMonth) {
        await t.database.db
          .updateTable('entities')
          .set({ created_at: before })
          .where('id', '=', feature.id as string)
          .execute()
      }
      created.push({ kind: feature.properties.kind, month, author: who.user.id })
      return feature
    }
    await make(anna, validEntityByKind.space, lastMonth)
    await make(anna, validEntityByKind.space)
    await make(anna, validEntityByKind.event, lastMonth)
    const offer = await make(bruno, validEntityByKind.offer)
    await make(bruno, validEntityByKind.project)
    await make(carla, validEntityByKind.project, lastMonth)
    // Two exchanges of time on Bruno's offer, confirmed by Carla: 1.50 and 0.75 hours (the second cut at confirm).
    const hours: string[] = []
    for (const [asked, confirmed] of [
      ['1.50', undefined],
      ['1.00', '0.75'],
    ] as const) {
      const exchange = await m.ok<{ id: string }>('POST', `/api/entities/${offer.id}/exchanges`, carla, {
        hours: asked,
      })
      await m.ok(
        'POST',
        `/api/ledger/exchanges/${exchange.id}/confirm`,
        carla,
        confirmed ? { hours: confirmed } : {},
        200,
      )
      hours.push(confirmed ?? asked)
    }

    const answer = await m.ok<Dashboard>(
      'GET',
      `/api/admin/dashboard?from=${lastMonth}&to=${thisMonth}`,
      admin,
    )
    expect(answer.months.map((month) => month.month)).toEqual([lastMonth, thisMonth])
    for (const month of answer.months) {
      const expected: Record<string, number> = Object.fromEntries(answer.kinds.map((kind) => [kind, 0]))
      for (const thing of created.filter((c) => c.month === month.month)) expected[thing.kind]! += 1
      expect(month.things, month.month).toEqual(expected)
    }
    // Active: who put things on the map that month; this month also Carla, who made the exchanges' transfers.
    const activeLast = new Set(created.filter((c) => c.month === lastMonth).map((c) => c.author))
    const activeThis = new Set([
      ...created.filter((c) => c.month === thisMonth).map((c) => c.author),
      carla.user.id,
    ])
    expect(answer.months.map((month) => month.activePeople)).toEqual([activeLast.size, activeThis.size])
    const minor = hours.reduce((sum, value) => sum + Number(value.replace('.', '')), 0)
    expect(answer.months[1]).toMatchObject({
      exchanges: hours.length,
      hours: `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`,
    })
    expect(answer.months[1]?.hours).toBe('2.25')
    expect(answer.months[0]).toMatchObject({ exchanges: 0, hours: '0.00' })
    // Both projects are pacts in their proposal; every status is listed.
    const pacts = Object.fromEntries(answer.pactsByStatus.map((row) => [row.status, row.count]))
    expect(pacts).toEqual({ proposal: 2, 'co-design': 0, signed: 0, active: 0, concluded: 0, rejected: 0 })

    // A month with nothing: zeros, not a gap.
    const quiet = await m.ok<Dashboard>('GET', '/api/admin/dashboard?from=2001-01&to=2001-02', admin)
    expect(quiet.months.map((month) => [month.month, month.activePeople, month.hours])).toEqual([
      ['2001-01', 0, '0.00'],
      ['2001-02', 0, '0.00'],
    ])
  })

  it('is an admin’s, and refuses bad ranges', async () => {
    await m.refused(
      'GET',
      `/api/admin/dashboard?from=${lastMonth}&to=${thisMonth}`,
      anna,
      undefined,
      403,
      'forbidden',
    )
    await m.refused(
      'GET',
      `/api/admin/dashboard?from=${lastMonth}&to=${thisMonth}`,
      undefined,
      undefined,
      401,
      'unauthorized',
    )
    await m.refused(
      'GET',
      '/api/admin/dashboard?from=2026-05&to=2026-04',
      admin,
      undefined,
      400,
      'invalid_query',
    )
    await m.refused(
      'GET',
      '/api/admin/dashboard?from=2020-01&to=2023-01',
      admin,
      undefined,
      400,
      'invalid_query',
    )
    const longest = await m.ok<Dashboard>('GET', '/api/admin/dashboard?from=2020-01&to=2022-12', admin)
    expect(longest.months).toHaveLength(36)
    const badMonth = await m.call('GET', '/api/admin/dashboard?from=2026-13&to=2026-12', admin)
    expect(badMonth.statusCode).toBe(400)
  })
})
