import { randomUUID } from 'node:crypto'
import type { AuthTokens, Campaign, Pledge } from '@quartiere/contracts'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectBooksBalance } from '../support/ledger'
import { createTestApp, type TestApp } from '../support/test-app'
import { code, money } from './helpers'

/**
 * A campaign's state moves only along its lifecycle (locked → open → funded, stopped or failed; locked → stopped
 * or failed): every route that can write it refuses a skipped or repeated step with a problem, and changes
 * nothing, neither the campaign nor anyone's money.
 */

let t: TestApp
let m: ReturnType<typeof money>
let issuer: AuthTokens
let owner: AuthTokens
let anna: AuthTokens
let coin: string
let coupon: string

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString()

beforeAll(async () => {
  t = await createTestApp()
  m = money(t)
  ;[issuer, owner, anna] = await Promise.all([t.signUp(), t.signUp(), t.signUp()])
  const groupId = (await m.group(issuer)).id as string
  coin = code('LIFE')
  coupon = code('DONO')
  await m.currency(issuer, { code: coin, name: 'Euro di quartiere', kind: 'coin', issuerGroupId: groupId })
  await m.currency(issuer, { code: coupon, name: 'Buono', kind: 'coupon', issuerGroupId: groupId })
  await m.mint(issuer, coin, { userId: anna.user.id }, '100.00')
  await m.mint(issuer, coupon, { userId: owner.user.id }, '1000')
})
afterEach(async () => {
  await expectBooksBalance(t.database)
})
afterAll(async () => {
  await t?.close()
})

/** A campaign of the owner's: 2.00 coins give back 1 coupon, cap 4.00 (a deposit of 2 coupons). */
function campaignBody(extra: Record<string, unknown> = {}) {
  return {
    title: 'Fontanella',
    acceptCurrency: coin,
    giveCurrency: coupon,
    ratio: { accept: '2.00', give: '1' },
    cap: '4.00',
    endsAt: inAWeek(),
    ...extra,
  }
}

async function lockedCampaign(): Promise<Campaign> {
  const project = await m.project(owner)
  return m.ok<Campaign>('POST', '/api/campaigns', owner, campaignBody({ entityId: project.id }))
}

async function openCampaign(): Promise<Campaign> {
  const campaign = await lockedCampaign()
  return m.ok<Campaign>('POST', `/api/campaigns/${campaign.id}/deposit`, owner, undefined, 200)
}

const pledgeTo = (id: string, amount: string) =>
  m.ok<{ pledge: Pledge; campaign: Campaign }>('POST', `/api/campaigns/${id}/pledges`, anna, {
    id: randomUUID(),
    amount,
  })

/** What a refused step must leave as it was: the campaign (as stored), its pledges and both people's money. */
async function snapshot(id: string) {
  const row = await t.database.db
    .selectFrom('campaigns')
    .select(['state', 'deposit_transfer_id', 'settled_at'])
    .where('id', '=', id)
    .executeTakeFirst()
  const pledges = await t.database.db
    .selectFrom('campaign_pledges')
    .select(['id', 'amount', 'payout_transfer_id'])
    .where('campaign_id', '=', id)
    .orderBy('seq')
    .execute()
  const transfers = await t.database.db
    .selectFrom('transfers')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return {
    row,
    pledges,
    transfers: transfers.n,
    campaign: await m.campaign(id),
    ownerCoupons: (await m.balance(owner, coupon))?.balance,
    annaCoins: (await m.balance(anna, coin))?.available,
  }
}

/** Every route that writes a campaign's state, tried on one campaign: each must answer `status` and `code`. */
async function everyWriteRefused(id: string, pledgeId: string | undefined, status: number, codes: string[]) {
  const before = await snapshot(id)
  const attempts = [
    m.call('POST', `/api/campaigns/${id}/deposit`, owner),
    m.call('POST', `/api/campaigns/${id}/stop`, owner),
    m.call('POST', `/api/campaigns/${id}/pledges`, anna, { id: randomUUID(), amount: '4.00' }),
    ...(pledgeId ? [m.call('POST', `/api/campaigns/${id}/pledges/${pledgeId}/withdraw`, anna)] : []),
  ]
  for (const response of await Promise.all(attempts)) {
    expect(response.statusCode, response.body).toBe(status)
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(codes).toContain(response.json().code)
  }
  expect(await snapshot(id)).toEqual(before)
}

