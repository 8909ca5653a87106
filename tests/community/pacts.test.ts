import type { AuthTokens, EntityCollection, EntityFeature, Initiative, Pact } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

let t: TestApp
let c: ReturnType<typeof community>
let resident: AuthTokens
let groupManager: AuthTokens
let admin: AuthTokens
let stranger: AuthTokens
let space: EntityFeature
let group: EntityFeature
beforeAll(async () => {
  t = await createTestApp()
  c = community(t)
  resident = await t.signUp({ displayName: 'Residente' })
  groupManager = await t.signUp({ displayName: 'Associazione' })
  admin = await t.signUp({ as: 'admin', displayName: 'Città' })
  stranger = await t.signUp()
  space = await c.entity(resident, { ...validEntityByKind.space, title: 'Giardino' })
  group = await c.entity(groupManager, { ...validEntityByKind.group, title: 'Amici del giardino' })
})
afterAll(async () => {
  await t?.close()
})

const pactBody = () => ({
  title: 'Patto per il giardino',
  geometry: validEntityByKind.project.geometry,
  spaces: [space.id],
  durationMonths: 24,
  programme: 'Co-City',
})

describe('pacts of collaboration', () => {
  it('follows proposal → co-design → signed → active → concluded, each step by its role, with history', async () => {
    const pact = await c.ok<Pact>('POST', '/api/pacts', resident, pactBody())
    expect(pact).toMatchObject({ status: 'proposal', spaces: [space.id], durationMonths: 24, nextSteps: [] })
    const step = (who: AuthTokens, to: string) =>
      c.call('POST', `/api/pacts/${pact.id}/transitions`, who, { to })

    // A resident cannot open the co-design, nor sign; the entity PATCH cannot change a pact's status.
    expect((await step(resident, 'co-design')).statusCode).toBe(403)
    const viaPatch = await c.call(
      'PATCH',
      `/api/entities/${pact.id}`,
      resident,
      {
        properties: { status: 'signed', projectType: 'pact' },
      },
      { 'if-match': '"1"' },
    )
    expect(viaPatch.statusCode).toBe(403)
    expect((await c.ok<Pact>('GET', `/api/pacts/${pact.id}`, admin)).nextSteps.sort()).toEqual([
      'co-design',
      'rejected',
    ])
    await c.ok(
      'POST',
      `/api/pacts/${pact.id}/transitions`,
      admin,
      { to: 'co-design', note: 'avvio co-progettazione' },
      200,
    )

    // Signing needs signatory groups; the proposer adds them while it is being written.
    const unsigned = await step(admin, 'signed')
    expect(unsigned.statusCode).toBe(422)
    expect(unsigned.json().code).toBe('invalid_link')
    expect(
      (await c.call('PATCH', `/api/pacts/${pact.id}`, stranger, { signatoryGroups: [group.id] })).statusCode,
    ).toBe(403)
    const notGroup = await c.call('PATCH', `/api/pacts/${pact.id}`, resident, { signatoryGroups: [space.id] })
    expect(notGroup.json().code).toBe('invalid_link')
    await c.ok('PATCH', `/api/pacts/${pact.id}`, resident, { signatoryGroups: [group.id] }, 200)
    await c.ok('POST', `/api/pacts/${pact.id}/documents`, resident, {
      title: 'Bozza',
      url: 'https://example.org/bozza.pdf',
    })
    expect((await step(resident, 'signed')).statusCode).toBe(403)
    expect((await step(groupManager, 'signed')).statusCode).toBe(403)
    const signed = await c.ok<Pact>('POST', `/api/pacts/${pact.id}/transitions`, admin, { to: 'signed' }, 200)
    expect(signed.signedAt).not.toBeNull()
    // After the signing, the proposer no longer changes its links.
    expect((await c.call('PATCH', `/api/pacts/${pact.id}`, resident, { spaces: [] })).statusCode).toBe(403)

    // The signatory group starts it, reports, and concludes it; others cannot report.
    expect((await step(resident, 'active')).statusCode).toBe(403)
    await c.ok('POST', `/api/pacts/${pact.id}/transitions`, groupManager, { to: 'active' }, 200)
    expect(
      (await c.call('POST', `/api/pacts/${pact.id}/reports`, stranger, { groupId: group.id, note: 'falso' }))
        .statusCode,
    ).toBe(403)
    await c.ok('POST', `/api/pacts/${pact.id}/reports`, groupManager, {
      groupId: group.id,
      note: 'aiuole pulite',
    })
    const skipped = await step(admin, 'proposal')
    expect(skipped.statusCode).toBe(422)
    const done = await c.ok<Pact>(
      'POST',
      `/api/pacts/${pact.id}/transitions`,
      groupManager,
      { to: 'concluded' },
      200,
    )
    expect(done.status).toBe('concluded')
    expect(done.history.map((h) => [h.type, h.to])).toEqual([
      ['transition', 'proposal'],
      ['transition', 'co-design'],
      ['transition', 'signed'],
      ['transition', 'active'],
      ['report', null],
      ['transition', 'concluded'],
    ])
    expect(done.documents.map((d) => d.title)).toEqual(['Bozza'])
    const entity = await c.ok<EntityFeature>('GET', `/api/entities/${pact.id}`)
    expect(entity.properties.properties).toMatchObject({ status: 'concluded', projectType: 'pact' })
    // The proposer heard of every step.
    const inbox = await c.ok<{ items: { topic: string }[] }>('GET', '/api/notifications?limit=100', resident)
    expect(inbox.items.filter((n) => n.topic === 'pact.transitioned').length).toBe(4)
  })

  it('is proposed on behalf of a group only by its managers, and an admin may reject it', async () => {
    expect(
      (await c.call('POST', '/api/pacts', stranger, { ...pactBody(), proposerGroupId: group.id })).statusCode,
    ).toBe(403)
    const pact = await c.ok<Pact>('POST', '/api/pacts', groupManager, {
      ...pactBody(),
      proposerGroupId: group.id,
    })
    expect(pact.proposerGroupId).toBe(group.id)
    const rejected = await c.ok<Pact>(
      'POST',
      `/api/pacts/${pact.id}/transitions`,
      admin,
      { to: 'rejected' },
      200,
    )
    expect(rejected.nextSteps).toEqual([])
    expect((await c.call('GET', `/api/pacts/${space.id}`)).json().code).toBe('not_a_pact')
  })
})

