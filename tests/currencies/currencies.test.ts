import { createHash, randomUUID } from 'node:crypto'
import type { AuthTokens, Currency } from '@quartiere/contracts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectBooksBalance } from '../support/ledger'
import { createTestApp, type TestApp } from '../support/test-app'
import { code, money } from './helpers'

let t: TestApp
let m: ReturnType<typeof money>
let owner: AuthTokens
let manager: AuthTokens
let anna: AuthTokens
let bruno: AuthTokens
let admin: AuthTokens
let groupId: string

beforeAll(async () => {
  t = await createTestApp()
  m = money(t)
  ;[owner, manager, anna, bruno, admin] = await Promise.all([
    t.signUp(),
    t.signUp(),
    t.signUp(),
    t.signUp(),
    t.signUp({ as: 'admin' }),
  ])
  groupId = (await m.group(owner, [manager])).id as string
})
afterEach(async () => {
  await expectBooksBalance(t.database)
})
afterAll(async () => {
  await t?.close()
})

describe('issuing a currency', () => {
  it('a manager issues a coin: scale 2, terms stored with their SHA-256, supply zero', async () => {
    const terms = 'Accettata al chiosco dell’orto. 1 moneta = 1 euro di verdura.'
    const c = code('ORTO')
    const currency = await m.currency(manager, {
      code: c,
      name: 'Orto coin',
      kind: 'coin',
      issuerGroupId: groupId,
      terms,
      supplyCap: '1000.00',
      logoUrl: 'https://example.org/orto.png',
    })
    expect(currency).toMatchObject({
      code: c,
      kind: 'coin',
      scale: 2,
      issuerGroupId: groupId,
      creditLine: '0.00',
      termsSha256: createHash('sha256').update(terms, 'utf8').digest('hex'),
      supply: { minted: '0.00', supply: '0.00', cap: '1000.00', mintable: '1000.00', outstanding: '0.00' },
    })
    const text = await m.call('GET', `/api/ledger/currencies/${c}/terms`)
    expect(text.statusCode).toBe(200)
    expect(text.body).toBe(terms)
    expect(text.headers.etag).toBe(`"${currency.termsSha256}"`)
    const list = await m.ok<{ items: Currency[] }>('GET', `/api/ledger/currencies?issuerGroupId=${groupId}`)
    expect(list.items.map((i) => i.code)).toContain(c)
  })

  it('a coupon is whole: scale 0, and any other scale is refused', async () => {
    const c = code('BUONO')
    const coupon = await m.currency(owner, { code: c, name: 'Buono', kind: 'coupon', issuerGroupId: groupId })
    expect(coupon.scale).toBe(0)
    await m.refused(
      'POST',
      '/api/ledger/currencies',
      owner,
      {
        code: code('BAD'),
        name: 'x',
        kind: 'coupon',
        scale: 2,
        issuerGroupId: groupId,
        terms: 't',
      },
      400,
      'invalid_amount',
    )
  })

  it('refuses non-managers, taken codes, TIME, unknown groups and credit lines with a cap', async () => {
    const body = { code: code('NOPE'), name: 'n', kind: 'coin', issuerGroupId: groupId, terms: 't' }
    await m.refused('POST', '/api/ledger/currencies', anna, body, 403, 'forbidden')
    await m.refused('POST', '/api/ledger/currencies', undefined, body, 401, 'unauthorized')
    await m.currency(owner, body)
    await m.refused('POST', '/api/ledger/currencies', owner, body, 409, 'currency_exists')
    await m.refused(
      'POST',
      '/api/ledger/currencies',
      owner,
      { ...body, code: 'TIME' },
      409,
      'currency_exists',
    )
    await m.refused(
      'POST',
      '/api/ledger/currencies',
      owner,
      { ...body, code: code('X'), issuerGroupId: randomUUID() },
      404,
      'not_found',
    )
    await m.refused(
      'POST',
      '/api/ledger/currencies',
      owner,
      { ...body, code: code('X'), supplyCap: '10.00', creditLine: '5.00' },
      422,
      'credit_line_with_cap',
    )
    await m.refused(
      'POST',
      '/api/ledger/currencies',
      owner,
      { ...body, code: 'lower' },
      400,
      'invalid_request',
    )
    await m.refused(
      'POST',
      '/api/ledger/currencies',
      owner,
      { ...body, code: code('X'), supplyCap: '1.005' },
      400,
      'invalid_amount',
    )
  })
})