describe("a campaign's lifecycle cannot be skipped by any route", () => {
  it('a new campaign takes no state from its creator: a body that names one is refused and creates nothing', async () => {
    const project = await m.project(owner)
    for (const forged of [{ state: 'open' }, { state: 'funded' }, { deposited: true }]) {
      const id = randomUUID()
      const response = await m.call(
        'POST',
        '/api/campaigns',
        owner,
        campaignBody({ id, entityId: project.id, ...forged }),
      )
      expect(response.statusCode, response.body).toBe(400)
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/)
      await m.refused('GET', `/api/campaigns/${id}`, undefined, undefined, 404, 'not_found')
    }
    // And one created plainly starts where the lifecycle starts.
    expect((await lockedCampaign()).state).toBe('locked')
  })

  it('no route sets a state directly', async () => {
    const campaign = await openCampaign()
    const before = await snapshot(campaign.id)
    for (const method of ['PATCH', 'PUT'] as const) {
      const response = await m.call(method, `/api/campaigns/${campaign.id}`, owner, { state: 'funded' })
      expect(response.statusCode).toBeGreaterThanOrEqual(400)
      expect(response.statusCode).toBeLessThan(500)
    }
    expect(await snapshot(campaign.id)).toEqual(before)
  })

  it('a locked campaign cannot skip its deposit: a pledge of the whole cap does not fund it', async () => {
    const campaign = await lockedCampaign()
    const before = await snapshot(campaign.id)
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/pledges`,
      anna,
      { id: randomUUID(), amount: '4.00' },
      422,
      'campaign_locked',
    )
    expect(await snapshot(campaign.id)).toEqual(before)
    expect(before.campaign.state).toBe('locked')
  })

  it('an open campaign is not opened twice', async () => {
    const campaign = await openCampaign()
    const before = await snapshot(campaign.id)
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/deposit`,
      owner,
      undefined,
      409,
      'already_deposited',
    )
    expect(await snapshot(campaign.id)).toEqual(before)
    expect(before.campaign.state).toBe('open')
  })

  it('a funded campaign stays funded: deposit, stop, pledge and withdraw are refused', async () => {
    const campaign = await openCampaign()
    const { pledge, campaign: funded } = await pledgeTo(campaign.id, '4.00')
    expect(funded.state).toBe('funded')
    await everyWriteRefused(campaign.id, pledge.id, 422, ['campaign_closed'])
  })

  it('a stopped campaign stays stopped: deposit, stop, pledge and withdraw are refused', async () => {
    const campaign = await openCampaign()
    const { pledge } = await pledgeTo(campaign.id, '2.00')
    const stopped = await m.ok<Campaign>('POST', `/api/campaigns/${campaign.id}/stop`, owner, undefined, 200)
    expect(stopped.state).toBe('stopped')
    await everyWriteRefused(campaign.id, pledge.id, 422, ['campaign_closed'])
  })

  it('a locked campaign past its end fails, and then stays failed', async () => {
    const campaign = await lockedCampaign()
    await sql`UPDATE campaigns SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 second'
      WHERE id = ${campaign.id}::uuid`.execute(t.database.db)
    // The deposit comes too late: the campaign is settled as failed, and the deposit refused.
    await m.refused('POST', `/api/campaigns/${campaign.id}/deposit`, owner, undefined, 422, 'campaign_closed')
    const failed = await m.campaign(campaign.id)
    expect(failed).toMatchObject({ state: 'failed', deposited: false })
    expect(failed.settledAt).not.toBeNull()
    await everyWriteRefused(campaign.id, undefined, 422, ['campaign_closed'])
  })
})
