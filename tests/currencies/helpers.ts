import { randomUUID } from 'node:crypto'
import type { AuthTokens, Campaign, Currency, EntityFeature, Transfer } from '@quartiere/contracts'
import { expect } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { bearer, type TestApp } from '../support/test-app'

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

/** Small helpers over the test app, so each test reads as the flow it checks. */
export function money(t: TestApp) {
  async function call(method: Method, url: string, tokens?: AuthTokens, payload?: unknown, headers = {}) {
    return t.request({
      method,
      url,
      headers: { ...(tokens ? bearer(tokens) : {}), ...headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    })
  }
  async function ok<T = unknown>(
    method: Method,
    url: string,
    tokens?: AuthTokens,
    payload?: unknown,
    status = method === 'POST' ? 201 : 200,
  ): Promise<T> {
    const response = await call(method, url, tokens, payload)
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status)
    return (response.body ? response.json() : undefined) as T
  }
  /** A refusal: its status and stable code. */
  async function refused(
    method: Method,
    url: string,
    tokens: AuthTokens | undefined,
    payload: unknown,
    status: number,
    code: string,
  ) {
    const response = await call(method, url, tokens, payload)
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status)
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(response.json().code).toBe(code)
    return response.json()
  }
  async function group(owner: AuthTokens, managers: AuthTokens[] = []): Promise<EntityFeature> {
    const created = await ok<EntityFeature>('POST', '/api/entities', owner, validEntityByKind.group)
    if (managers.length) {
      await t.database.db
        .insertInto('group_members')
        .values(
          managers.map((m) => ({
            group_id: created.id as string,
            user_id: m.user.id,
            role: 'manager' as const,
          })),
        )
        .execute()
    }
    return created
  }
  async function project(author: AuthTokens): Promise<EntityFeature> {
    return ok<EntityFeature>('POST', '/api/entities', author, validEntityByKind.project)
  }
  async function currency(manager: AuthTokens, body: Record<string, unknown>): Promise<Currency> {
    return ok<Currency>('POST', '/api/ledger/currencies', manager, {
      terms: 'Accepted at the garden kiosk.',
      ...body,
    })
  }
  async function mint(manager: AuthTokens, code: string, to: object, amount: string) {
    return ok<Transfer>('POST', `/api/ledger/currencies/${code}/mint`, manager, {
      id: randomUUID(),
      to,
      amount,
      memo: 'Mint',
    })
  }
  async function balance(tokens: AuthTokens, code: string, owner: 'user' | 'group' = 'user') {
    const accounts = await ok<{
      items: { currency: string; owner: { type: string }; balance: string; available: string; id: string }[]
    }>('GET', '/api/ledger/accounts', tokens)
    return accounts.items.find((a) => a.currency === code && a.owner.type === owner)
  }
  async function campaign(id: string) {
    return ok<Campaign>('GET', `/api/campaigns/${id}`)
  }
  return { call, ok, refused, group, project, currency, mint, balance, campaign }
}

/** A unique currency code for one test (codes are global in a database). */
let codes = 0
export function code(prefix: string) {
  codes += 1
  return `${prefix}${codes}`.slice(0, 12)
}
