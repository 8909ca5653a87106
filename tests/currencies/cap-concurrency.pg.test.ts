import { randomUUID } from 'node:crypto'
import type { Database } from '@quartiere/db'
import {
  createCampaign,
  createLedger,
  depositCampaign,
  type Ledger,
  mintCurrency,
  pledge,
} from '@quartiere/ledger'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ledgerViolations } from '../support/ledger'
import { openTestDatabase } from '../support/test-database'
import { insertGroup, insertMembers, insertProject, issue, supplyOf } from './support'

/**
 * Many at once at the cap, on PostgreSQL with two ledgers (two instances' batchers) on one database: mints racing
 * for the last units of a capped currency, and backers pledging at the same moment into a campaign whose cap
 * they oversubscribe. Afterwards the audit is empty, the supply never passed the cap, and the campaign holds
 * exactly its cap, with every pledge posted once.
 */

const backersCount = 40
let database: Database
let ledgers: [Ledger, Ledger]

beforeAll(async () => {
  database = await openTestDatabase()
  ledgers = [createLedger(database.db), createLedger(database.db)]
})
afterAll(async () => {
  await Promise.all(ledgers?.map((l) => l.batcher.drain()) ?? [])
  await database?.close()
})

it(`keeps the cap when ${backersCount} backers pledge at once and mints race for the last units`, async () => {
  const [issuer, owner] = await insertMembers(database, 2, 'cap')
  const backers = await insertMembers(database, backersCount, 'backer')
  const groupId = await insertGroup(database, issuer!)
  await issue(database, issuer!, groupId, { code: 'CAPCOIN', kind: 'coin', supplyCap: '1000.00' })
  await issue(database, issuer!, groupId, { code: 'CAPGIFT', kind: 'coupon' })

  // 40 mints of 20.00 to the backers at once (800.00), then 20 of 25.00 to the group racing through two
  // instances for the last 200.00 of a cap of 1000.00: exactly 8 of them pass.
  const funded = await Promise.all(
    backers.map((b, i) =>
      mintCurrency(ledgers[i % 2]!, issuer!, 'CAPCOIN', {
        id: randomUUID(),
        to: { userId: b.userId },
        amount: '20.00',
        memo: 'race',
      }),
    ),
  )
  expect(funded.every((r) => r.ok)).toBe(true)
  const racing = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      mintCurrency(ledgers[i % 2]!, issuer!, 'CAPCOIN', {
        id: randomUUID(),
        to: { groupId },
        amount: '25.00',
        memo: 'race',
      }),
    ),
  )
  expect(racing.filter((r) => r.ok)).toHaveLength(8)
  expect(racing.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.code))).toEqual(
    Array(12).fill('supply_cap_reached'),
  )
  expect(await supplyOf(database, 'CAPCOIN')).toBe(100_000n)

  const minted = await mintCurrency(ledgers[0], issuer!, 'CAPGIFT', {
    id: randomUUID(),
    to: { userId: owner!.userId },
    amount: '100',
    memo: 'for the deposit',
  })
  expect(minted.ok).toBe(true)
  const projectId = await insertProject(database, owner!)
  const id = randomUUID()
  const created = await database.db.transaction().execute((trx) =>
    createCampaign(trx, owner!, {
      id,
      entityId: projectId,
      title: 'Corsa al tetto',
      acceptCurrency: 'CAPCOIN',
      giveCurrency: 'CAPGIFT',
      ratio: { accept: '1.00', give: '1' },
      cap: '100.00',
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    }),
  )
  expect(created.ok).toBe(true)
  expect((await ledgers[1]!.db.transaction().execute((trx) => depositCampaign(trx, owner!, id))).ok).toBe(
    true,
  )

  // Each backer asks for 3.00..7.00: about 200.00 asked for a cap of 100.00.
  const results = await Promise.all(
    backers.map((b, i) =>
      ledgers[i % 2]!.db.transaction().execute((trx) =>
        pledge(trx, b, id, { id: randomUUID(), amount: `${3 + (i % 5)}.00` }),
      ),
    ),
  )
  const accepted = results.flatMap((r) => (r.ok ? [r.pledge] : []))
  const refusals = results.flatMap((r) => (r.ok ? [] : [r.code]))
  expect(new Set(refusals)).toEqual(new Set(['campaign_closed']))
  const total = accepted.reduce((sum, p) => sum + BigInt(p.amount.replace('.', '')), 0n)
  expect(total).toBe(10_000n)
  // At most one pledge was cut, the last one in.
  expect(accepted.filter((p) => p.amount !== p.requested).length).toBeLessThanOrEqual(1)
  const campaign = await database.db
    .selectFrom('campaigns')
    .select(['state'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  expect(campaign.state).toBe('funded')
  const resolutions = await database.db
    .selectFrom('campaign_pledges as p')
    .leftJoin('transfers as r', 'r.pending_id', 'p.id')
    .select(['p.id', 'r.type'])
    .where('p.campaign_id', '=', id)
    .execute()
  expect(resolutions.every((r) => r.type === 'post_pending')).toBe(true)
  expect(new Set(resolutions.map((r) => r.id)).size).toBe(resolutions.length)
  expect(await supplyOf(database, 'CAPCOIN')).toBeLessThanOrEqual(100_000n)
  expect(await ledgerViolations(database)).toEqual([])
}, 120_000)
