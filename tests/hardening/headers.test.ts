import { connectionTimeoutMs, requestTimeoutMs } from '@quartiere/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'

/**
 * What the API tells browsers (issue 9, "Security headers"): helmet's headers and one content security policy
 * on every response, no x-powered-by, CORS closed unless CORS_ORIGINS opens it to named origins, and validation
 * errors that say what is wrong without quoting the schema.
 */
describe('security headers', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t?.close()
  })

  it.each([
    ['a JSON read', '/api/entities?bbox=7.6,45,7.7,45.1'],
    ['a problem', '/api/entities/not-a-uuid'],
    ['an unknown route', '/api/nothing-here'],
    ['the OGC landing page', '/ogc'],
  ])('are sent on %s', async (_name, url) => {
    const response = await t.request({ method: 'GET', url })
    const csp = String(response.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    expect(response.headers['x-frame-options']).toBe('DENY')
    expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin')
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/)
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin')
    expect(response.headers['x-powered-by']).toBeUndefined()
    expect(response.headers.server).toBeUndefined()
  })

  it('lets the basemap origin through the policy, and only it', async () => {
    const response = await t.request({ method: 'GET', url: '/health' })
    const csp = String(response.headers['content-security-policy'])
    expect(csp).toMatch(/connect-src 'self' https:\/\/tiles\.openfreemap\.org/)
    expect(csp).not.toContain('*')
  })

  it('validation errors do not quote the schema', async () => {
    // Labels may not hold commas: the schema says so with a regular expression that must not be quoted back.
    const member = await t.signUp()
    const response = await t.request({
      method: 'POST',
      url: '/api/entities',
      headers: bearer(member),
      payload: { ...validEntityByKind.event, categories: ['a,b'] },
    })
    const response2 = await t.request({
      method: 'POST',
      url: '/api/auth/register',
      payload: {
        email: 'x@example.org',
        password: 'correct horse battery staple',
        displayName: 'A',
        role: 'admin',
      },
    })
    const response3 = await t.request({ method: 'GET', url: '/api/posts/not-a-uuid/comments' })
    for (const r of [response, response2, response3]) {
      expect(r.statusCode).toBe(400)
      expect(r.body).not.toMatch(/\^|\$"|\[0-9a-f\]|pattern|"schema"|\$ref|#\/definitions/)
    }
  })

  it('sets request and connection timeouts for slow clients', () => {
    // Fastify hands them to Node's HTTP server: a whole request, and an idle socket, each have a deadline.
    expect(t.app.fastify.server.requestTimeout).toBe(requestTimeoutMs)
    expect(t.app.fastify.server.timeout).toBe(connectionTimeoutMs)
    expect(requestTimeoutMs).toBeGreaterThan(0)
    expect(connectionTimeoutMs).toBeGreaterThan(0)
  })
})

describe('CORS', () => {
  const origin = 'https://research.example.org'

  it('is closed by default: no other origin is allowed, preflights get no permission', async () => {
    const t = await createTestApp()
    try {
      const read = await t.request({ method: 'GET', url: '/ogc', headers: { origin } })
      expect(read.statusCode).toBe(200)
      expect(read.headers['access-control-allow-origin']).toBeUndefined()
      const preflight = await t.request({
        method: 'OPTIONS',
        url: '/api/ledger/transfers',
        headers: { origin, 'access-control-request-method': 'POST' },
      })
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
      expect(preflight.headers['access-control-allow-methods']).toBeUndefined()
      expect(preflight.headers['cross-origin-resource-policy']).toBe('same-origin')
    } finally {
      await t.close()
    }
  })

  it('opens to the origins CORS_ORIGINS lists, never with credentials', async () => {
    const t = await createTestApp({ CORS_ORIGINS: `${origin},https://other.example.org` })
    try {
      const read = await t.request({ method: 'GET', url: '/ogc', headers: { origin } })
      expect(read.headers['access-control-allow-origin']).toBe(origin)
      expect(read.headers['access-control-allow-credentials']).toBeUndefined()
      expect(String(read.headers['access-control-expose-headers'])).toContain('ETag')
      expect(String(read.headers.vary)).toMatch(/origin/i)
      expect(read.headers['cross-origin-resource-policy']).toBe('cross-origin')

      const stranger = await t.request({
        method: 'GET',
        url: '/ogc',
        headers: { origin: 'https://evil.example.net' },
      })
      expect(stranger.headers['access-control-allow-origin']).toBeUndefined()

      const preflight = await t.request({
        method: 'OPTIONS',
        url: '/api/ledger/transfers',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      })
      expect(preflight.statusCode).toBe(204)
      expect(preflight.headers['access-control-allow-origin']).toBe(origin)
      expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST')
      expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain(
        'idempotency-key',
      )
    } finally {
      await t.close()
    }
  })

  it('refuses a malformed CORS_ORIGINS at start', async () => {
    await expect(
      createTestApp({ CORS_ORIGINS: 'https://ok.example.org,javascript:alert(1)' }),
    ).rejects.toThrow(/CORS_ORIGINS/)
  })
})
