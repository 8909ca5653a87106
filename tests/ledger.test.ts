import { randomUUID } from 'node:crypto'
import type { AuthTokens } from '@quartiere/contracts'
import { voidExpiredHolds } from '@quartiere/ledger'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from './support/fixtures'
import { expectBooksBalance, pay, timeAccount } from './support/ledger'
import { bearer, createTestApp, type TestApp } from './support/test-app'

let t: TestApp
let anna: AuthTokens
let bruno: AuthTokens
let admin: AuthTokens
beforeAll(async () => {
  t = await createTestApp()
  ;[anna, bruno, admin] = await Promise.all([t.signUp(), t.signUp(), t.signUp({ as: 'admin' })])
})
afterEach(async () => {
  await expectBooksBalance(t.database)
})
afterAll(async () => {
  await t?.close()
})

describe('accounts', () => {
  it('every member has a TIME account from registration, with a 10-hour credit line', async () => {
    const account = await timeAccount(t, anna)
    expect(account).toMatchObject({
      balance: '0.00',
      available: '0.00',
      lowerLimit: '-10.00',
      debitsPending: '0.00',
    })
  })

  it("hides another member's account", async () => {
    const annas = await timeAccount(t, anna)
    const peek = await t.request({
      method: 'GET',
      url: `/api/ledger/accounts/${annas.id}`,
      headers: bearer(bruno),
    })
    expect(peek.statusCode).toBe(404)
    const statement = await t.request({
      method: 'GET',
      url: `/api/ledger/accounts/${annas.id}/transfers`,
      headers: bearer(bruno),
    })
    expect(statement.statusCode).toBe(404)
  })
})

describe('transfers', () => {
  it('pays a member, exactly once per key: 201, then 200 with the same transfer; another body is 409', async () => {
    const key = randomUUID()
    const body = { to: { userId: bruno.user.id }, amount: '1.50', memo: 'Spesa' }
    const first = await pay(t, anna, body, key)
    expect(first.statusCode, first.body).toBe(201)
    expect(first.json()).toMatchObject({
      id: key,
      amount: '1.50',
      currency: 'TIME',
      state: 'posted',
      memo: 'Spesa',
    })
    const again = await pay(t, anna, body, key)
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual(first.json())
    const other = await pay(t, anna, { ...body, amount: '2.00' }, key)
    expect(other.statusCode).toBe(409)
    expect(other.json()).toMatchObject({ code: 'exists_with_different_fields' })
    expect((await timeAccount(t, anna)).balance).toBe('-1.50')
    expect((await timeAccount(t, bruno)).balance).toBe('1.50')
  })

  it('refuses to pass the credit line, and a retry of a refusal gets the same refusal', async () => {
    const carla = await t.signUp()
    const key = randomUUID()
    const body = { to: { userId: anna.user.id }, amount: '10.01' }
    const refused = await pay(t, carla, body, key)
    expect(refused.statusCode).toBe(422)
    expect(refused.json()).toMatchObject({ code: 'exceeds_credit_limit' })
    // Even with credits now available, the same key answers as it did.
    const issue = await t.request({
      method: 'POST',
      url: '/api/ledger/issuance',
      headers: { ...bearer(admin), 'idempotency-key': randomUUID() },
      payload: { to: { userId: carla.user.id }, amount: '5.00', memo: 'Benvenuta' },
    })
    expect(issue.statusCode, issue.body).toBe(201)
    const retry = await pay(t, carla, body, key)
    expect(retry.statusCode).toBe(422)
    expect(retry.json()).toMatchObject({ code: 'exceeds_credit_limit' })
    expect((await pay(t, carla, { ...body, amount: '15.00' })).statusCode).toBe(201)
    expect((await timeAccount(t, carla)).balance).toBe('-10.00')
  })

  it('refuses bad requests plainly', async () => {
    const noKey = await t.request({
      method: 'POST',
      url: '/api/ledger/transfers',
      headers: bearer(anna),
      payload: { to: { userId: bruno.user.id }, amount: '1.00' },
    })
    expect(noKey.statusCode).toBe(400)
    expect(noKey.json()).toMatchObject({ code: 'idempotency_key_required' })
    expect((await pay(t, anna, { to: { userId: bruno.user.id }, amount: '1.005' })).json()).toMatchObject({
      code: 'invalid_amount',
    })
    expect((await pay(t, anna, { to: { userId: bruno.user.id }, amount: 1.5 })).statusCode).toBe(400)
    expect((await pay(t, anna, { to: { userId: bruno.user.id }, amount: '0' })).statusCode).toBe(400)
    expect((await pay(t, anna, { to: { userId: bruno.user.id }, amount: '-1' })).statusCode).toBe(400)
    expect((await pay(t, anna, { to: { userId: anna.user.id }, amount: '1.00' })).json()).toMatchObject({
      code: 'accounts_must_be_different',
    })
    expect((await pay(t, anna, { to: { userId: randomUUID() }, amount: '1.00' })).json()).toMatchObject({
      code: 'account_not_found',
    })
    const brunos = await timeAccount(t, bruno)
    const steal = await pay(t, anna, { from: brunos.id, to: { userId: anna.user.id }, amount: '1.00' })
    expect(steal.statusCode).toBe(403)
    expect(
      (
        await t.request({
          method: 'POST',
          url: '/api/ledger/transfers',
          headers: { 'idempotency-key': randomUUID() },
          payload: {},
        })
      ).statusCode,
    ).toBe(401)
  })
})

