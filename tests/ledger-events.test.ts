import { randomUUID } from 'node:crypto'
import type { AuthTokens } from '@quartiere/contracts'
import { voidExpiredHolds } from '@quartiere/ledger'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from './support/fixtures'
import { pay } from './support/ledger'
import { rewritePast } from './support/past'
import { bearer, createTestApp, type TestApp } from './support/test-app'

// The ledger writes the realtime feed's events in the same transaction as each transfer: what the API shows
// of the transfer, for the people behind its two accounts only.

let t: TestApp
let anna: AuthTokens
let bruno: AuthTokens
beforeAll(async () => {
  t = await createTestApp()
  ;[anna, bruno] = await Promise.all([t.signUp(), t.signUp()])
})
afterAll(async () => {
  await t?.close()
})

interface OutboxRow {
  seq: string
  topic: string
  entity_id: string | null
  audience: string[] | null
  payload: Record<string, unknown>
}

async function eventsAfter(seq: string): Promise<OutboxRow[]> {
  const result = await sql<OutboxRow>`
    SELECT seq::text, topic, entity_id, audience, payload FROM events_outbox
    WHERE seq > ${seq}::bigint AND (topic LIKE 'transfer.%' OR topic LIKE 'exchange.%') ORDER BY events_outbox.seq`.execute(
    t.database.db,
  )
  return result.rows
}

async function lastSeq(): Promise<string> {
  const result = await sql<{
    seq: string
  }>`SELECT coalesce(max(seq), 0)::text AS seq FROM events_outbox`.execute(t.database.db)
  return result.rows[0]!.seq
}

