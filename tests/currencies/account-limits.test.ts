import type { Account, AuthTokens } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app'
import { money } from './helpers'

/** What the admins' limits form reads and writes: a member's accounts, and their limits. */
let t: TestApp
let m: ReturnType<typeof money>
let admin: AuthTokens
let anna: AuthTokens
let bruno: AuthTokens

beforeAll(async () => {
  t = await createTestApp()
  m = money(t)
  ;[admin, anna, bruno] = await Promise.all([t.signUp({ as: 'admin' }), t.signUp(), t.signUp()])
})
afterAll(async () => {
  await t?.close()
})

describe("a member's accounts for an admin", () => {
  it('lists them with their limits; the change shows in them; a member is refused', async () => {
    const listed = await m.ok<{ items: Account[] }>(
      'GET',
      `/api/ledger/members/${anna.user.id}/accounts`,
      admin,
    )
    expect(listed.items.map((a) => [a.currency, a.lowerLimit])).toEqual([['TIME', '-10.00']])
    const time = listed.items[0]!
    const changed = await m.ok<Account>('PATCH', `/api/ledger/accounts/${time.id}/limits`, admin, {
      lowerLimit: '-25.00',
      upperLimit: '100.00',
    })
    expect(changed).toMatchObject({ lowerLimit: '-25.00', upperLimit: '100.00' })
    const again = await m.ok<{ items: Account[] }>(
      'GET',
      `/api/ledger/members/${anna.user.id}/accounts`,
      admin,
    )
    expect(again.items[0]).toMatchObject({ lowerLimit: '-25.00', upperLimit: '100.00' })

    await m.refused('GET', `/api/ledger/members/${anna.user.id}/accounts`, bruno, undefined, 403, 'forbidden')
    await m.refused(
      'GET',
      `/api/ledger/members/${anna.user.id}/accounts`,
      undefined,
      undefined,
      401,
      'unauthorized',
    )
    await m.refused(
      'GET',
      `/api/ledger/members/${crypto.randomUUID()}/accounts`,
      admin,
      undefined,
      404,
      'not_found',
    )
  })

  it('refuses a credit line the account is already below, and changes nothing', async () => {
    const [account] = (
      await m.ok<{ items: Account[] }>('GET', `/api/ledger/members/${bruno.user.id}/accounts`, admin)
    ).items
    // Bruno pays 5 hours to Anna: his balance is -5.00.
    await m.ok('POST', '/api/ledger/transfers', bruno, {
      id: crypto.randomUUID(),
      to: { userId: anna.user.id },
      amount: '5.00',
      currency: 'TIME',
      memo: 'Gardening',
    })
    await m.refused(
      'PATCH',
      `/api/ledger/accounts/${account!.id}/limits`,
      admin,
      { lowerLimit: '-2.00', upperLimit: null },
      422,
      'limit_below_balance',
    )
    const after = await m.ok<{ items: Account[] }>(
      'GET',
      `/api/ledger/members/${bruno.user.id}/accounts`,
      admin,
    )
    expect(after.items[0]).toMatchObject({ balance: '-5.00', lowerLimit: '-10.00' })
  })
})