describe('holds', () => {
  it('holds, then posts fewer hours; the rest is released; a second post is a replay, a void is refused', async () => {
    const before = await timeAccount(t, anna)
    const hold = await pay(t, anna, { to: { userId: bruno.user.id }, amount: '3.00', pending: true })
    expect(hold.statusCode, hold.body).toBe(201)
    expect(hold.json().state).toBe('pending')
    const during = await timeAccount(t, anna)
    expect(during.debitsPending).toBe('3.00')
    expect(Number(during.available)).toBeCloseTo(Number(before.available) - 3)

    const byPayee = await t.request({
      method: 'POST',
      url: `/api/ledger/transfers/${hold.json().id}/post`,
      headers: bearer(bruno),
      payload: {},
    })
    expect(byPayee.statusCode).toBe(403)
    const post = await t.request({
      method: 'POST',
      url: `/api/ledger/transfers/${hold.json().id}/post`,
      headers: bearer(anna),
      payload: { amount: '2.00' },
    })
    expect(post.statusCode, post.body).toBe(201)
    expect(post.json()).toMatchObject({ pendingId: hold.json().id, amount: '2.00', state: 'posted' })
    const retry = await t.request({
      method: 'POST',
      url: `/api/ledger/transfers/${hold.json().id}/post`,
      headers: bearer(anna),
      payload: { amount: '2.00' },
    })
    expect(retry.statusCode).toBe(200)
    expect(retry.json().id).toBe(post.json().id)
    const voided = await t.request({
      method: 'POST',
      url: `/api/ledger/transfers/${hold.json().id}/void`,
      headers: bearer(bruno),
    })
    expect(voided.statusCode).toBe(422)
    expect(voided.json()).toMatchObject({ code: 'pending_already_resolved' })

    const after = await timeAccount(t, anna)
    expect(after.debitsPending).toBe('0.00')
    expect(Number(after.balance)).toBeCloseTo(Number(before.balance) - 2)
    const read = await t.request({
      method: 'GET',
      url: `/api/ledger/transfers/${hold.json().id}`,
      headers: bearer(bruno),
    })
    expect(read.json().state).toBe('posted')
  })

  it('lets the payee void a hold, and refuses to post more than was held', async () => {
    const hold = (await pay(t, anna, { to: { userId: bruno.user.id }, amount: '1.00', pending: true })).json()
    const tooMuch = await t.request({
      method: 'POST',
      url: `/api/ledger/transfers/${hold.id}/post`,
      headers: bearer(anna),
      payload: { amount: '1.01' },
    })
    expect(tooMuch.json()).toMatchObject({ code: 'exceeds_pending_amount' })
    const voided = await t.request({
      method: 'POST',
      url: `/api/ledger/transfers/${hold.id}/void`,
      headers: bearer(bruno),
    })
    expect(voided.statusCode).toBe(201)
    expect(voided.json().state).toBe('voided')
    expect((await timeAccount(t, anna)).debitsPending).toBe('0.00')
  })

  it('expires a hold after its timeout: it cannot be posted, and the sweep releases it', async () => {
    const hold = (
      await pay(t, anna, { to: { userId: bruno.user.id }, amount: '1.00', pending: true, timeoutSeconds: 1 })
    ).json()
    expect(hold.expiresAt).not.toBeNull()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const post = await t.request({
      method: 'POST',
      url: `/api/ledger/transfers/${hold.id}/post`,
      headers: bearer(anna),
      payload: {},
    })
    expect(post.statusCode).toBe(422)
    expect(post.json()).toMatchObject({ code: 'pending_expired' })
    expect(await voidExpiredHolds(t.app.ledger)).toBe(1)
    expect(await voidExpiredHolds(t.app.ledger)).toBe(0)
    const read = await t.request({
      method: 'GET',
      url: `/api/ledger/transfers/${hold.id}`,
      headers: bearer(anna),
    })
    expect(read.json().state).toBe('voided')
  })
})

