import type { AuthTokens, EntityFeature } from '@quartiere/contracts'
import { expect } from 'vitest'
import { bearer, type TestApp } from '../support/test-app'

/** Small helpers over the test app, so each test reads as the flow it checks. */
export function community(t: TestApp) {
  async function call(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    tokens?: AuthTokens,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) {
    return t.request({
      method,
      url,
      headers: { ...(tokens ? bearer(tokens) : {}), ...headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    })
  }
  async function ok<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    tokens?: AuthTokens,
    payload?: unknown,
    status = method === 'POST' ? 201 : 200,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await call(method, url, tokens, payload, headers)
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status)
    return (response.body ? response.json() : undefined) as T
  }
  async function entity(tokens: AuthTokens, body: object): Promise<EntityFeature> {
    return ok<EntityFeature>('POST', '/api/entities', tokens, body)
  }
  return { call, ok, entity }
}
