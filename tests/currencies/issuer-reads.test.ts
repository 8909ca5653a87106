import type { AuthTokens, Currency, CurrencyHolder } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app'
import { code, money } from './helpers'

/**
 * What the issuers' screens read: `can` on the currency answer (from the rules that enforce each act), the
 * groups a member may issue for, and the holders' accounts an issuer gives credit lines to.
 */
let t: TestApp
let m: ReturnType<typeof money>
let owner: AuthTokens
let manager: AuthTokens
let anna: AuthTokens
let admin: AuthTokens
let groupId: string
let otherGroupId: string

beforeAll(async () => {
  t = await createTestApp()
  m = money(t)
  ;[owner, manager, anna, admin] = await Promise.all([
    t.signUp({ displayName: 'Olga Owner' }),
    t.signUp({ displayName: 'Mario Manager' }),
    t.signUp({ displayName: 'Anna Resident' }),
    t.signUp({ as: 'admin' }),
  ])
  groupId = (await m.group(owner, [manager])).id as string
  otherGroupId = (await m.group(anna)).id as string
})
afterAll(async () => {
  await t?.close()
})

describe('can on a currency', () => {
  it('says what each reader may do, and each act agrees with it', async () => {
    const capped = code('CAPC')
    const open = code('OPEN')
    const created = await m.currency(manager, {
      code: capped,
      name: 'Capped',
      kind: 'coupon',
      issuerGroupId: groupId,
      supplyCap: '10',
    })
    expect(created.can).toEqual({ mint: true, setCaps: true, setCreditLines: false, readHolders: true })
    await m.currency(owner, { code: open, name: 'Open', kind: 'coin', issuerGroupId: groupId })

    const as = async (tokens: AuthTokens | undefined, c: string) =>
      (await m.ok<Currency>('GET', `/api/ledger/currencies/${c}`, tokens)).can
    expect(await as(owner, open)).toEqual({
      mint: true,
      setCaps: true,
      setCreditLines: true,
      readHolders: true,
    })
    expect(await as(anna, open)).toEqual({
      mint: false,
      setCaps: false,
      setCreditLines: false,
      readHolders: false,
    })
    expect(await as(admin, open)).toEqual({
      mint: false,
      setCaps: true,
      setCreditLines: false,
      readHolders: false,
    })
    // A visitor reads the terms and the supply, and no `can`.
    expect(await as(undefined, open)).toBeUndefined()
    // The list answers the same per reader.
    const listed = await m.ok<{ items: Currency[] }>('GET', '/api/ledger/currencies?limit=200', anna)
    const mine = await m.ok<{ items: Currency[] }>('GET', '/api/ledger/currencies?limit=200', manager)
    expect(listed.items.find((c) => c.code === open)?.can?.mint).toBe(false)
    expect(mine.items.find((c) => c.code === open)?.can?.mint).toBe(true)
    expect(listed.items.find((c) => c.code === 'TIME')?.can?.mint).toBe(false)

    // What `can` says no to, the API refuses; what it says yes to, the API does.
    await m.refused(
      'POST',
      `/api/ledger/currencies/${open}/mint`,
      anna,
      { to: { userId: anna.user.id }, amount: '1.00', memo: 'x', id: crypto.randomUUID() },
      403,
      'forbidden',
    )
    await m.refused(
      'PUT',
      `/api/ledger/currencies/${open}/caps`,
      anna,
      { transferAmountMax: '5.00', dailyAmountMax: null, dailyTransfersMax: null },
      403,
      'forbidden',
    )
    const capsByAdmin = await m.ok<Currency>('PUT', `/api/ledger/currencies/${open}/caps`, admin, {
      transferAmountMax: '5.00',
      dailyAmountMax: null,
      dailyTransfersMax: null,
    })
    expect(capsByAdmin.caps.transferAmountMax).toBe('5.00')
    expect(capsByAdmin.can?.setCaps).toBe(true)
    await m.mint(manager, capped, { userId: anna.user.id }, '3')
    const annaAccount = (await m.balance(anna, capped))!
    await m.refused(
      'PUT',
      `/api/ledger/currencies/${capped}/accounts/${annaAccount.id}/credit-line`,
      manager,
      { creditLine: '2' },
      422,
      'credit_line_with_cap',
    )
  })
})

describe('issuing groups', () => {
  it('lists the groups a member owns or manages, and nothing for another', async () => {
    const forManager = await m.ok<{ items: { groupId: string; title: string }[] }>(
      'GET',
      '/api/ledger/currencies/issuing-groups',
      manager,
    )
    expect(forManager.items.map((g) => g.groupId)).toEqual([groupId])
    const forAnna = await m.ok<{ items: { groupId: string }[] }>(
      'GET',
      '/api/ledger/currencies/issuing-groups',
      anna,
    )
    expect(forAnna.items.map((g) => g.groupId)).toEqual([otherGroupId])
    await m.refused('GET', '/api/ledger/currencies/issuing-groups', undefined, undefined, 401, 'unauthorized')
  })
})

describe('holders', () => {
  it('the issuing managers page through the holders with their names; others are refused', async () => {
    const c = code('HOLD')
    await m.currency(owner, { code: c, name: 'Holders coin', kind: 'coin', issuerGroupId: groupId })
    await m.mint(owner, c, { userId: anna.user.id }, '2.50')
    await m.mint(owner, c, { userId: manager.user.id }, '1.25')
    await m.mint(owner, c, { groupId }, '4.00')
    const first = await m.ok<{ items: CurrencyHolder[]; nextCursor: string | null }>(
      'GET',
      `/api/ledger/currencies/${c}/holders?limit=2`,
      manager,
    )
    expect(first.items).toHaveLength(2)
    expect(first.nextCursor).not.toBeNull()
    const second = await m.ok<{ items: CurrencyHolder[]; nextCursor: string | null }>(
      'GET',
      `/api/ledger/currencies/${c}/holders?limit=2&cursor=${first.nextCursor}`,
      manager,
    )
    expect(second.nextCursor).toBeNull()
    const all = [...first.items, ...second.items]
    const byName = Object.fromEntries(all.map((h) => [h.name, h.account.balance]))
    expect(byName).toEqual({ 'Anna Resident': '2.50', 'Mario Manager': '1.25', [groupTitle()]: '4.00' })
    // The issuance account is not a holder.
    expect(all.every((h) => h.account.owner.type !== 'system')).toBe(true)

    // A credit line given from the list shows in the holder's account.
    const anna0 = all.find((h) => h.name === 'Anna Resident')!
    const updated = await m.ok<{ lowerLimit: string }>(
      'PUT',
      `/api/ledger/currencies/${c}/accounts/${anna0.account.id}/credit-line`,
      manager,
      { creditLine: '20.00' },
    )
    expect(updated.lowerLimit).toBe('-20.00')

    await m.refused('GET', `/api/ledger/currencies/${c}/holders`, anna, undefined, 403, 'forbidden')
    await m.refused('GET', `/api/ledger/currencies/${c}/holders`, admin, undefined, 403, 'forbidden')
    await m.refused(
      'GET',
      '/api/ledger/currencies/NOPE9/holders',
      manager,
      undefined,
      422,
      'currency_not_found',
    )
    const bad = await m.call('GET', `/api/ledger/currencies/${c}/holders?limit=201`, manager)
    expect(bad.statusCode).toBe(400)
    const badCursor = await m.call('GET', `/api/ledger/currencies/${c}/holders?cursor=x`, manager)
    expect(badCursor.statusCode).toBe(400)
    expect(badCursor.json().code).toBe('invalid_cursor')
  })
})

function groupTitle() {
  return 'Orto condiviso'
}
