import { randomUUID } from 'node:crypto'
import type { AuthTokens, EntityFeature, Pact, ProjectStatus } from '@quartiere/contracts'
import { loadDemoData } from '@quartiere/map/seed'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

// No route skips a lifecycle. A pact of collaboration is born a proposal, whichever route creates it, and each
// of its steps goes through POST /api/pacts/{id}/transitions; a plain project's status moves one step of the
// table at a time; nothing turns a project into a pact or a pact into a project. Every route that can write a
// project's status or type is tried here with a skipped step: each answers 4xx and changes nothing.

let t: TestApp
let c: ReturnType<typeof community>
let author: AuthTokens
let admin: AuthTokens
beforeAll(async () => {
  t = await createTestApp()
  c = community(t)
  author = await t.signUp({ displayName: 'Proponente' })
  admin = await t.signUp({ as: 'admin', displayName: 'Città' })
})
afterAll(async () => {
  await t?.close()
})

const pactProperties = (status?: ProjectStatus) => ({
  projectType: 'pact',
  programme: 'Co-City',
  ...(status ? { status } : {}),
})
const programmeProperties = (status: ProjectStatus) => ({ projectType: 'programme', status })
const laterStatuses: ProjectStatus[] = ['co-design', 'signed', 'active', 'concluded', 'rejected']

/** Everything a refused write could have touched: projects, pacts and their history, campaigns. */
async function lifecycleState(): Promise<string> {
  const result = await sql<{ digest: string }>`
    SELECT md5(concat_ws('|',
      (SELECT string_agg(id || ':' || version || ':' || properties::text || ':' || (deleted_at IS NULL), ','
                         ORDER BY id) FROM entities WHERE kind = 'project'),
      (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM pacts x),
      (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM pact_history x),
      (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM pact_signatories x),
      (SELECT count(*)::text FROM campaigns))) AS digest`.execute(t.database.db)
  return result.rows[0]!.digest
}

async function refusedUnchanged(
  write: () => Promise<{ statusCode: number; body: string; json(): { code?: string } }>,
  status: number,
  code?: string,
) {
  const before = await lifecycleState()
  const response = await write()
  expect(response.statusCode, response.body).toBe(status)
  if (code) expect(response.json().code).toBe(code)
  expect(await lifecycleState()).toBe(before)
}

function create(properties: object) {
  return c.call('POST', '/api/entities', author, { ...validEntityByKind.project, properties })
}

function patch(tokens: AuthTokens, entity: { id: string }, version: number, properties: object) {
  return c.call('PATCH', `/api/entities/${entity.id}`, tokens, { properties }, { 'if-match': `"${version}"` })
}

describe('creating a pact through the map (POST /api/entities)', () => {
  it.each(laterStatuses)('refuses a pact that would start as %s, and creates nothing', async (status) => {
    await refusedUnchanged(() => create(pactProperties(status)), 422, 'invalid_status_transition')
  })

  it('makes a pact without a status a proposal, and one with proposal as given', async () => {
    const defaulted = await c.ok<EntityFeature>('POST', '/api/entities', author, {
      ...validEntityByKind.project,
      properties: pactProperties(),
    })
    expect(defaulted.properties.properties).toMatchObject({ projectType: 'pact', status: 'proposal' })
    const given = await c.entity(author, {
      ...validEntityByKind.project,
      properties: pactProperties('proposal'),
    })
    expect(given.properties.properties).toMatchObject({ status: 'proposal' })
    // Such a pact takes its steps through its own route, as one proposed through /api/pacts.
    const step = await c.ok<Pact>(
      'POST',
      `/api/pacts/${given.id}/transitions`,
      admin,
      { to: 'co-design' },
      200,
    )
    expect(step.status).toBe('co-design')
  })

  it('still lets a plain project start where it is (a programme that already runs is mapped as active)', async () => {
    const programme = await c.entity(author, {
      ...validEntityByKind.project,
      properties: programmeProperties('active'),
    })
    expect(programme.properties.properties).toMatchObject({ status: 'active' })
  })
})

describe('creating a pact through the other routes that create things', () => {
  it('refuses a signed pact created with a campaign (POST /api/campaigns with entity)', async () => {
    await refusedUnchanged(
      () =>
        c.call(
          'POST',
          '/api/campaigns',
          author,
          {
            entity: { ...validEntityByKind.project, properties: pactProperties('signed') },
            title: 'Raccolta per il patto',
            acceptCurrency: 'TIME',
            giveCurrency: 'TIME',
            ratio: { accept: '1.00', give: '1.00' },
            cap: '10.00',
            endsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
          },
          { 'idempotency-key': randomUUID() },
        ),
      422,
      'invalid_status_transition',
    )
  })

  it('gives POST /api/pacts no way to say a status', async () => {
    const response = await c.call('POST', '/api/pacts', author, {
      title: 'Patto firmato',
      geometry: validEntityByKind.project.geometry,
      status: 'signed',
    })
    expect(response.statusCode).toBeGreaterThanOrEqual(400)
    expect(response.statusCode).toBeLessThan(500)
  })
})