describe('statement', () => {
  it('lists newest first with the running balance, pages by cursor, and exports CSV', async () => {
    const dora = await t.signUp()
    for (const amount of ['1.00', '2.00', '0.50']) {
      expect(
        (await pay(t, dora, { to: { userId: anna.user.id }, amount, memo: `=cmd ${amount}` })).statusCode,
      ).toBe(201)
    }
    const account = await timeAccount(t, dora)
    const first = await t.request({
      method: 'GET',
      url: `/api/ledger/accounts/${account.id}/transfers?limit=2`,
      headers: bearer(dora),
    })
    expect(first.statusCode).toBe(200)
    const page = first.json()
    expect(
      page.items.map((l: { amount: string; balance: string; direction: string }) => [
        l.amount,
        l.balance,
        l.direction,
      ]),
    ).toEqual([
      ['0.50', '-3.50', 'debit'],
      ['2.00', '-3.00', 'debit'],
    ])
    const second = await t.request({
      method: 'GET',
      url: `/api/ledger/accounts/${account.id}/transfers?limit=2&cursor=${page.nextCursor}`,
      headers: bearer(dora),
    })
    expect(second.json().items.map((l: { balance: string }) => l.balance)).toEqual(['-1.00'])
    expect(second.json().nextCursor).toBeNull()

    const csv = await t.request({
      method: 'GET',
      url: `/api/ledger/accounts/${account.id}/transfers?format=csv`,
      headers: bearer(dora),
    })
    expect(csv.headers['content-type']).toContain('text/csv')
    const lines = csv.body.trim().split('\n')
    expect(lines[0]).toMatch(/^createdAt,id,direction,amount,currency,balance,state/)
    expect(lines).toHaveLength(4)
    expect(lines[1]).toContain(",'=cmd 0.50,")
  })
})

describe('exchanges on offers and requests', () => {
  async function createEntity(tokens: AuthTokens, kind: 'offer' | 'request' | 'space') {
    const response = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(tokens),
      payload: validEntityByKind[kind],
    })
    return response.json().id as string
  }

  it('on an offer: the caller receives, the author gives; the receiver confirms fewer hours', async () => {
    const offer = await createEntity(bruno, 'offer')
    const brunoBefore = await timeAccount(t, bruno)
    const opened = await t.request({
      method: 'POST',
      url: `/api/entities/${offer}/exchanges`,
      headers: bearer(anna),
      payload: { hours: '2.00' },
    })
    expect(opened.statusCode, opened.body).toBe(201)
    const exchange = opened.json()
    expect(exchange).toMatchObject({
      providerId: bruno.user.id,
      receiverId: anna.user.id,
      hours: '2.00',
      state: 'pending',
      entityKind: 'offer',
    })

    const byProvider = await t.request({
      method: 'POST',
      url: `/api/ledger/exchanges/${exchange.id}/confirm`,
      headers: bearer(bruno),
      payload: {},
    })
    expect(byProvider.statusCode).toBe(403)
    const confirmed = await t.request({
      method: 'POST',
      url: `/api/ledger/exchanges/${exchange.id}/confirm`,
      headers: bearer(anna),
      payload: { hours: '1.50' },
    })
    expect(confirmed.statusCode, confirmed.body).toBe(200)
    expect(confirmed.json()).toMatchObject({ state: 'posted', postedHours: '1.50' })
    expect(Number((await timeAccount(t, bruno)).balance)).toBeCloseTo(Number(brunoBefore.balance) + 1.5)

    for (const who of [anna, bruno]) {
      const list = await t.request({ method: 'GET', url: '/api/ledger/exchanges', headers: bearer(who) })
      expect(list.json().items.map((x: { id: string }) => x.id)).toContain(exchange.id)
    }
    const outsider = await t.signUp()
    const theirs = await t.request({ method: 'GET', url: '/api/ledger/exchanges', headers: bearer(outsider) })
    expect(theirs.json().items).toEqual([])
  })

  it('on a request: the caller gives, the author pays; either side cancels', async () => {
    const request = await createEntity(anna, 'request')
    const opened = await t.request({
      method: 'POST',
      url: `/api/entities/${request}/exchanges`,
      headers: bearer(bruno),
      payload: { hours: '1.00' },
    })
    expect(opened.json()).toMatchObject({ providerId: bruno.user.id, receiverId: anna.user.id })
    expect((await timeAccount(t, anna)).debitsPending).toBe('1.00')
    const cancelled = await t.request({
      method: 'POST',
      url: `/api/ledger/exchanges/${opened.json().id}/cancel`,
      headers: bearer(bruno),
    })
    expect(cancelled.statusCode).toBe(200)
    expect(cancelled.json().state).toBe('voided')
    expect((await timeAccount(t, anna)).debitsPending).toBe('0.00')
  })

  it('refuses exchanges on your own offer and on things that are not offers or requests', async () => {
    const offer = await createEntity(anna, 'offer')
    const own = await t.request({
      method: 'POST',
      url: `/api/entities/${offer}/exchanges`,
      headers: bearer(anna),
      payload: { hours: '1.00' },
    })
    expect(own.json()).toMatchObject({ code: 'own_entity' })
    const space = await createEntity(anna, 'space')
    const notOffer = await t.request({
      method: 'POST',
      url: `/api/entities/${space}/exchanges`,
      headers: bearer(bruno),
      payload: { hours: '1.00' },
    })
    expect(notOffer.statusCode).toBe(422)
    expect(notOffer.json()).toMatchObject({ code: 'not_exchangeable' })
  })
})

