import { randomUUID } from 'node:crypto'
import type { Database } from '@quartiere/db'
import { sql } from 'kysely'
import { expect } from 'vitest'
import { bearer, type TestApp } from './test-app'

/** Runs the ledger's own audit: an empty list means every invariant holds. */
export async function ledgerViolations(database: Database) {
  const result = await sql<{ violation: string; detail: string }>`SELECT * FROM ledger_audit()`.execute(
    database.db,
  )
  return result.rows
}

export async function expectBooksBalance(database: Database) {
  expect(await ledgerViolations(database)).toEqual([])
}

export function pay(
  t: TestApp,
  tokens: { accessToken: string },
  body: Record<string, unknown>,
  key: string = randomUUID(),
) {
  return t.request({
    method: 'POST',
    url: '/api/ledger/transfers',
    headers: { ...bearer(tokens), 'idempotency-key': key },
    payload: body,
  })
}

export async function timeAccount(t: TestApp, tokens: { accessToken: string }) {
  const response = await t.request({ method: 'GET', url: '/api/ledger/accounts', headers: bearer(tokens) })
  expect(response.statusCode).toBe(200)
  const account = response
    .json()
    .items.find(
      (a: { currency: string; owner: { type: string } }) => a.currency === 'TIME' && a.owner.type === 'user',
    )
  expect(account).toBeDefined()
  return account as {
    id: string
    balance: string
    available: string
    debitsPending: string
    creditsPending: string
    lowerLimit: string | null
  }
}
