import type { AuthTokens, EntityFeature, EntityKind } from '@quartiere/contracts'
import { entityKinds } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point, validEntityByKind } from './support/fixtures'
import { bearer, createTestApp, type TestApp } from './support/test-app'

let t: TestApp
let author: AuthTokens
let other: AuthTokens
let moderator: AuthTokens
beforeAll(async () => {
  t = await createTestApp()
  author = await t.signUp({ displayName: 'Autrice' })
  other = await t.signUp()
  moderator = await t.signUp({ as: 'moderator' })
})
afterAll(async () => {
  await t?.close()
})

async function create(tokens: AuthTokens, body: object) {
  return t.request({ method: 'POST', url: '/api/entities', headers: bearer(tokens), payload: body })
}

async function createOk(tokens: AuthTokens, body: object): Promise<EntityFeature> {
  const response = await create(tokens, body)
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as EntityFeature
}

function patch(tokens: AuthTokens | undefined, id: string, body: object, ifMatch?: string) {
  return t.request({
    method: 'PATCH',
    url: `/api/entities/${id}`,
    headers: { ...(tokens ? bearer(tokens) : {}), ...(ifMatch !== undefined ? { 'if-match': ifMatch } : {}) },
    payload: body,
  })
}

describe('every kind round-trips', () => {
  it.each(entityKinds)('%s: create, read back, same content', async (kind: EntityKind) => {
    const input = validEntityByKind[kind]
    const response = await create(author, input)
    expect(response.statusCode, response.body).toBe(201)
    expect(response.headers['content-type']).toContain('application/geo+json')
    expect(response.headers.etag).toBe('"1"')
    const created = response.json() as EntityFeature
    expect(response.headers.location).toBe(`/api/entities/${created.id}`)
    expect(created).toMatchObject({ type: 'Feature', geometry: input.geometry })
    expect(created.properties).toMatchObject({
      kind,
      title: input.title,
      properties: input.properties,
      author: { id: author.user.id, displayName: 'Autrice' },
      version: 1,
    })

    const read = await t.request({ method: 'GET', url: `/api/entities/${created.id}` })
    expect(read.statusCode).toBe(200)
    expect(read.headers.etag).toBe('"1"')
    expect(read.json()).toEqual(created)
  })

  it('gives an event its start and end as its time window', async () => {
    const event = await createOk(author, validEntityByKind.event)
    expect(event.properties.validFrom).toBe('2019-06-19T12:30:00.000Z')
    expect(event.properties.validTo).toBe('2019-06-19T16:30:00.000Z')
  })

  it('rewinds a clockwise polygon to the right-hand rule instead of refusing it', async () => {
    const clockwise = [
      [7.68, 45.07],
      [7.68, 45.08],
      [7.69, 45.08],
      [7.69, 45.07],
      [7.68, 45.07],
    ]
    const created = await createOk(author, {
      ...validEntityByKind.project,
      geometry: { type: 'Polygon', coordinates: [clockwise] },
    })
    expect(created.geometry.coordinates[0]).toEqual([...clockwise].reverse())
  })

  it('normalises labels: trimmed, de-duplicated, tags lower-case', async () => {
    const created = await createOk(author, {
      ...validEntityByKind.space,
      categories: [' cultura', 'welfare', 'cultura '],
      tags: ['Orto', 'orto', 'Bici'],
    })
    expect(created.properties.categories).toEqual(['cultura', 'welfare'])
    expect(created.properties.tags).toEqual(['orto', 'bici'])
  })

  it('makes the creator of a group its owner', async () => {
    const group = await createOk(author, validEntityByKind.group)
    const row = await t.database.db
      .selectFrom('group_members')
      .select(['user_id', 'role'])
      .where('group_id', '=', group.id)
      .execute()
    expect(row).toEqual([{ user_id: author.user.id, role: 'owner' }])
  })

  it('writes an outbox event in the same transaction as each change', async () => {
    const created = await createOk(author, validEntityByKind.news)
    const events = await t.database.db
      .selectFrom('events_outbox')
      .select(['topic', 'min_lon', 'max_lat'])
      .where('entity_id', '=', created.id)
      .execute()
    expect(events).toEqual([{ topic: 'entity.created', min_lon: 7.67, max_lat: 45.05 }])
  })
})