describe('initiatives', () => {
  it('collect things across kinds and filter the map', async () => {
    const event = await c.entity(resident, validEntityByKind.event)
    expect(
      (await c.call('POST', '/api/initiatives', resident, { slug: 'co-city-2017', name: 'Co-City 2017' }))
        .statusCode,
    ).toBe(403)
    const initiative = await c.ok<Initiative>('POST', '/api/initiatives', admin, {
      slug: 'co-city-2017',
      name: 'Co-City 2017',
    })
    expect(
      (await c.call('POST', '/api/initiatives', admin, { slug: 'co-city-2017', name: 'x' })).json().code,
    ).toBe('slug_taken')
    expect(
      (await c.call('POST', '/api/initiatives', admin, { slug: 'Bad Slug', name: 'x' })).statusCode,
    ).toBe(400)
    await c.ok('PUT', `/api/initiatives/co-city-2017/entities/${space.id}`, admin)
    const after = await c.ok<Initiative>(
      'PUT',
      `/api/initiatives/${initiative.id}/entities/${event.id}`,
      admin,
    )
    expect(after.entitiesCount).toBe(2)
    expect(
      (await c.call('PUT', `/api/initiatives/co-city-2017/entities/${group.id}`, resident)).statusCode,
    ).toBe(403)
    const map = await c.ok<EntityCollection>('GET', '/api/entities?initiative=co-city-2017')
    expect(map.features.map((f) => f.id).sort()).toEqual([space.id, event.id].sort())
    const byId = await c.ok<EntityCollection>('GET', `/api/entities?initiative=${initiative.id}&kinds=event`)
    expect(byId.features.map((f) => f.id)).toEqual([event.id])
    await c.ok('DELETE', `/api/initiatives/co-city-2017/entities/${event.id}`, admin)
    expect((await c.ok<Initiative>('GET', '/api/initiatives/co-city-2017')).entitiesCount).toBe(1)
    expect((await c.ok<{ items: Initiative[] }>('GET', '/api/initiatives')).items.map((i) => i.slug)).toEqual(
      ['co-city-2017'],
    )
  })
})
