import type { AuthTokens, Campaign, EntityFeature } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { code, money } from '../currencies/helpers'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'

let t: TestApp
let m: ReturnType<typeof money>
let issuer: AuthTokens
let manager: AuthTokens
let owner: AuthTokens
let stranger: AuthTokens
let moderator: AuthTokens
let groupId: string
let coin: string
let coupon: string

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString()

beforeAll(async () => {
  t = await createTestApp()
  m = money(t)
  issuer = await t.signUp()
  manager = await t.signUp()
  owner = await t.signUp()
  stranger = await t.signUp()
  moderator = await t.signUp({ as: 'moderator' })
  groupId = (await m.group(issuer, [manager])).id as string
  coin = code('ORTO')
  coupon = code('SEME')
  await m.currency(issuer, { code: coin, name: 'Moneta orto', kind: 'coin', issuerGroupId: groupId })
  await m.currency(issuer, { code: coupon, name: 'Buono semi', kind: 'coupon', issuerGroupId: groupId })
  await m.mint(issuer, coupon, { groupId }, '100')
  await m.mint(issuer, coupon, { userId: owner.user.id }, '100')
})
afterAll(async () => {
  await t?.close()
})

async function place(author: AuthTokens, title: string): Promise<EntityFeature> {
  return m.ok<EntityFeature>('POST', '/api/entities', author, { ...validEntityByKind.project, title })
}

function campaignBody(entityId: string, extra: object = {}) {
  return {
    entityId,
    title: 'Semi per tutti',
    acceptCurrency: coin,
    giveCurrency: coupon,
    ratio: { accept: '2.00', give: '1' },
    cap: '20.00',
    endsAt: inAWeek(),
    ...extra,
  }
}

const read = (id: string, who?: AuthTokens) => m.ok<Campaign>('GET', `/api/campaigns/${id}`, who)

describe("a campaign's JSON, as each reader sees it", () => {
  it("carries its place's title, and whether the reader may manage a group's campaign", async () => {
    const project = await place(issuer, 'Orto comune')
    const campaign = await m.ok<Campaign>(
      'POST',
      '/api/campaigns',
      issuer,
      campaignBody(project.id as string, { groupId }),
    )
    expect(campaign).toMatchObject({
      owner: { type: 'group', groupId },
      entityTitle: 'Orto comune',
      canManage: true,
    })
    expect(await read(campaign.id)).toMatchObject({ entityTitle: 'Orto comune', canManage: false })
    expect((await read(campaign.id, manager)).canManage).toBe(true)
    expect((await read(campaign.id, issuer)).canManage).toBe(true)
    expect((await read(campaign.id, stranger)).canManage).toBe(false)
    // A moderator of the platform is no manager of the group's money.
    expect((await read(campaign.id, moderator)).canManage).toBe(false)

    // What canManage says is what the ledger allows: the manager deposits, a stranger may not stop it.
    const opened = await m.ok<Campaign>(
      'POST',
      `/api/campaigns/${campaign.id}/deposit`,
      manager,
      undefined,
      200,
    )
    expect(opened).toMatchObject({ deposited: true, canManage: true, entityTitle: 'Orto comune' })
    await m.refused('POST', `/api/campaigns/${campaign.id}/stop`, stranger, undefined, 403, 'forbidden')

    const listed = await m.ok<{ items: Campaign[] }>('GET', `/api/campaigns?entityId=${project.id}`, manager)
    expect(listed.items.map((c) => [c.id, c.entityTitle, c.canManage])).toEqual([
      [campaign.id, 'Orto comune', true],
    ])
    const anonymous = await m.ok<{ items: Campaign[] }>('GET', `/api/campaigns?entityId=${project.id}`)
    expect(anonymous.items.map((c) => c.canManage)).toEqual([false])
    const stopped = await m.ok<Campaign>(
      'POST',
      `/api/campaigns/${campaign.id}/stop`,
      manager,
      undefined,
      200,
    )
    expect(stopped).toMatchObject({ state: 'stopped', canManage: true })
  })

  it("a member's own campaign is theirs alone to manage; a hidden place's title is kept from others", async () => {
    const project = await place(owner, 'Cortile fiorito')
    const campaign = await m.ok<Campaign>('POST', '/api/campaigns', owner, campaignBody(project.id as string))
    expect(campaign).toMatchObject({ owner: { type: 'user', userId: owner.user.id }, canManage: true })
    expect((await read(campaign.id, issuer)).canManage).toBe(false)
    expect((await read(campaign.id, manager)).canManage).toBe(false)

    await m.ok(
      'POST',
      '/api/moderation/hide',
      moderator,
      { targetType: 'entity', targetId: project.id, reason: 'spam' },
      200,
    )
    expect((await read(campaign.id)).entityTitle).toBeNull()
    expect((await read(campaign.id, stranger)).entityTitle).toBeNull()
    expect((await read(campaign.id, owner)).entityTitle).toBe('Cortile fiorito')
    expect((await read(campaign.id, moderator)).entityTitle).toBe('Cortile fiorito')
  })
})