describe('editing with optimistic concurrency', () => {
  it('requires If-Match (428), refuses a stale version (412), applies a current one', async () => {
    const created = await createOk(author, validEntityByKind.space)
    const missing = await patch(author, created.id, { title: 'Nuovo titolo' })
    expect(missing.statusCode).toBe(428)
    expect(missing.json()).toMatchObject({ code: 'if_match_required' })

    const ok = await patch(author, created.id, { title: 'Nuovo titolo', geometry: point(7.7, 45.1) }, '"1"')
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.headers.etag).toBe('"2"')
    expect(ok.json().properties).toMatchObject({ title: 'Nuovo titolo', version: 2 })
    expect(ok.json().geometry).toEqual(point(7.7, 45.1))

    const stale = await patch(author, created.id, { title: 'Troppo tardi' }, '"1"')
    expect(stale.statusCode).toBe(412)
    expect(stale.json()).toMatchObject({ code: 'version_mismatch' })
    expect(stale.headers.etag).toBe('"2"')
    const read = await t.request({ method: 'GET', url: `/api/entities/${created.id}` })
    expect(read.json().properties.title).toBe('Nuovo titolo')

    const garbage = await patch(author, created.id, { title: 'x' }, 'yesterday')
    expect(garbage.statusCode).toBe(400)
  })

  it('refuses a patch that breaks the kind rules and changes nothing', async () => {
    const event = await createOk(author, validEntityByKind.event)
    const backwards = await patch(
      author,
      event.id,
      { properties: { startsAt: '2019-06-19T18:00:00Z', endsAt: '2019-06-19T10:00:00Z' } },
      '"1"',
    )
    expect(backwards.statusCode).toBe(400)
    expect(backwards.json()).toMatchObject({ code: 'invalid_properties' })
    expect(backwards.json().errors[0].path).toBe('/properties/endsAt')
    const read = await t.request({ method: 'GET', url: `/api/entities/${event.id}` })
    expect(read.headers.etag).toBe('"1"')
  })

  it('follows the project lifecycle: proposal → co-design → signed → active → concluded', async () => {
    // A programme's author moves it through the steps; a pact's steps go through /api/pacts (see below).
    const base = {
      ...(validEntityByKind.project.properties as Record<string, unknown>),
      projectType: 'programme',
    }
    const project = await createOk(author, { ...validEntityByKind.project, properties: base })
    const skip = await patch(author, project.id, { properties: { ...base, status: 'active' } }, '"1"')
    expect(skip.statusCode).toBe(422)
    expect(skip.json()).toMatchObject({ code: 'invalid_status_transition' })
    let version = 1
    for (const status of ['co-design', 'signed', 'active', 'concluded']) {
      const step = await patch(author, project.id, { properties: { ...base, status } }, `"${version}"`)
      expect(step.statusCode, step.body).toBe(200)
      version += 1
    }
    const back = await patch(
      author,
      project.id,
      { properties: { ...base, status: 'active' } },
      `"${version}"`,
    )
    expect(back.statusCode).toBe(422)
  })

  it("refuses to move a pact of collaboration's status by editing it: its steps have their own route", async () => {
    const pact = await createOk(author, validEntityByKind.project)
    const base = validEntityByKind.project.properties as Record<string, unknown>
    expect(base.projectType).toBe('pact')
    const step = await patch(author, pact.id, { properties: { ...base, status: 'co-design' } }, '"1"')
    expect(step.statusCode).toBe(403)
    expect(step.json().detail).toMatch(/\/api\/pacts\/.+\/transitions/)
  })

  it('refuses a parent that does not exist or that would make a cycle', async () => {
    const space = await createOk(author, validEntityByKind.space)
    const event = await createOk(author, { ...validEntityByKind.event, parentId: space.id })
    expect(event.properties.parentId).toBe(space.id)
    const missing = await create(author, {
      ...validEntityByKind.event,
      parentId: '00000000-0000-4000-8000-000000000000',
    })
    expect(missing.statusCode).toBe(422)
    expect(missing.json()).toMatchObject({ code: 'parent_not_found' })
    const cycle = await patch(author, space.id, { parentId: event.id }, '"1"')
    expect(cycle.statusCode).toBe(422)
    expect(cycle.json()).toMatchObject({ code: 'parent_cycle' })
  })
})

