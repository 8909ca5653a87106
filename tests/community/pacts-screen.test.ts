import type { AuthTokens, EntityFeature, Pact, PactList } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

/**
 * What the pacts screens read from the API: what the caller may do to a pact (`can`, `nextSteps`), the list of
 * pacts by step, and the two gaps closed for them: a pact made through the generic POST /api/entities is a pact
 * with its row and history, and a signed pact is not soft-deleted by its author.
 */
let t: TestApp
let c: ReturnType<typeof community>
let owner: AuthTokens
let admin: AuthTokens
let stranger: AuthTokens
let space: EntityFeature
let group: EntityFeature
beforeAll(async () => {
  t = await createTestApp()
  c = community(t)
  owner = await t.signUp({ displayName: 'Proprietaria' })
  admin = await t.signUp({ as: 'admin', displayName: 'Città' })
  stranger = await t.signUp({ displayName: 'Estranea' })
  space = await c.entity(owner, { ...validEntityByKind.space, title: 'Aiuola' })
  group = await c.entity(owner, { ...validEntityByKind.group, title: 'Amici dell’aiuola' })
})
afterAll(async () => {
  await t?.close()
})

const propose = (title: string) =>
  c.ok<Pact>('POST', '/api/pacts', owner, {
    title,
    geometry: validEntityByKind.project.geometry,
    proposerGroupId: group.id,
    spaces: [space.id],
    signatoryGroups: [group.id],
  })
const step = (who: AuthTokens, id: string, to: string) =>
  c.ok<Pact>('POST', `/api/pacts/${id}/transitions`, who, { to }, 200)

describe('what a pact says its reader may do', () => {
  it('offers each step, edit and report to exactly the roles whose writes the API accepts', async () => {
    const pact = await propose('Patto dell’aiuola')
    expect(pact.can).toEqual({ editLinks: true, addDocuments: true, reportFor: [] })
    expect(pact.nextSteps).toEqual([])
    const asAdmin = await c.ok<Pact>('GET', `/api/pacts/${pact.id}`, admin)
    expect(asAdmin.nextSteps.sort()).toEqual(['co-design', 'rejected'])
    expect(asAdmin.can.editLinks).toBe(true)
    for (const reader of [stranger, undefined]) {
      const seen = await c.ok<Pact>('GET', `/api/pacts/${pact.id}`, reader)
      expect(seen.can).toEqual({ editLinks: false, addDocuments: false, reportFor: [] })
      expect(seen.nextSteps).toEqual([])
    }
    // What `can` withholds, the API refuses.
    const refusedEdit = await c.call('PATCH', `/api/pacts/${pact.id}`, stranger, { durationMonths: 6 })
    expect(refusedEdit.statusCode).toBe(403)

    await step(admin, pact.id, 'co-design')
    // The owner is not offered the signing, and is refused it.
    const inCoDesign = await c.ok<Pact>('GET', `/api/pacts/${pact.id}`, owner)
    expect(inCoDesign.nextSteps).toEqual([])
    expect(
      (await c.call('POST', `/api/pacts/${pact.id}/transitions`, owner, { to: 'signed' })).statusCode,
    ).toBe(403)
    const signed = await step(admin, pact.id, 'signed')
    expect(signed.can.editLinks).toBe(true)
    const asOwner = await c.ok<Pact>('GET', `/api/pacts/${pact.id}`, owner)
    // After the signing the proposer no longer edits; as the signatory group's owner it starts and reports.
    expect(asOwner.can).toEqual({ editLinks: false, addDocuments: false, reportFor: [group.id] })
    expect(asOwner.nextSteps).toEqual(['active'])
    const strangerReport = await c.call('POST', `/api/pacts/${pact.id}/reports`, stranger, {
      groupId: group.id,
      note: 'Abbiamo piantato i tulipani',
    })
    expect(strangerReport.statusCode).toBe(403)
    expect((await c.ok<Pact>('GET', `/api/pacts/${pact.id}`, stranger)).can.reportFor).toEqual([])
    const reported = await c.ok<Pact>('POST', `/api/pacts/${pact.id}/reports`, owner, {
      groupId: group.id,
      note: 'Abbiamo piantato i tulipani',
    })
    expect(reported.history.map((item) => item.type)).toEqual([
      'transition',
      'transition',
      'transition',
      'report',
    ])
  })
})

