import type { AuthTokens, EntityCollection, EntityFeature } from '@quartiere/contracts'
import { seedSynthetic } from '@quartiere/map/seed'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point, validEntityByKind } from './support/fixtures'
import { bearer, createTestApp, type TestApp } from './support/test-app'

let t: TestApp
let author: AuthTokens
beforeAll(async () => {
  t = await createTestApp()
  author = await t.signUp()
})
afterAll(async () => {
  await t?.close()
})

async function create(body: object, tokens = author): Promise<EntityFeature> {
  const response = await t.request({
    method: 'POST',
    url: '/api/entities',
    headers: bearer(tokens),
    payload: body,
  })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as EntityFeature
}

async function query(params: string): Promise<EntityCollection> {
  const response = await t.request({ method: 'GET', url: `/api/entities?${params}` })
  expect(response.statusCode, response.body).toBe(200)
  expect(response.headers['content-type']).toContain('application/geo+json')
  return response.json() as EntityCollection
}

const titles = (collection: EntityCollection) => collection.features.map((f) => f.properties.title).sort()

describe('filters', () => {
  it('bbox: things inside or crossing the box, not those outside', async () => {
    const tag = 'bbox-test'
    await create({
      ...validEntityByKind.space,
      title: 'Dentro',
      geometry: point(10.005, 40.005),
      tags: [tag],
    })
    await create({ ...validEntityByKind.space, title: 'Fuori', geometry: point(10.02, 40.02), tags: [tag] })
    await create({
      ...validEntityByKind.story,
      title: 'Attraversa',
      geometry: {
        type: 'LineString',
        coordinates: [
          [9.99, 40.005],
          [10.0005, 40.005],
        ],
      },
      tags: [tag],
    })
    const inBox = await query(`bbox=10,40,10.01,40.01&tags=${tag}`)
    expect(titles(inBox)).toEqual(['Attraversa', 'Dentro'])
    expect(inBox.numberReturned).toBe(2)
  })

  it('time window: overlapping validity, open ends unbounded', async () => {
    const tag = 'time-test'
    const base = { ...validEntityByKind.news, tags: [tag] }
    await create({
      ...base,
      title: '2019',
      validFrom: '2019-01-01T00:00:00Z',
      validTo: '2019-12-31T23:59:59Z',
    })
    await create({ ...base, title: 'dal 2021', validFrom: '2021-01-01T00:00:00Z' })
    await create({ ...base, title: 'fino al 2018', validTo: '2018-06-30T00:00:00Z' })
    await create({ ...base, title: 'sempre' })
    expect(titles(await query(`tags=${tag}&from=2019-06-01&to=2019-06-30`))).toEqual(['2019', 'sempre'])
    expect(titles(await query(`tags=${tag}&from=2022-01-01`))).toEqual(['dal 2021', 'sempre'])
    expect(titles(await query(`tags=${tag}&to=2018-01-01`))).toEqual(['fino al 2018', 'sempre'])
    expect(titles(await query(`tags=${tag}&from=2018-06-30T00:00:00Z&to=2019-01-01`))).toEqual([
      '2019',
      'fino al 2018',
      'sempre',
    ])
  })

  it('zoom: only things meant to show at that scale', async () => {
    const tag = 'zoom-test'
    await create({ ...validEntityByKind.project, title: 'città', zoomLevel: 11, tags: [tag] })
    await create({ ...validEntityByKind.space, title: 'panchina', zoomLevel: 18, tags: [tag] })
    expect(titles(await query(`tags=${tag}&zoom=12`))).toEqual(['città'])
    expect(titles(await query(`tags=${tag}&zoom=18`))).toEqual(['città', 'panchina'])
  })

  it('kinds, categories, tags, parent and author', async () => {
    const other = await t.signUp()
    const space = await create({
      ...validEntityByKind.space,
      title: 'Casa',
      categories: ['welfare'],
      tags: ['k'],
    })
    await create({
      ...validEntityByKind.event,
      title: 'Festa',
      parentId: space.id,
      categories: ['cultura'],
      tags: ['k'],
    })
    await create(
      { ...validEntityByKind.offer, title: 'Aiuto', categories: ['welfare'], tags: ['k', 'extra'] },
      other,
    )
    expect(titles(await query('tags=k&kinds=event,offer'))).toEqual(['Aiuto', 'Festa'])
    expect(titles(await query('tags=k&categories=welfare'))).toEqual(['Aiuto', 'Casa'])
    expect(titles(await query('tags=extra'))).toEqual(['Aiuto'])
    expect(titles(await query(`parent=${space.id}`))).toEqual(['Festa'])
    expect(titles(await query(`tags=k&author=${other.user.id}`))).toEqual(['Aiuto'])
  })

  it('full-text search in Italian, with and without accents, and in English', async () => {
    const tag = 'search-test'
    await create({ ...validEntityByKind.event, title: 'Impresa di comunità generativa', tags: [tag] })
    await create({ ...validEntityByKind.space, title: 'Community gardens of Barriera', tags: [tag] })
    await create({
      ...validEntityByKind.news,
      title: 'Nuovo mercato',
      description: 'Niente a che vedere',
      tags: [tag],
    })
    expect(titles(await query(`tags=${tag}&q=${encodeURIComponent('comunità')}`))).toEqual([
      'Impresa di comunità generativa',
    ])
    expect(titles(await query(`tags=${tag}&q=comunita`))).toEqual(['Impresa di comunità generativa'])
    expect(titles(await query(`tags=${tag}&q=imprese`))).toEqual(['Impresa di comunità generativa'])
    expect(titles(await query(`tags=${tag}&q=garden`))).toEqual(['Community gardens of Barriera'])
    expect(titles(await query(`tags=${tag}&q=${encodeURIComponent('"comunità generativa"')}`))).toHaveLength(
      1,
    )
    expect(titles(await query(`tags=${tag}&q=biblioteca`))).toEqual([])
  })
})

