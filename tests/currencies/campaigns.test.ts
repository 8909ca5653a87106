import { randomUUID } from 'node:crypto'
import type { AuthTokens, Campaign, EntityFeature, Pledge } from '@quartiere/contracts'
import { settleDueCampaigns } from '@quartiere/ledger'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { expectBooksBalance } from '../support/ledger'
import { createTestApp, type TestApp } from '../support/test-app'
import { code, money } from './helpers'

let t: TestApp
let m: ReturnType<typeof money>
let issuer: AuthTokens
let owner: AuthTokens
let anna: AuthTokens
let bruno: AuthTokens
let carla: AuthTokens
let groupId: string
let coin: string
let coupon: string

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString()

beforeAll(async () => {
  t = await createTestApp()
  m = money(t)
  ;[issuer, owner, anna, bruno, carla] = await Promise.all([
    t.signUp(),
    t.signUp(),
    t.signUp(),
    t.signUp(),
    t.signUp(),
  ])
  groupId = (await m.group(issuer)).id as string
  coin = code('EURO')
  coupon = code('PANE')
  await m.currency(issuer, { code: coin, name: 'Euro di quartiere', kind: 'coin', issuerGroupId: groupId })
  await m.currency(issuer, { code: coupon, name: 'Buono pane', kind: 'coupon', issuerGroupId: groupId })
  for (const who of [anna, bruno, carla]) await m.mint(issuer, coin, { userId: who.user.id }, '100.00')
  await m.mint(issuer, coupon, { userId: owner.user.id }, '1000')
})
afterEach(async () => {
  await expectBooksBalance(t.database)
})
afterAll(async () => {
  await t?.close()
})

/** A campaign on a new project of the owner's: 2.00 coins give back 1 coupon, cap 20.00 (10 coupons). */
async function openCampaign(
  options: { cap?: string; goal?: string; deposit?: boolean; startsAt?: string } = {},
) {
  const project = await m.project(owner)
  const campaign = await m.ok<Campaign>('POST', '/api/campaigns', owner, {
    entityId: project.id,
    title: 'Panchine nel cortile',
    acceptCurrency: coin,
    giveCurrency: coupon,
    ratio: { accept: '2.00', give: '1' },
    cap: options.cap ?? '20.00',
    ...(options.goal ? { goal: options.goal } : {}),
    ...(options.startsAt ? { startsAt: options.startsAt } : {}),
    endsAt: inAWeek(),
  })
  if (options.deposit !== false) {
    const opened = await m.ok<Campaign>(
      'POST',
      `/api/campaigns/${campaign.id}/deposit`,
      owner,
      undefined,
      200,
    )
    expect(opened.deposited).toBe(true)
  }
  return { campaign, project }
}

const back = (who: AuthTokens, id: string, amount: string, key = randomUUID()) =>
  m.call('POST', `/api/campaigns/${id}/pledges`, who, { id: key, amount })

/** Moves a campaign's window into the past, as if its end had come. */
async function endNow(id: string) {
  await sql`UPDATE campaigns SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 second'
    WHERE id = ${id}::uuid`.execute(t.database.db)
}