describe('changing a pact’s links with If-Match', () => {
  it('refuses a change made on a stale version, and changes nothing; the current one makes a new version', async () => {
    const pact = await propose('Patto con versione')
    const stale = await c.call(
      'PATCH',
      `/api/pacts/${pact.id}`,
      owner,
      { durationMonths: 6 },
      { 'if-match': `"${pact.version - 1}"` },
    )
    expect(stale.statusCode).toBe(412)
    expect(stale.json()).toMatchObject({ code: 'version_mismatch' })
    expect((await c.ok<Pact>('GET', `/api/pacts/${pact.id}`)).durationMonths).toBeNull()
    const changed = await c.ok<Pact>('PATCH', `/api/pacts/${pact.id}`, owner, { durationMonths: 6 }, 200, {
      'if-match': `"${pact.version}"`,
    })
    expect(changed).toMatchObject({ durationMonths: 6, version: pact.version + 1 })
    const again = await c.call(
      'PATCH',
      `/api/pacts/${pact.id}`,
      owner,
      { durationMonths: 9 },
      { 'if-match': `"${pact.version}"` },
    )
    expect(again.statusCode).toBe(412)
    expect((await c.ok<Pact>('GET', `/api/pacts/${pact.id}`)).durationMonths).toBe(6)
  })
})

describe('the list of pacts', () => {
  it('lists pacts by step, a page at a time, and refuses a forged cursor', async () => {
    const first = await propose('Patto uno')
    const second = await propose('Patto due')
    const third = await propose('Patto tre')
    await step(admin, third.id, 'rejected')
    const proposals = await c.ok<PactList>('GET', '/api/pacts?status=proposal&limit=100')
    const ids = proposals.items.map((item) => item.id)
    expect(ids).toEqual(expect.arrayContaining([first.id, second.id]))
    expect(ids).not.toContain(third.id)
    expect(proposals.items.every((item) => item.status === 'proposal')).toBe(true)
    expect(proposals.items.find((item) => item.id === first.id)).toMatchObject({
      title: 'Patto uno',
      proposer: { displayName: 'Proprietaria' },
    })
    const rejected = await c.ok<PactList>('GET', '/api/pacts?status=rejected')
    expect(rejected.items.map((item) => item.id)).toEqual([third.id])

    // One a page: every pact once, in order, and then no cursor.
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: PactList = await c.ok<PactList>(
        'GET',
        `/api/pacts?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
      seen.push(...page.items.map((item) => item.id))
      cursor = page.nextCursor
    } while (cursor && seen.length < 50)
    const all = await c.ok<PactList>('GET', '/api/pacts?limit=100')
    expect(seen).toEqual(all.items.map((item) => item.id))
    expect(new Set(seen).size).toBe(seen.length)

    const forged = await c.call('GET', '/api/pacts?cursor=not-a-cursor')
    expect(forged.statusCode).toBe(400)
    expect(forged.json()).toMatchObject({ code: 'invalid_cursor' })
    expect((await c.call('GET', '/api/pacts?status=signed-ish')).statusCode).toBe(400)
    expect((await c.call('GET', '/api/pacts?limit=101')).statusCode).toBe(400)
  })
})

describe('the gaps closed around pacts', () => {
  it('gives a pact made through POST /api/entities its row and the proposal in its history', async () => {
    const made = await c.entity(owner, {
      ...validEntityByKind.project,
      title: 'Patto dalla mappa',
      properties: { projectType: 'pact' },
    })
    const pact = await c.ok<Pact>('GET', `/api/pacts/${made.id}`, owner)
    expect(pact.status).toBe('proposal')
    expect(pact.history).toHaveLength(1)
    expect(pact.history[0]).toMatchObject({ type: 'transition', from: null, to: 'proposal' })
    expect(pact.history[0]?.actor.displayName).toBe('Proprietaria')
    const rows = await t.database.db
      .selectFrom('pacts')
      .select('entity_id')
      .where('entity_id', '=', made.id)
      .execute()
    expect(rows).toHaveLength(1)
    // A pact proposed through its own route still has one line of history, not two.
    const own = await propose('Patto dal suo percorso')
    expect(own.history).toHaveLength(1)
  })

  it('refuses its author the deletion of a signed pact; an unsigned one they may still delete', async () => {
    const pact = await propose('Patto firmato')
    await step(admin, pact.id, 'co-design')
    await step(admin, pact.id, 'signed')
    const refused = await c.call('DELETE', `/api/entities/${pact.id}`, owner)
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'forbidden' })
    // Nothing changed: the pact is still there, signed.
    expect((await c.ok<Pact>('GET', `/api/pacts/${pact.id}`)).status).toBe('signed')
    // An admin may remove it from the map.
    await c.ok('DELETE', `/api/entities/${pact.id}`, admin, undefined, 204)
    expect((await c.call('GET', `/api/pacts/${pact.id}`)).statusCode).toBe(404)

    const draft = await propose('Patto in bozza')
    await c.ok('DELETE', `/api/entities/${draft.id}`, owner, undefined, 204)
  })
})
