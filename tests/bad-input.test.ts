import type { AuthTokens } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point, validEntityByKind } from './support/fixtures'
import { bearer, createTestApp, type TestApp } from './support/test-app'

let t: TestApp
let member: AuthTokens
beforeAll(async () => {
  t = await createTestApp()
  member = await t.signUp()
})
afterAll(async () => {
  await t?.close()
})

async function entityCount() {
  const row = await t.database.db
    .selectFrom('entities')
    .select(({ fn }) => fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code?: string,
) {
  expect(response.statusCode, response.body).toBe(status)
  expect(String(response.headers['content-type'])).toContain('application/problem+json')
  const body = JSON.parse(response.body)
  expect(body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    code: expect.any(String),
  })
  if (code) expect(body.code).toBe(code)
  expect(body.detail ?? '').not.toMatch(/SELECT|INSERT|at .*\.ts:\d+/)
  return body as { code: string; detail: string; errors?: { path: string; message: string }[] }
}

const ring = (coordinates: number[][]) => ({ type: 'Polygon', coordinates: [coordinates] })
const square = [
  [7.6, 45],
  [7.7, 45],
  [7.7, 45.1],
  [7.6, 45.1],
]

const badGeometries: [string, unknown, string][] = [
  ['a missing geometry', undefined, 'invalid_request'],
  ['a string instead of an object', 'POINT(7 45)', 'invalid_request'],
  ['an unknown type', { type: 'Circle', coordinates: [7, 45] }, 'invalid_request'],
  ['a GeometryCollection', { type: 'GeometryCollection', geometries: [] }, 'invalid_request'],
  ['a longitude out of range', point(181, 45), 'invalid_geometry'],
  ['a latitude out of range', point(7, -90.5), 'invalid_geometry'],
  ['a coordinate that is a string', { type: 'Point', coordinates: ['7.6', 45] }, 'invalid_geometry'],
  ['a coordinate that is null (NaN in JSON)', { type: 'Point', coordinates: [null, 45] }, 'invalid_geometry'],
  ['a position with one number', { type: 'Point', coordinates: [7] }, 'invalid_geometry'],
  ['an empty point', { type: 'Point', coordinates: [] }, 'invalid_geometry'],
  ['an empty line', { type: 'LineString', coordinates: [] }, 'invalid_geometry'],
  ['a line of one position', { type: 'LineString', coordinates: [[7, 45]] }, 'invalid_geometry'],
  ['an empty polygon', { type: 'Polygon', coordinates: [] }, 'invalid_geometry'],
  ['an unclosed ring', ring(square), 'invalid_geometry'],
  ['a ring of three positions', ring([square[0]!, square[1]!, square[0]!]), 'invalid_geometry'],
  [
    'a self-intersecting ring (bow tie)',
    ring([
      [7.6, 45],
      [7.7, 45.1],
      [7.7, 45],
      [7.6, 45.1],
      [7.6, 45],
    ]),
    'invalid_geometry',
  ],
  [
    'too many vertices',
    {
      type: 'LineString',
      coordinates: Array.from({ length: 10_001 }, (_, i) => [7 + i * 1e-5, 45]),
    },
    'geometry_too_large',
  ],
  ['wrong nesting', { type: 'Polygon', coordinates: [7, 45] }, 'invalid_geometry'],
  ['an empty multipolygon', { type: 'MultiPolygon', coordinates: [] }, 'invalid_geometry'],
]

describe('bad geometry is refused with a 400 that says what is wrong, and nothing is stored', () => {
  it.each(badGeometries)('%s', async (_name, geometry, code) => {
    const before = await entityCount()
    const response = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(member),
      payload: { ...validEntityByKind.space, geometry },
    })
    const problem = expectProblem(response, 400, code)
    expect(problem.detail.length).toBeGreaterThan(10)
    expect(await entityCount()).toBe(before)
  })

  it('says where a self-intersection is', async () => {
    const response = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(member),
      payload: { ...validEntityByKind.space, geometry: badGeometries[15]![1] },
    })
    expect(expectProblem(response, 400).detail).toMatch(/Self-intersection/)
  })

  it('refuses bad geometry on PATCH too, leaving the stored one', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(member),
      payload: validEntityByKind.space,
    })
    const id = created.json().id
    const response = await t.request({
      method: 'PATCH',
      url: `/api/entities/${id}`,
      headers: { ...bearer(member), 'if-match': '"1"' },
      payload: { geometry: point(200, 45) },
    })
    expectProblem(response, 400, 'invalid_geometry')
    const read = await t.request({ method: 'GET', url: `/api/entities/${id}` })
    expect(read.json().geometry).toEqual(validEntityByKind.space.geometry)
    expect(read.headers.etag).toBe('"1"')
  })
})