describe('ledger events in the outbox', () => {
  it('a transfer raises transfer.posted for its two owners, with the amount as the API shows it', async () => {
    const before = await lastSeq()
    const id = randomUUID()
    const response = await pay(t, anna, { to: { userId: bruno.user.id }, amount: '1.25', memo: 'pane' }, id)
    expect(response.statusCode, response.body).toBe(201)
    const events = await eventsAfter(before)
    expect(events).toHaveLength(1)
    expect(events[0]!.topic).toBe('transfer.posted')
    expect([...events[0]!.audience!].sort()).toEqual([anna.user.id, bruno.user.id].sort())
    expect(events[0]!.payload).toMatchObject({
      id,
      amount: '1.25',
      currency: 'TIME',
      state: 'posted',
      memo: 'pane',
    })
    expect(events[0]!.payload).toEqual(response.json())
  })

  it('the payee, not the payer, finds the transfer among their notifications, announced live', async () => {
    const before = await lastSeq()
    const id = randomUUID()
    expect((await pay(t, anna, { to: { userId: bruno.user.id }, amount: '0.10' }, id)).statusCode).toBe(201)
    const notificationsOf = async (who: AuthTokens) => {
      const response = await t.request({ method: 'GET', url: '/api/notifications', headers: bearer(who) })
      expect(response.statusCode, response.body).toBe(200)
      return response.json().items as { id: string; topic: string; payload: { id?: string }; readAt: null }[]
    }
    const brunos = (await notificationsOf(bruno)).filter((n) => n.payload.id === id)
    expect(brunos).toHaveLength(1)
    // Which way it went, for this reader: into an account of theirs.
    expect(brunos[0]).toMatchObject({
      topic: 'transfer.posted',
      readAt: null,
      payload: { amount: '0.10', direction: 'in' },
    })
    expect((await notificationsOf(anna)).filter((n) => n.payload.id === id)).toEqual([])
    const announced = await sql<{ audience: string[]; payload: { id: string } }>`
      SELECT audience, payload FROM events_outbox
      WHERE seq > ${before}::bigint AND topic = 'notification.created'`.execute(t.database.db)
    expect(announced.rows).toHaveLength(1)
    expect(announced.rows[0]).toMatchObject({ audience: [bruno.user.id], payload: { id: brunos[0]!.id } })
  })

  it('a refused or replayed transfer raises nothing', async () => {
    const before = await lastSeq()
    const refused = await pay(t, anna, { to: { userId: bruno.user.id }, amount: '500.00' })
    expect(refused.statusCode).toBe(422)
    const key = randomUUID()
    await pay(t, anna, { to: { userId: bruno.user.id }, amount: '0.50' }, key)
    await pay(t, anna, { to: { userId: bruno.user.id }, amount: '0.50' }, key)
    expect((await eventsAfter(before)).map((e) => e.topic)).toEqual(['transfer.posted'])
  })

  it('a hold raises transfer.pending, and its void transfer.voided', async () => {
    const before = await lastSeq()
    const hold = await pay(t, anna, { to: { userId: bruno.user.id }, amount: '2.00', pending: true })
    expect(hold.statusCode).toBe(201)
    const voided = await t.request({
      method: 'POST',
      url: `/api/ledger/transfers/${hold.json().id}/void`,
      headers: { ...bearer(bruno), 'idempotency-key': randomUUID() },
      payload: {},
    })
    expect(voided.statusCode, voided.body).toBe(201)
    const events = await eventsAfter(before)
    expect(
      events.map((e) => e.topic),
      JSON.stringify(events),
    ).toEqual(['transfer.pending', 'transfer.voided'])
    expect(events[1]!.payload).toMatchObject({ pendingId: hold.json().id, state: 'voided' })
    // The live events are the same for both sides; each notification says its reader's side.
    expect(events[0]!.payload).not.toHaveProperty('direction')
    const notified = async (who: AuthTokens, topic: string) => {
      const response = await t.request({ method: 'GET', url: '/api/notifications', headers: bearer(who) })
      const items = response.json().items as { topic: string; payload: { id?: string; pendingId?: string } }[]
      return items.find(
        (n) =>
          n.topic === topic && (n.payload.id === hold.json().id || n.payload.pendingId === hold.json().id),
      )
    }
    expect((await notified(bruno, 'transfer.pending'))?.payload).toMatchObject({ direction: 'in' })
    expect((await notified(anna, 'transfer.voided'))?.payload).toMatchObject({ direction: 'out' })
  })

  it('an exchange raises exchange.opened, then confirmed, for its two parties', async () => {
    const offer = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(bruno),
      payload: validEntityByKind.offer,
    })
    const before = await lastSeq()
    const opened = await t.request({
      method: 'POST',
      url: `/api/entities/${offer.json().id}/exchanges`,
      headers: bearer(anna),
      payload: { hours: '1.00' },
    })
    expect(opened.statusCode, opened.body).toBe(201)
    const exchange = opened.json()
    await t.request({
      method: 'POST',
      url: `/api/ledger/exchanges/${exchange.id}/confirm`,
      headers: bearer(anna),
      payload: { hours: '0.75' },
    })
    const events = await eventsAfter(before)
    expect(events.map((e) => e.topic)).toEqual([
      'transfer.pending',
      'exchange.opened',
      'transfer.posted',
      'exchange.confirmed',
    ])
    for (const event of events) {
      expect([...event.audience!].sort()).toEqual([anna.user.id, bruno.user.id].sort())
    }
    expect(events[1]!.payload).toMatchObject({ id: exchange.id, state: 'opened', hours: '1.00' })
    expect(events[3]!.payload).toMatchObject({ id: exchange.id, state: 'confirmed', hours: '0.75' })
  })

  it('an exchange left unconfirmed past its timeout raises exchange.expired', async () => {
    const offer = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(bruno),
      payload: validEntityByKind.offer,
    })
    const opened = await t.request({
      method: 'POST',
      url: `/api/entities/${offer.json().id}/exchanges`,
      headers: bearer(anna),
      payload: { hours: '1.00' },
    })
    const exchange = opened.json()
    await rewritePast(t.database.db, (trx) =>
      sql`UPDATE transfers SET expires_at = now() - interval '1 second' WHERE id = ${exchange.holdId}`.execute(
        trx,
      ),
    )
    const before = await lastSeq()
    expect(await voidExpiredHolds(t.app.ledger)).toBeGreaterThanOrEqual(1)
    const events = await eventsAfter(before)
    expect(events.map((e) => e.topic)).toEqual(['transfer.voided', 'exchange.expired'])
    expect(events[1]!.payload).toMatchObject({ id: exchange.id, state: 'expired', hours: null })
  })
})