describe('permissions', () => {
  it("refuses another member's edit and delete with 403, and anonymous writes with 401", async () => {
    const created = await createOk(author, validEntityByKind.offer)
    const edit = await patch(other, created.id, { title: 'Mio' }, '"1"')
    expect(edit.statusCode).toBe(403)
    expect(edit.json()).toMatchObject({ code: 'forbidden' })
    const del = await t.request({
      method: 'DELETE',
      url: `/api/entities/${created.id}`,
      headers: bearer(other),
    })
    expect(del.statusCode).toBe(403)
    expect((await patch(undefined, created.id, { title: 'Anon' }, '"1"')).statusCode).toBe(401)
    expect(
      (await t.request({ method: 'POST', url: '/api/entities', payload: validEntityByKind.offer }))
        .statusCode,
    ).toBe(401)
    const read = await t.request({ method: 'GET', url: `/api/entities/${created.id}` })
    expect(read.json().properties).toMatchObject({ title: created.properties.title, version: 1 })
  })

  it('lets a moderator edit, and a manager of the parent group edit the group things', async () => {
    const created = await createOk(author, validEntityByKind.request)
    expect((await patch(moderator, created.id, { title: 'Moderato' }, '"1"')).statusCode).toBe(200)

    const group = await createOk(other, validEntityByKind.group)
    const groupEvent = await createOk(author, { ...validEntityByKind.event, parentId: group.id })
    // `other` owns the group, so it may edit what belongs to it, though it did not write it.
    expect((await patch(other, groupEvent.id, { title: 'Evento del gruppo' }, '"1"')).statusCode).toBe(200)
  })

  it('soft-deletes: 204, then 404, gone from lists, row kept', async () => {
    const created = await createOk(author, validEntityByKind.story)
    const del = await t.request({
      method: 'DELETE',
      url: `/api/entities/${created.id}`,
      headers: bearer(author),
    })
    expect(del.statusCode).toBe(204)
    expect((await t.request({ method: 'GET', url: `/api/entities/${created.id}` })).statusCode).toBe(404)
    const again = await t.request({
      method: 'DELETE',
      url: `/api/entities/${created.id}`,
      headers: bearer(author),
    })
    expect(again.statusCode).toBe(404)
    const list = await t.request({ method: 'GET', url: `/api/entities?author=${author.user.id}&limit=1000` })
    expect(list.json().features.map((f: EntityFeature) => f.id)).not.toContain(created.id)
    const row = await t.database.db
      .selectFrom('entities')
      .select('deleted_at')
      .where('id', '=', created.id)
      .executeTakeFirst()
    expect(row?.deleted_at).toBeInstanceOf(Date)
  })
})

describe('author names', () => {
  it("shows the author's current display name on everything they wrote", async () => {
    const writer = await t.signUp({ displayName: 'Prima' })
    const created = await createOk(writer, validEntityByKind.news)
    expect(created.properties.author).toEqual({ id: writer.user.id, displayName: 'Prima' })
    await t.database.db
      .updateTable('users')
      .set({ display_name: 'Dopo' })
      .where('id', '=', writer.user.id)
      .execute()
    const read = await t.request({ method: 'GET', url: `/api/entities/${created.id}` })
    expect(read.json().properties.author).toEqual({ id: writer.user.id, displayName: 'Dopo' })
    expect(read.headers.etag).toBe('"1"')
    const list = await t.request({ method: 'GET', url: `/api/entities?author=${writer.user.id}` })
    expect(list.json().features[0].properties.author.displayName).toBe('Dopo')
  })
})
