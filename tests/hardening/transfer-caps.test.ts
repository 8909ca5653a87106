import type { AuthTokens } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectBooksBalance, pay, timeAccount } from '../support/ledger'
import { bearer, createTestApp, type TestApp } from '../support/test-app'

/**
 * Caps on what one member's account sends in a currency (issue 9, "amount and velocity caps configurable per
 * currency"): per transfer, per UTC day in amount and in count. The ledger checks them while it holds the paying
 * account locked, so concurrent payments cannot slip past together.
 */
describe('transfer caps per currency', () => {
  let t: TestApp
  let admin: AuthTokens
  let anna: AuthTokens
  let bruno: AuthTokens

  const setCaps = (tokens: AuthTokens | null, code: string, caps: Record<string, unknown>) =>
    t.request({
      method: 'PUT',
      url: `/api/ledger/currencies/${code}/caps`,
      headers: tokens ? bearer(tokens) : {},
      payload: caps,
    })

  beforeAll(async () => {
    t = await createTestApp()
    admin = await t.signUp({ as: 'admin' })
    anna = await t.signUp()
    bruno = await t.signUp()
  })
  afterAll(async () => {
    await t?.close()
  })

  it('are an admin’s to set for time credits, and shown on the currency', async () => {
    const caps = { transferAmountMax: '5.00', dailyAmountMax: '8.00', dailyTransfersMax: 3 }
    expect((await setCaps(null, 'TIME', caps)).statusCode).toBe(401)
    const byMember = await setCaps(anna, 'TIME', caps)
    expect(byMember.statusCode).toBe(403)
    expect(byMember.json().code).toBe('forbidden')
    for (const bad of [
      { ...caps, transferAmountMax: '0' },
      { ...caps, dailyAmountMax: '1.234' },
      { ...caps, dailyTransfersMax: 0 },
      { transferAmountMax: '5.00' },
    ]) {
      const response = await setCaps(admin, 'TIME', bad)
      expect(response.statusCode, JSON.stringify(bad)).toBeGreaterThanOrEqual(400)
      expect(response.statusCode).toBeLessThan(500)
    }
    const before = await t.request({ method: 'GET', url: '/api/ledger/currencies/TIME' })
    expect(before.json().caps).toEqual({
      transferAmountMax: null,
      dailyAmountMax: null,
      dailyTransfersMax: null,
    })
    const set = await setCaps(admin, 'TIME', caps)
    expect(set.statusCode, set.body).toBe(200)
    expect(set.json().caps).toEqual(caps)
    const after = await t.request({ method: 'GET', url: '/api/ledger/currencies/TIME' })
    expect(after.json().caps).toEqual(caps)
  })

  it('refuse a transfer above the per-transfer cap, moving nothing', async () => {
    const before = await timeAccount(t, anna)
    const response = await pay(t, anna, { to: { userId: bruno.user.id }, amount: '5.01' })
    expect(response.statusCode).toBe(422)
    expect(response.json().code).toBe('exceeds_transfer_amount_max')
    expect((await timeAccount(t, anna)).balance).toBe(before.balance)
  })

  it('count a day’s amount and number of transfers', async () => {
    const to = { userId: bruno.user.id }
    expect((await pay(t, anna, { to, amount: '5.00' })).statusCode).toBe(201)
    expect((await pay(t, anna, { to, amount: '2.00' })).statusCode).toBe(201)
    const overAmount = await pay(t, anna, { to, amount: '2.00' })
    expect(overAmount.json().code).toBe('exceeds_daily_amount_max')
    expect((await pay(t, anna, { to, amount: '1.00' })).statusCode).toBe(201)
    const overCount = await pay(t, anna, { to, amount: '0.01' })
    expect(overCount.statusCode).toBe(422)
    expect(overCount.json().code).toBe('exceeds_daily_transfers_max')
    expect((await timeAccount(t, anna)).balance).toBe('-8.00')
  })

  it('count a hold once, when it is made, not again when it is posted', async () => {
    const to = { userId: anna.user.id }
    const hold = await pay(t, bruno, { to, amount: '4.00', pending: true })
    expect(hold.statusCode, hold.body).toBe(201)
    const posted = await t.request({
      method: 'POST',
      url: `/api/ledger/transfers/${hold.json().id}/post`,
      // No body: posting a hold in full needs none.
      headers: { ...bearer(bruno), 'idempotency-key': crypto.randomUUID() },
    })
    expect(posted.statusCode, posted.body).toBeLessThan(300)
    expect((await pay(t, bruno, { to, amount: '4.00' })).statusCode).toBe(201)
    expect((await pay(t, bruno, { to, amount: '0.01' })).json().code).toBe('exceeds_daily_amount_max')
  })

  it('do not apply to corrections', async () => {
    const original = await pay(t, anna, { to: { userId: bruno.user.id }, amount: '1.00' })
    // Anna's day is full: this payment is refused, so take one she made earlier to reverse.
    expect(original.json().code).toBe('exceeds_daily_transfers_max')
    const statement = await t.request({
      method: 'GET',
      url: `/api/ledger/accounts/${(await timeAccount(t, anna)).id}/transfers`,
      headers: bearer(anna),
    })
    const earlier = statement.json().items.find((item: { amount: string }) => item.amount === '1.00')
    const annas = await timeAccount(t, anna)
    // Bruno's day is full too, yet he can give back what he received by mistake.
    const reversal = await pay(t, bruno, { to: annas.id, amount: '1.00', reversalOf: earlier.id })
    expect(reversal.statusCode, reversal.body).toBe(201)
  })

  it('start again on a new day', async () => {
    const annas = await timeAccount(t, anna)
    // Yesterday, as far as the account's record of its sending day goes.
    await t.database.db
      .updateTable('accounts')
      .set({ sent_day: '2000-01-01' })
      .where('id', '=', annas.id)
      .execute()
    expect((await pay(t, anna, { to: { userId: bruno.user.id }, amount: '5.00' })).statusCode).toBe(201)
  })

  it('hold under concurrent payments: exactly the daily number go through', async () => {
    const carla = await t.signUp()
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => pay(t, carla, { to: { userId: bruno.user.id }, amount: '0.50' })),
    )
    const codes = outcomes.map((r) => (r.statusCode === 201 ? 'ok' : r.json().code))
    expect(codes.filter((c) => c === 'ok')).toHaveLength(3)
    expect(codes.filter((c) => c !== 'ok').every((c) => c === 'exceeds_daily_transfers_max')).toBe(true)
    expect((await timeAccount(t, carla)).balance).toBe('-1.50')
    await expectBooksBalance(t.database)
  })

  it('are lifted by setting them to null', async () => {
    const lifted = await setCaps(admin, 'TIME', {
      transferAmountMax: null,
      dailyAmountMax: null,
      dailyTransfersMax: null,
    })
    expect(lifted.statusCode).toBe(200)
    const dario = await t.signUp()
    const above = await pay(t, dario, { to: { userId: bruno.user.id }, amount: '9.00' })
    expect(above.statusCode, above.body).toBe(201)
  })
})