describe('minting, paying and redeeming', () => {
  it('mints within the cap, exactly once per key; past the cap is refused and nothing changes', async () => {
    const c = code('CAP')
    await m.currency(manager, {
      code: c,
      name: 'Capped',
      kind: 'coin',
      issuerGroupId: groupId,
      supplyCap: '100.00',
    })
    const key = randomUUID()
    const body = { id: key, to: { userId: anna.user.id }, amount: '60.00', memo: 'Benvenuta' }
    const first = await m.call('POST', `/api/ledger/currencies/${c}/mint`, manager, body)
    expect(first.statusCode, first.body).toBe(201)
    expect(first.json()).toMatchObject({ amount: '60.00', currency: c, state: 'posted' })
    const again = await m.call('POST', `/api/ledger/currencies/${c}/mint`, manager, body)
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual(first.json())
    await m.refused(
      'POST',
      `/api/ledger/currencies/${c}/mint`,
      manager,
      { ...body, id: randomUUID(), amount: '40.01' },
      422,
      'supply_cap_reached',
    )
    await m.mint(manager, c, { groupId }, '40.00')
    const currency = await m.ok<Currency>('GET', `/api/ledger/currencies/${c}`)
    expect(currency.supply).toMatchObject({
      minted: '100.00',
      supply: '100.00',
      outstanding: '60.00',
      mintable: '0.00',
    })
    await m.refused(
      'POST',
      `/api/ledger/currencies/${c}/mint`,
      manager,
      { ...body, id: randomUUID(), amount: '0.01' },
      422,
      'supply_cap_reached',
    )
    expect((await m.balance(anna, c))?.balance).toBe('60.00')
    expect((await m.balance(manager, c, 'group'))?.balance).toBe('40.00')
  })

  it('only the issuing group’s managers mint; the admin issuance route is for TIME only', async () => {
    const c = code('MINT')
    await m.currency(owner, { code: c, name: 'Mint', kind: 'coin', issuerGroupId: groupId })
    await m.refused(
      'POST',
      `/api/ledger/currencies/${c}/mint`,
      anna,
      { to: { userId: anna.user.id }, amount: '1.00', memo: 'm', id: randomUUID() },
      403,
      'forbidden',
    )
    await m.refused(
      'POST',
      '/api/ledger/issuance',
      admin,
      { id: randomUUID(), to: { userId: anna.user.id }, amount: '1.00', currency: c, memo: 'm' },
      403,
      'forbidden',
    )
    await m.refused(
      'POST',
      `/api/ledger/currencies/NOSUCH/mint`,
      owner,
      { to: { userId: anna.user.id }, amount: '1.00', memo: 'm', id: randomUUID() },
      422,
      'currency_not_found',
    )
    await m.refused(
      'POST',
      `/api/ledger/currencies/${c}/mint`,
      owner,
      { to: { userId: anna.user.id }, amount: '1.00', memo: 'm' },
      400,
      'idempotency_key_required',
    )
  })

  it('holders pay each other; nobody goes below zero without a credit line; only holders pay', async () => {
    const c = code('PAY')
    await m.currency(owner, { code: c, name: 'Pay', kind: 'coin', issuerGroupId: groupId })
    await m.mint(owner, c, { userId: anna.user.id }, '10.00')
    const paid = await m.call('POST', '/api/ledger/transfers', anna, {
      id: randomUUID(),
      to: { userId: bruno.user.id },
      amount: '4.00',
      currency: c,
    })
    expect(paid.statusCode, paid.body).toBe(201)
    await m.refused(
      'POST',
      '/api/ledger/transfers',
      bruno,
      { id: randomUUID(), to: { userId: anna.user.id }, amount: '4.01', currency: c },
      422,
      'exceeds_credit_limit',
    )
    const carla = await t.signUp()
    await m.refused(
      'POST',
      '/api/ledger/transfers',
      carla,
      { id: randomUUID(), to: { userId: anna.user.id }, amount: '1.00', currency: c },
      422,
      'account_not_found',
    )
    expect((await m.balance(bruno, c))?.balance).toBe('4.00')
    // The issuer gives Bruno a credit line of 5.00: now he may go to -5.00, not further.
    const account = (await m.balance(bruno, c))!
    await m.refused(
      'PUT',
      `/api/ledger/currencies/${c}/accounts/${account.id}/credit-line`,
      anna,
      { creditLine: '5.00' },
      403,
      'forbidden',
    )
    const updated = await m.ok<{ lowerLimit: string }>(
      'PUT',
      `/api/ledger/currencies/${c}/accounts/${account.id}/credit-line`,
      owner,
      { creditLine: '5.00' },
      200,
    )
    expect(updated.lowerLimit).toBe('-5.00')
    await m.ok('POST', '/api/ledger/transfers', bruno, {
      id: randomUUID(),
      to: { userId: anna.user.id },
      amount: '9.00',
      currency: c,
    })
    await m.refused(
      'POST',
      '/api/ledger/transfers',
      bruno,
      { id: randomUUID(), to: { userId: anna.user.id }, amount: '0.01', currency: c },
      422,
      'exceeds_credit_limit',
    )
    await m.refused(
      'PUT',
      `/api/ledger/currencies/${c}/accounts/${account.id}/credit-line`,
      owner,
      { creditLine: '4.00' },
      422,
      'limit_below_balance',
    )
  })

  it('nobody pays into an issuance or campaign account by hand: units enter it by redemption only', async () => {
    const c = code('SYS')
    await m.currency(owner, { code: c, name: 'Sys', kind: 'coupon', issuerGroupId: groupId })
    await m.mint(owner, c, { userId: anna.user.id }, '3')
    const issuance = await t.database.db
      .selectFrom('accounts')
      .select('id')
      .where('currency', '=', c)
      .where('system_name', '=', 'issuance')
      .executeTakeFirstOrThrow()
    await m.refused(
      'POST',
      '/api/ledger/transfers',
      anna,
      { id: randomUUID(), to: issuance.id, amount: '1', currency: c },
      403,
      'forbidden',
    )
  })

  it('a coupon holder redeems with the issuer: the supply shrinks, the issuer sees what is outstanding', async () => {
    const c = code('COUP')
    await m.currency(owner, {
      code: c,
      name: 'Coupon',
      kind: 'coupon',
      issuerGroupId: groupId,
      supplyCap: '10',
    })
    await m.mint(owner, c, { userId: anna.user.id }, '7')
    await m.mint(owner, c, { groupId }, '3')
    const key = randomUUID()
    const redeemed = await m.ok<{ amount: string; creditAccountId: string; memo: string }>(
      'POST',
      `/api/ledger/currencies/${c}/redemptions`,
      anna,
      { id: key, amount: '2' },
    )
    expect(redeemed.amount).toBe('2')
    expect(redeemed.memo).toMatch(/Redemption/)
    const replay = await m.call('POST', `/api/ledger/currencies/${c}/redemptions`, anna, {
      id: key,
      amount: '2',
    })
    expect(replay.statusCode).toBe(200)
    await m.refused(
      'POST',
      `/api/ledger/currencies/${c}/redemptions`,
      anna,
      { id: randomUUID(), amount: '6' },
      422,
      'exceeds_credit_limit',
    )
    await m.refused(
      'POST',
      `/api/ledger/currencies/${c}/redemptions`,
      anna,
      { id: randomUUID(), amount: '1.5' },
      400,
      'invalid_amount',
    )
    await m.refused(
      'POST',
      `/api/ledger/currencies/${c}/redemptions`,
      bruno,
      { id: randomUUID(), amount: '1' },
      422,
      'account_not_found',
    )
    const annaAccount = (await m.balance(anna, c))!
    await m.refused(
      'POST',
      `/api/ledger/currencies/${c}/redemptions`,
      bruno,
      { id: randomUUID(), amount: '1', from: annaAccount.id },
      403,
      'forbidden',
    )
    const currency = await m.ok<Currency>('GET', `/api/ledger/currencies/${c}`)
    expect(currency.supply).toMatchObject({
      minted: '10',
      redeemed: '2',
      supply: '8',
      outstanding: '5',
      mintable: '2',
    })
    // A redeemed coupon frees room under the cap: supply is what exists now.
    await m.mint(owner, c, { userId: bruno.user.id }, '2')
    const coin = code('COIN')
    await m.currency(owner, { code: coin, name: 'Coin', kind: 'coin', issuerGroupId: groupId })
    await m.mint(owner, coin, { userId: anna.user.id }, '1.00')
    await m.refused(
      'POST',
      `/api/ledger/currencies/${coin}/redemptions`,
      anna,
      { id: randomUUID(), amount: '1.00' },
      422,
      'not_redeemable',
    )
  })

  it('the issuer’s managers hear of mints and redemptions; holders of their own transfers', async () => {
    const c = code('EVT')
    await m.currency(owner, { code: c, name: 'Evt', kind: 'coupon', issuerGroupId: groupId })
    const minted = await m.mint(manager, c, { userId: anna.user.id }, '2')
    const events = await t.database.db
      .selectFrom('events_outbox')
      .select(['topic', 'audience', 'payload'])
      .where('topic', '=', 'transfer.posted')
      .execute()
    const event = events.find((e) => (e.payload as { id: string }).id === minted.id)!
    expect(event.audience).toEqual(expect.arrayContaining([anna.user.id, owner.user.id, manager.user.id]))
    expect(event.audience).not.toContain(bruno.user.id)
    expect((event.payload as { amount: string }).amount).toBe('2')
  })
})