describe('bad bodies', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown kind', { kind: 'castle' }, 'invalid_request'],
    ['an empty title', { title: '' }, 'invalid_request'],
    ['a title too long', { title: 'x'.repeat(201) }, 'invalid_request'],
    ['an unknown top-level field', { authorId: '00000000-0000-4000-8000-000000000000' }, 'invalid_request'],
    ['a version in the body', { version: 7 }, 'invalid_request'],
    ['an unknown kind property', { properties: { address: 'x', owner: 'me' } }, 'invalid_properties'],
    [
      'an event without its start',
      { kind: 'event', properties: { endsAt: '2020-01-01T00:00:00Z' } },
      'invalid_properties',
    ],
    ['a zoom out of range', { zoomLevel: 23 }, 'invalid_request'],
    ['a zoom given as a string', { zoomLevel: '14' }, 'invalid_request'],
    [
      'validFrom after validTo',
      { validFrom: '2020-01-02T00:00:00Z', validTo: '2020-01-01T00:00:00Z' },
      'invalid_time_window',
    ],
    ['a malformed date', { validFrom: '2020-13-45' }, 'invalid_request'],
    ['a parent that is not a uuid', { parentId: 'abc' }, 'invalid_request'],
    ['too many tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'invalid_request'],
    [
      'offer hours as a float',
      { kind: 'offer', properties: { hours: 1.5, skillCategory: 'care' } },
      'invalid_properties',
    ],
  ]
  it.each(cases)('%s → 400', async (_name, change, code) => {
    const before = await entityCount()
    const response = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(member),
      payload: { ...validEntityByKind.space, ...change },
    })
    const problem = expectProblem(response, 400, code)
    // Schema and property failures always name the field; the time-window check may not.
    if (code !== 'invalid_time_window') expect(problem.errors?.length, response.body).toBeGreaterThan(0)
    if (problem.errors) expect(problem.errors[0]?.path).toMatch(/^\//)
    expect(await entityCount()).toBe(before)
  })

  it('invalid JSON → 400 invalid_json', async () => {
    const response = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: { ...bearer(member), 'content-type': 'application/json' },
      payload: '{"kind": "space", "geometry": {"type": "Point", "coordinates": [NaN, 45]}}',
    })
    expectProblem(response, 400, 'invalid_json')
  })

  it('a body over the limit → 413', async () => {
    const response = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: { ...bearer(member), 'content-type': 'application/json' },
      payload: JSON.stringify({ ...validEntityByKind.space, description: 'x'.repeat(2 * 1024 * 1024) }),
    })
    expectProblem(response, 413, 'body_too_large')
  })

  it('a body that is not JSON → 415', async () => {
    const response = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: { ...bearer(member), 'content-type': 'text/xml' },
      payload: '<entity/>',
    })
    expectProblem(response, 415)
  })
})

describe('bad queries and paths', () => {
  const queries: [string, string, number, string][] = [
    ['a bbox with three numbers', 'bbox=7,45,8', 400, 'invalid_query'],
    ['a bbox with text', 'bbox=a,b,c,d', 400, 'invalid_query'],
    ['a bbox out of range', 'bbox=7,45,8,95', 400, 'invalid_query'],
    ['a bbox crossing the antimeridian', 'bbox=179,0,-179,1', 400, 'invalid_query'],
    ['a bbox too large', 'bbox=-180,-90,180,90', 400, 'bbox_too_large'],
    ['an unknown kind', 'kinds=castle', 400, 'invalid_query'],
    ['from after to', 'from=2020-02-01&to=2020-01-01', 400, 'invalid_time_window'],
    ['an impossible date', 'from=2020-02-30', 400, 'invalid_time_window'],
    ['a zoom out of range', 'zoom=30', 400, 'invalid_request'],
    ['a limit of zero', 'limit=0', 400, 'invalid_request'],
    ['an unknown parameter', 'colour=red', 400, 'invalid_request'],
    ['a parent that is not a uuid', 'parent=42', 400, 'invalid_request'],
    ['a search too long', `q=${'a'.repeat(201)}`, 400, 'invalid_request'],
  ]
  it.each(queries)('%s → %i', async (_name, params, status, code) => {
    expectProblem(await t.request({ method: 'GET', url: `/api/entities?${params}` }), status, code)
  })

  it('an id that is not a uuid → 400; an unknown id → 404; an unknown route → 404', async () => {
    expectProblem(await t.request({ method: 'GET', url: '/api/entities/not-a-uuid' }), 400, 'invalid_request')
    expectProblem(
      await t.request({ method: 'GET', url: '/api/entities/00000000-0000-4000-8000-000000000000' }),
      404,
      'not_found',
    )
    expectProblem(await t.request({ method: 'GET', url: '/api/nothing-here' }), 404, 'route_not_found')
  })
})
