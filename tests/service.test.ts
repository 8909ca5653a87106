import { loadDemoData } from '@quartiere/map/seed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './support/test-app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t?.close()
})

describe('service endpoints', () => {
  it('GET /health names the backend', async () => {
    const response = await t.request({ method: 'GET', url: '/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      status: 'ok',
      database: t.database.backend,
      databaseReachable: true,
    })
  })

  it('GET /openapi.json documents every route with its schemas', async () => {
    const response = await t.request({ method: 'GET', url: '/openapi.json' })
    expect(response.statusCode).toBe(200)
    const document = response.json()
    expect(document.openapi).toMatch(/^3\./)
    for (const path of [
      '/api/auth/register',
      '/api/auth/login',
      '/api/auth/refresh',
      '/api/me',
      '/api/entities',
      '/api/entities/{id}',
    ]) {
      expect(Object.keys(document.paths)).toContain(path)
    }
    const list = document.paths['/api/entities'].get
    const limit = list.parameters.find((p: { name: string }) => p.name === 'limit')
    expect(limit.schema.maximum).toBe(1000)
    expect(
      document.paths['/api/entities'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('geometry')
  })
})

describe('Turin demo data', () => {
  it('loads once through the domain rules, and a second load changes nothing', async () => {
    const first = await loadDemoData(t.database.db)
    expect(first).toMatchObject({ loaded: true })
    if (!first.loaded) return
    expect(first.entities).toBeGreaterThanOrEqual(40)
    expect(await loadDemoData(t.database.db)).toEqual({ loaded: false, reason: 'map_not_empty' })

    const workshop = await t.request({
      method: 'GET',
      url: `/api/entities?q=${encodeURIComponent('Impresa di comunità generativa')}&kinds=event`,
    })
    const features = workshop.json().features
    expect(features).toHaveLength(1)
    expect(features[0].properties.validFrom.slice(0, 10)).toBe('2019-06-19')
    const centre = await t.request({
      method: 'GET',
      url: '/api/entities?bbox=7.60,45.00,7.75,45.14&limit=1000',
    })
    const kinds = new Set(
      centre.json().features.map((f: { properties: { kind: string } }) => f.properties.kind),
    )
    expect([...kinds].sort()).toEqual([
      'event',
      'group',
      'news',
      'offer',
      'project',
      'request',
      'space',
      'story',
    ])
  })
})