describe('administration', () => {
  it('an admin sets limits; members cannot; limits below the current balance are refused', async () => {
    const eva = await t.signUp()
    const account = await timeAccount(t, eva)
    const path = `/api/ledger/accounts/${account.id}/limits`
    expect(
      (
        await t.request({
          method: 'PATCH',
          url: path,
          headers: bearer(eva),
          payload: { lowerLimit: '-50.00', upperLimit: null },
        })
      ).statusCode,
    ).toBe(403)
    const widened = await t.request({
      method: 'PATCH',
      url: path,
      headers: bearer(admin),
      payload: { lowerLimit: '-50.00', upperLimit: '100.00' },
    })
    expect(widened.statusCode, widened.body).toBe(200)
    expect(widened.json()).toMatchObject({ lowerLimit: '-50.00', upperLimit: '100.00' })
    expect((await pay(t, eva, { to: { userId: anna.user.id }, amount: '30.00' })).statusCode).toBe(201)
    const narrowed = await t.request({
      method: 'PATCH',
      url: path,
      headers: bearer(admin),
      payload: { lowerLimit: '-10.00', upperLimit: null },
    })
    expect(narrowed.json()).toMatchObject({ code: 'limit_below_balance' })
    const over = await t.request({
      method: 'POST',
      url: '/api/ledger/issuance',
      headers: { ...bearer(admin), 'idempotency-key': randomUUID() },
      payload: { to: account.id, amount: '200.00', memo: 'Troppo' },
    })
    expect(over.json()).toMatchObject({ code: 'exceeds_upper_limit' })
    const notAdmin = await t.request({
      method: 'POST',
      url: '/api/ledger/issuance',
      headers: { ...bearer(eva), 'idempotency-key': randomUUID() },
      payload: { to: account.id, amount: '1.00', memo: 'Per me' },
    })
    expect(notAdmin.statusCode).toBe(403)
  })

  it('corrects a mistake with a reversing transfer that points at it, once', async () => {
    const original = (
      await pay(t, anna, { to: { userId: bruno.user.id }, amount: '0.75', memo: 'Per errore' })
    ).json()
    const annas = await timeAccount(t, anna)
    const reversal = await pay(t, bruno, {
      to: annas.id,
      amount: '0.75',
      reversalOf: original.id,
      memo: 'Storno',
    })
    expect(reversal.statusCode, reversal.body).toBe(201)
    expect(reversal.json().reversalOf).toBe(original.id)
    const twice = await pay(t, bruno, { to: annas.id, amount: '0.75', reversalOf: original.id })
    expect(twice.json()).toMatchObject({ code: 'already_reversed' })
  })
})