describe('opening a campaign', () => {
  it('is locked until the owner deposits cap ÷ accept × give; then it takes pledges', async () => {
    const { campaign } = await openCampaign({ deposit: false })
    expect(campaign).toMatchObject({
      state: 'locked',
      deposit: '10',
      raised: '0.00',
      cap: '20.00',
      goal: '20.00',
      deposited: false,
    })
    expect(campaign.ratio).toEqual({ accept: '2.00', give: '1' })
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/pledges`,
      anna,
      { id: randomUUID(), amount: '2.00' },
      422,
      'campaign_locked',
    )
    await m.refused('POST', `/api/campaigns/${campaign.id}/deposit`, anna, undefined, 403, 'forbidden')
    const opened = await m.ok<Campaign>(
      'POST',
      `/api/campaigns/${campaign.id}/deposit`,
      owner,
      undefined,
      200,
    )
    expect(opened.state).toBe('open')
    expect((await m.balance(owner, coupon))?.balance).toBe('990')
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/deposit`,
      owner,
      undefined,
      409,
      'already_deposited',
    )
  })

  it('refuses a deposit the owner cannot cover, and changes nothing', async () => {
    const { campaign } = await openCampaign({ cap: '4000.00', deposit: false })
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/deposit`,
      owner,
      undefined,
      422,
      'exceeds_credit_limit',
    )
    expect((await m.campaign(campaign.id)).state).toBe('locked')
  })

  it('creates its project on the map in the same transaction, and rolls it back when refused', async () => {
    const body = {
      entity: validEntityByKind.project,
      title: 'Orto in piazza',
      acceptCurrency: coin,
      giveCurrency: coupon,
      ratio: { accept: '2.00', give: '1' },
      cap: '10.00',
      endsAt: inAWeek(),
    }
    const created = await m.ok<Campaign>('POST', '/api/campaigns', owner, body)
    const entity = await m.ok<EntityFeature>('GET', `/api/entities/${created.entityId}`)
    expect(entity.properties.kind).toBe('project')
    const before = await t.database.db
      .selectFrom('entities')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    await m.refused('POST', '/api/campaigns', owner, { ...body, cap: '9.00' }, 400, 'invalid_campaign')
    const after = await t.database.db
      .selectFrom('entities')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
    // A retry with the same key answers the same campaign and creates no second project.
    const key = randomUUID()
    const first = await m.call('POST', '/api/campaigns', owner, { ...body, id: key })
    const again = await m.call('POST', '/api/campaigns', owner, { ...body, id: key })
    expect([first.statusCode, again.statusCode]).toEqual([201, 200])
    expect(again.json().entityId).toBe(first.json().entityId)
  })

  it('refuses what makes no sense, and links only what the owner may edit', async () => {
    const project = await m.project(owner)
    const base = {
      entityId: project.id,
      title: 'x',
      acceptCurrency: coin,
      giveCurrency: coupon,
      ratio: { accept: '2.00', give: '1' },
      cap: '20.00',
      endsAt: inAWeek(),
    }
    await m.refused('POST', '/api/campaigns', anna, base, 403, 'forbidden')
    await m.refused('POST', '/api/campaigns', owner, { ...base, giveCurrency: coin }, 400, 'invalid_campaign')
    await m.refused(
      'POST',
      '/api/campaigns',
      owner,
      { ...base, giveCurrency: 'TIME' },
      400,
      'invalid_campaign',
    )
    await m.refused('POST', '/api/campaigns', owner, { ...base, goal: '22.00' }, 400, 'invalid_campaign')
    await m.refused('POST', '/api/campaigns', owner, { ...base, cap: '21.00' }, 400, 'invalid_campaign')
    await m.refused(
      'POST',
      '/api/campaigns',
      owner,
      { ...base, ratio: { accept: '2.005', give: '1' } },
      400,
      'invalid_amount',
    )
    await m.refused(
      'POST',
      '/api/campaigns',
      owner,
      { ...base, endsAt: '2020-01-01T00:00:00Z' },
      400,
      'invalid_campaign',
    )
    await m.refused(
      'POST',
      '/api/campaigns',
      owner,
      { ...base, acceptCurrency: 'NOSUCH' },
      422,
      'currency_not_found',
    )
    await m.refused('POST', '/api/campaigns', owner, { ...base, groupId }, 403, 'forbidden')
    const offer = await m.ok<EntityFeature>('POST', '/api/entities', owner, validEntityByKind.offer)
    await m.refused(
      'POST',
      '/api/campaigns',
      owner,
      { ...base, entityId: offer.id },
      422,
      'entity_not_linkable',
    )
    await m.refused('POST', '/api/campaigns', owner, { ...base, entityId: randomUUID() }, 404, 'not_found')
    await m.refused(
      'POST',
      '/api/campaigns',
      owner,
      { ...base, entity: validEntityByKind.project },
      400,
      'invalid_campaign',
    )
  })
})

describe('pledging', () => {
  it('holds pledges in whole steps, cuts the one that passes the cap, and settles at the cap with exact payouts', async () => {
    const { campaign } = await openCampaign()
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/pledges`,
      owner,
      { id: randomUUID(), amount: '2.00' },
      422,
      'own_campaign',
    )
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/pledges`,
      anna,
      { id: randomUUID(), amount: '3.00' },
      400,
      'invalid_amount',
    )
    const key = randomUUID()
    const first = await back(anna, campaign.id, '6.00', key)
    expect(first.statusCode, first.body).toBe(201)
    expect(first.json().pledge).toMatchObject({ amount: '6.00', state: 'pending', payout: null })
    expect(first.json().campaign).toMatchObject({ raised: '6.00', backers: 1, state: 'open' })
    expect((await back(anna, campaign.id, '6.00', key)).statusCode).toBe(200)
    expect((await m.balance(anna, coin))?.available).toBe('94.00')
    const second = await back(bruno, campaign.id, '10.00')
    expect(second.json().campaign.raised).toBe('16.00')
    // Carla asks for 8.00 with 4.00 left: she is held 4.00, and the cap is reached: the campaign is funded.
    const third = await back(carla, campaign.id, '8.00')
    expect(third.statusCode, third.body).toBe(201)
    expect(third.json().pledge).toMatchObject({ requested: '8.00', amount: '4.00' })
    expect(third.json().campaign).toMatchObject({ state: 'funded', raised: '20.00' })
    expect(third.json().pledge).toMatchObject({ state: 'posted', payout: '2' })
    expect((await m.balance(anna, coin))?.balance).toBe('94.00')
    expect((await m.balance(anna, coupon))?.balance).toBe('3')
    expect((await m.balance(bruno, coupon))?.balance).toBe('5')
    expect((await m.balance(carla, coupon))?.balance).toBe('2')
    expect((await m.balance(owner, coin))?.balance).toBe('20.00')
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/pledges`,
      anna,
      { id: randomUUID(), amount: '2.00' },
      422,
      'campaign_closed',
    )
    const pledges = await m.ok<{ items: Pledge[] }>('GET', `/api/campaigns/${campaign.id}/pledges`, owner)
    expect(pledges.items.map((p) => p.payout)).toEqual(['3', '5', '2'])
    const mine = await m.ok<{ items: Pledge[] }>('GET', `/api/campaigns/${campaign.id}/pledges`, bruno)
    expect(mine.items.map((p) => p.backerId)).toEqual([bruno.user.id])
  })

  it('refuses a pledge past the backer’s balance', async () => {
    const { campaign } = await openCampaign({ cap: '400.00', deposit: true })
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/pledges`,
      anna,
      { id: randomUUID(), amount: '200.00' },
      422,
      'exceeds_credit_limit',
    )
    expect((await m.campaign(campaign.id)).raised).toBe('0.00')
  })

  it('lets backers withdraw while it runs, exactly once', async () => {
    const { campaign } = await openCampaign()
    const pledged = (await back(anna, campaign.id, '4.00')).json().pledge as Pledge
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/pledges/${pledged.id}/withdraw`,
      bruno,
      undefined,
      404,
      'not_found',
    )
    const withdrawn = await m.ok<Pledge>(
      'POST',
      `/api/campaigns/${campaign.id}/pledges/${pledged.id}/withdraw`,
      anna,
      undefined,
      200,
    )
    expect(withdrawn.state).toBe('voided')
    expect(
      (
        await m.ok<Pledge>(
          'POST',
          `/api/campaigns/${campaign.id}/pledges/${pledged.id}/withdraw`,
          anna,
          undefined,
          200,
        )
      ).state,
    ).toBe('voided')
    expect(await m.campaign(campaign.id)).toMatchObject({ raised: '0.00', backers: 0 })
  })

  it('a stop voids every pledge and returns the deposit', async () => {
    const { campaign } = await openCampaign()
    const before = (await m.balance(anna, coin))!.balance
    await back(anna, campaign.id, '4.00')
    await back(bruno, campaign.id, '2.00')
    await m.refused('POST', `/api/campaigns/${campaign.id}/stop`, anna, undefined, 403, 'forbidden')
    const stopped = await m.ok<Campaign>('POST', `/api/campaigns/${campaign.id}/stop`, owner, undefined, 200)
    expect(stopped).toMatchObject({ state: 'stopped', raised: '0.00' })
    expect((await m.balance(anna, coin))!.balance).toBe(before)
    expect((await m.balance(anna, coin))!.available).toBe(before)
    const pledges = await m.ok<{ items: Pledge[] }>('GET', `/api/campaigns/${campaign.id}/pledges`, owner)
    expect(pledges.items.map((p) => p.state)).toEqual(['voided', 'voided'])
    await m.refused('POST', `/api/campaigns/${campaign.id}/stop`, owner, undefined, 422, 'campaign_closed')
  })

  it('at its end: funded when the goal was met (rest of the deposit back), failed when short', async () => {
    const met = (await openCampaign({ goal: '6.00' })).campaign
    const short = (await openCampaign({ goal: '10.00' })).campaign
    const never = (await openCampaign({ deposit: false })).campaign
    await back(anna, met.id, '4.00')
    await back(bruno, met.id, '2.00')
    await back(anna, short.id, '8.00')
    const coupons = (await m.balance(owner, coupon))!.balance
    for (const c of [met, short, never]) await endNow(c.id)
    expect((await m.campaign(met.id)).state).toBe('ended')
    expect(await settleDueCampaigns(t.app.ledger)).toBeGreaterThanOrEqual(3)
    expect(await m.campaign(met.id)).toMatchObject({ state: 'funded', raised: '6.00' })
    expect(await m.campaign(short.id)).toMatchObject({ state: 'failed', raised: '0.00' })
    expect((await m.campaign(never.id)).state).toBe('failed')
    // Met: 3 coupons paid out of 10 deposited, 7 back; short: 10 back.
    expect(BigInt((await m.balance(owner, coupon))!.balance) - BigInt(coupons)).toBe(17n)
    expect(await settleDueCampaigns(t.app.ledger)).toBe(0)
  })

  it('a scheduled campaign takes no pledge before its start', async () => {
    const startsAt = new Date(Date.now() + 24 * 3600 * 1000).toISOString()
    const { campaign } = await openCampaign({ startsAt })
    expect(campaign.state).toBe('locked')
    expect((await m.campaign(campaign.id)).state).toBe('scheduled')
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/pledges`,
      anna,
      { id: randomUUID(), amount: '2.00' },
      422,
      'campaign_not_started',
    )
  })

  it('shows progress live: public campaign.* events with the place’s bbox', async () => {
    const { campaign } = await openCampaign()
    await back(anna, campaign.id, '2.00')
    const events = await t.database.db
      .selectFrom('events_outbox')
      .select(['topic', 'audience', 'min_lon', 'max_lat', 'payload'])
      .where('entity_id', '=', campaign.entityId)
      .where('topic', 'like', 'campaign.%')
      .orderBy('seq')
      .execute()
    expect(events.map((e) => e.topic)).toEqual(['campaign.created', 'campaign.opened', 'campaign.pledged'])
    expect(events.every((e) => e.audience === null)).toBe(true)
    expect(Number(events[2]!.min_lon)).toBeCloseTo(7.68)
    expect(Number(events[2]!.max_lat)).toBeCloseTo(45.08)
    expect(events[2]!.payload).toMatchObject({ id: campaign.id, raised: '2.00', backers: 1 })
    const list = await m.ok<{ items: Campaign[] }>('GET', `/api/campaigns?entityId=${campaign.entityId}`)
    expect(list.items.map((c) => c.id)).toEqual([campaign.id])
  })

  it('a group’s campaign: its managers deposit and stop, and cannot back it', async () => {
    const manager = await t.signUp()
    await t.database.db
      .insertInto('group_members')
      .values({ group_id: groupId, user_id: manager.user.id, role: 'manager' })
      .execute()
    await m.mint(issuer, coupon, { groupId }, '50')
    const place = await m.ok<EntityFeature>('POST', '/api/entities', issuer, {
      ...validEntityByKind.space,
      parentId: groupId,
    })
    const campaign = await m.ok<Campaign>('POST', '/api/campaigns', manager, {
      entityId: place.id,
      groupId,
      title: 'Forno',
      acceptCurrency: coin,
      giveCurrency: coupon,
      ratio: { accept: '1.00', give: '1' },
      cap: '10.00',
      endsAt: inAWeek(),
    })
    expect(campaign.owner).toEqual({ type: 'group', groupId })
    await m.ok('POST', `/api/campaigns/${campaign.id}/deposit`, manager, undefined, 200)
    await m.refused(
      'POST',
      `/api/campaigns/${campaign.id}/pledges`,
      issuer,
      { id: randomUUID(), amount: '1.00' },
      422,
      'own_campaign',
    )
    await back(anna, campaign.id, '1.00')
    await m.ok('POST', `/api/campaigns/${campaign.id}/stop`, issuer, undefined, 200)
  })
})