describe('paging', () => {
  it('pages through 1,200 things with no duplicate and no gap, even with writes between pages', async () => {
    await seedSynthetic(t.database.db, 1200)
    const expected = await t.database.db
      .selectFrom('entities')
      .select('id')
      .where(sql<boolean>`tags @> ARRAY['synthetic']`)
      .where('deleted_at', 'is', null)
      .execute()
    expect(expected).toHaveLength(1200)
    // Synthetic things are spread out, not piled on one point.
    const places = await t.database.db
      .selectFrom('entities')
      .select(sql<string>`count(DISTINCT ST_AsText(geom))`.as('n'))
      .where(sql<boolean>`tags @> ARRAY['synthetic']`)
      .executeTakeFirstOrThrow()
    expect(Number(places.n)).toBeGreaterThan(1100)

    const seen: string[] = []
    let url: string | undefined = '/api/entities?tags=synthetic&limit=100'
    let pages = 0
    while (url) {
      const response = await t.request({ method: 'GET', url })
      expect(response.statusCode).toBe(200)
      const page = response.json() as EntityCollection
      expect(page.numberReturned).toBe(page.features.length)
      expect(page.features.length).toBeLessThanOrEqual(100)
      seen.push(...page.features.map((f) => f.id))
      url = page.links.find((l) => l.rel === 'next')?.href
      pages += 1
      if (pages === 3) await create({ ...validEntityByKind.space, tags: ['synthetic'] })
    }
    expect(new Set(seen).size).toBe(seen.length)
    const seenSet = new Set(seen)
    expect(expected.every((row) => seenSet.has(row.id))).toBe(true)
    expect(pages).toBeGreaterThanOrEqual(12)
  })

  it('caps limit at the maximum and refuses a forged cursor', async () => {
    const tooMany = await t.request({ method: 'GET', url: '/api/entities?limit=1001' })
    expect(tooMany.statusCode).toBe(400)
    const forged = await t.request({ method: 'GET', url: '/api/entities?cursor=bm90LWEtY3Vyc29y' })
    expect(forged.statusCode).toBe(400)
    expect(forged.json()).toMatchObject({ code: 'invalid_cursor' })
  })
})