describe('changing a pact', () => {
  it('refuses every status through the entity PATCH, by its author and by an admin, and changes nothing', async () => {
    const pact = await c.ok<Pact>('POST', '/api/pacts', author, {
      title: 'Patto per la piazza',
      geometry: validEntityByKind.project.geometry,
    })
    for (const status of laterStatuses) {
      for (const who of [author, admin]) {
        await refusedUnchanged(() => patch(who, pact, 1, pactProperties(status)), 403, 'forbidden')
      }
    }
  })

  it('refuses a skipped or backward step through the pact transitions, and changes nothing', async () => {
    const pact = await c.ok<Pact>('POST', '/api/pacts', author, {
      title: 'Patto per il giardino',
      geometry: validEntityByKind.project.geometry,
    })
    for (const to of ['signed', 'active', 'concluded'] as const) {
      await refusedUnchanged(
        () => c.call('POST', `/api/pacts/${pact.id}/transitions`, admin, { to }),
        422,
        'invalid_status_transition',
      )
    }
    await c.ok('POST', `/api/pacts/${pact.id}/transitions`, admin, { to: 'co-design' }, 200)
    await refusedUnchanged(
      () => c.call('POST', `/api/pacts/${pact.id}/transitions`, admin, { to: 'proposal' }),
      422,
      'invalid_status_transition',
    )
  })

  it('refuses turning a pact into a plain project (out of its history), and a project into a signed pact', async () => {
    const pact = await c.ok<Pact>('POST', '/api/pacts', author, {
      title: 'Patto per il cortile',
      geometry: validEntityByKind.project.geometry,
    })
    for (const who of [author, admin]) {
      await refusedUnchanged(() => patch(who, pact, 1, programmeProperties('proposal')), 403, 'forbidden')
      await refusedUnchanged(() => patch(who, pact, 1, { status: 'proposal' }), 403, 'forbidden')
    }
    const programme = await c.entity(author, {
      ...validEntityByKind.project,
      properties: programmeProperties('co-design'),
    })
    for (const who of [author, admin]) {
      await refusedUnchanged(() => patch(who, programme, 1, pactProperties('signed')), 403, 'forbidden')
      await refusedUnchanged(() => patch(who, programme, 1, pactProperties('co-design')), 403, 'forbidden')
    }
  })
})

describe("changing a plain project's status", () => {
  it('takes one step of the table at a time: skipped and backward steps are refused and change nothing', async () => {
    const programme = await c.entity(author, {
      ...validEntityByKind.project,
      properties: programmeProperties('proposal'),
    })
    for (const skipped of ['signed', 'active', 'concluded'] as const) {
      await refusedUnchanged(
        () => patch(admin, programme, 1, programmeProperties(skipped)),
        422,
        'invalid_status_transition',
      )
    }
    await c.ok(
      'PATCH',
      `/api/entities/${programme.id}`,
      author,
      { properties: programmeProperties('co-design') },
      200,
      {
        'if-match': '"1"',
      },
    )
    await refusedUnchanged(
      () => patch(author, programme, 2, programmeProperties('proposal')),
      422,
      'invalid_status_transition',
    )
    await refusedUnchanged(
      () => patch(author, programme, 2, programmeProperties('concluded')),
      422,
      'invalid_status_transition',
    )
  })
})

describe('the demo data', () => {
  it('takes each demo pact from proposal to its status one transition at a time, signed by its groups', async () => {
    const demo = await createTestApp()
    try {
      expect(await loadDemoData(demo.database.db)).toMatchObject({ loaded: true })
      const pacts = await sql<{
        id: string
        status: ProjectStatus
        steps: string | null
        signatories: string
      }>`
        SELECT e.id, e.properties ->> 'status' AS status,
               (SELECT string_agg(coalesce(h.from_status, '') || '>' || h.to_status, ' ' ORDER BY h.created_at, h.id)
                  FROM pact_history h WHERE h.pact_id = e.id AND h.type = 'transition') AS steps,
               (SELECT count(*) FROM pact_signatories s WHERE s.pact_id = e.id)::text AS signatories
          FROM entities e WHERE e.kind = 'project' AND e.properties ->> 'projectType' = 'pact'
         ORDER BY e.id`.execute(demo.database.db)
      const byStatus = Object.fromEntries(pacts.rows.map((row) => [row.status, row]))
      expect(Object.keys(byStatus).sort()).toEqual(['active', 'co-design', 'concluded', 'proposal', 'signed'])
      // Every pact's history starts with its proposal, as one proposed through POST /api/pacts.
      expect(byStatus.proposal!.steps).toBe('>proposal')
      expect(byStatus['co-design']!.steps).toBe('>proposal proposal>co-design')
      expect(byStatus.signed!.steps).toBe('>proposal proposal>co-design co-design>signed')
      expect(byStatus.active!.steps).toBe('>proposal proposal>co-design co-design>signed signed>active')
      expect(byStatus.concluded!.steps).toBe(
        '>proposal proposal>co-design co-design>signed signed>active active>concluded',
      )
      for (const status of ['signed', 'active', 'concluded'])
        expect(Number(byStatus[status]!.signatories)).toBe(1)
    } finally {
      await demo.close()
    }
  })
})
