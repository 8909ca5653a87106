import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient } from '../../apps/web/src/api/client'
import { ApiProblem } from '../../apps/web/src/api/problem'
import { memoryStorage, SessionStore } from '../../apps/web/src/session/session'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp, testPassword } from '../support/test-app'

/** The web client's API client and session store against the real API over real HTTP. */
describe('the web API client', () => {
  let t: TestApp
  let baseUrl: string

  beforeAll(async () => {
    t = await createTestApp()
    await t.app.fastify.listen({ port: 0, host: '127.0.0.1' })
    baseUrl = `http://127.0.0.1:${(t.app.fastify.server.address() as AddressInfo).port}`
  })
  afterAll(() => t.close())

  function signedInClient() {
    const session = new SessionStore(memoryStorage())
    const api = new ApiClient({ baseUrl, tokens: session })
    session.attach(api)
    return { session, api }
  }

  it('registers, creates, reads, pages and edits with If-Match, reporting 412 with the current version', async () => {
    const { session, api } = signedInClient()
    const email = `client.${Date.now()}@example.org`
    session.signIn(await api.register({ email, password: testPassword, displayName: 'Cliente' }))
    expect(session.user()?.displayName).toBe('Cliente')

    const created = await api.createEntity(validEntityByKind.event)
    expect(created.version).toBe(1)
    const read = await api.getEntity(created.value.id)
    expect(read.value.properties.title).toBe(validEntityByKind.event.title)

    for (let index = 0; index < 3; index += 1) {
      await api.createEntity({ ...validEntityByKind.space, title: `Spazio ${index}` })
    }
    const pages: number[] = []
    const result = await api.eachEntitiesPage({ bbox: [7.5, 44.9, 7.8, 45.2], limit: 2 }, 100, (features) =>
      pages.push(features.length),
    )
    expect(result.complete).toBe(true)
    expect(pages.reduce((a, b) => a + b, 0)).toBe(4)
    expect(pages.length).toBeGreaterThan(1)

    const updated = await api.updateEntity(created.value.id, 1, { title: 'Nuovo titolo' })
    expect(updated.version).toBe(2)
    const stale = await api
      .updateEntity(created.value.id, 1, { title: 'Vecchio' })
      .catch((error: unknown) => error)
    expect(stale).toBeInstanceOf(ApiProblem)
    expect((stale as ApiProblem).status).toBe(412)
    expect((stale as ApiProblem).code).toBe('version_mismatch')
    expect((stale as ApiProblem).etag).toBe('"2"')
  })

  it('turns validation problems into field errors', async () => {
    const { session, api } = signedInClient()
    session.signIn(
      await api.register({
        email: `fields.${Date.now()}@example.org`,
        password: testPassword,
        displayName: 'F',
      }),
    )
    const failure = await api
      .createEntity({ ...validEntityByKind.event, properties: { startsAt: 'yesterday' } })
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ApiProblem)
    const fields = (failure as ApiProblem).fieldErrors()
    expect(Object.keys(fields).some((field) => field.startsWith('properties.'))).toBe(true)
  })

  it('serialises concurrent refreshes: one rotation, the login survives', async () => {
    const { session, api } = signedInClient()
    session.signIn(
      await api.register({
        email: `refresh.${Date.now()}@example.org`,
        password: testPassword,
        displayName: 'R',
      }),
    )
    const tokens = await Promise.all([session.refresh(), session.refresh(), session.refresh()])
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).toBeTruthy()
    // Had two refreshes used the same token, the server would have revoked the login: it still works.
    expect((await api.me()).displayName).toBe('R')
    expect(await session.refresh()).toBeTruthy()
    expect(session.user()).not.toBeNull()
  })

  it('pays another member and reads both statements with running balances', async () => {
    const payer = signedInClient()
    const payee = signedInClient()
    const stamp = Date.now()
    payer.session.signIn(
      await payer.api.register({
        email: `payer.${stamp}@example.org`,
        password: testPassword,
        displayName: 'Payer',
      }),
    )
    payee.session.signIn(
      await payee.api.register({
        email: `payee.${stamp}@example.org`,
        password: testPassword,
        displayName: `Payee ${stamp}`,
      }),
    )
    const found = await payer.api.searchMembers(`Payee ${stamp}`)
    expect(found.items).toHaveLength(1)
    const key = crypto.randomUUID()
    await payer.api.transfer(
      { to: { userId: found.items[0]?.id as string }, amount: '1.50', memo: 'grazie' },
      key,
    )
    // The same key again is the same transfer, not a second payment.
    await payer.api.transfer(
      { to: { userId: found.items[0]?.id as string }, amount: '1.50', memo: 'grazie' },
      key,
    )
    const [payerAccount] = (await payer.api.accounts()).items
    const [payeeAccount] = (await payee.api.accounts()).items
    expect(payerAccount?.balance).toBe('-1.50')
    expect(payeeAccount?.balance).toBe('1.50')
    const statement = await payee.api.statement(payeeAccount?.id as string)
    expect(statement.items).toHaveLength(1)
    expect(statement.items[0]).toMatchObject({ direction: 'credit', balance: '1.50', memo: 'grazie' })
    const over = await payer.api
      .transfer({ to: { userId: found.items[0]?.id as string }, amount: '100' }, crypto.randomUUID())
      .catch((error: unknown) => error)
    expect((over as ApiProblem).code).toBe('exceeds_credit_limit')
  })

  it('logs out and then has no session', async () => {
    const { session, api } = signedInClient()
    session.signIn(
      await api.register({
        email: `out.${Date.now()}@example.org`,
        password: testPassword,
        displayName: 'O',
      }),
    )
    await session.signOut()
    expect(session.user()).toBeNull()
    expect(await session.accessToken()).toBeNull()
    await expect(api.me()).rejects.toMatchObject({ status: 401 })
  })
})
