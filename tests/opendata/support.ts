import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { AuthTokens, EntityFeature, EntityKind } from '@quartiere/contracts'
import { seedSynthetic } from '@quartiere/map/seed'
import { expect } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { bearer, type TestApp } from '../support/test-app'

export const exec = promisify(execFile)

/** Runs a GDAL tool and returns its stdout; GDAL's messages on stderr go into the error when it fails. */
export async function gdal(tool: 'ogrinfo' | 'ogr2ogr', args: string[]): Promise<string> {
  const { stdout } = await exec(tool, args, { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 })
  return stdout
}

/** Listens on a free local port so that out-of-process clients (GDAL) can read the API; returns its origin. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.fastify.listen({ port: 0, host: '127.0.0.1' })
  const address = t.app.fastify.server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  return `http://127.0.0.1:${address.port}`
}

export async function createEntity(t: TestApp, tokens: AuthTokens, body: object): Promise<EntityFeature> {
  const response = await t.request({
    method: 'POST',
    url: '/api/entities',
    headers: bearer(tokens),
    payload: body,
  })
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as EntityFeature
}

/** `receiver` asks for an hour on `offer` and confirms it: one exchange, completed. Returns the exchange's id. */
export async function completeExchange(
  t: TestApp,
  offer: EntityFeature,
  receiver: AuthTokens,
): Promise<string> {
  const opened = await t.request({
    method: 'POST',
    url: `/api/entities/${offer.id}/exchanges`,
    headers: bearer(receiver),
    payload: { hours: '1.00' },
  })
  expect(opened.statusCode, opened.body).toBe(201)
  const { id } = opened.json() as { id: string }
  const confirmed = await t.request({
    method: 'POST',
    url: `/api/ledger/exchanges/${id}/confirm`,
    headers: bearer(receiver),
    payload: {},
  })
  expect(confirmed.statusCode, confirmed.body).toBe(200)
  return id
}

export interface Seeded {
  /** One entity of each kind created through the API, by kind. */
  byKind: Record<EntityKind, EntityFeature>
  /** An entity created and then deleted: it must never appear. */
  deleted: EntityFeature
}

/**
 * `synthetic` random things around Turin (seedSynthetic), one of each kind through the API with its
 * kind-specific properties, and one deleted thing.
 */
export async function seedOpenData(t: TestApp, synthetic: number): Promise<Seeded> {
  if (synthetic > 0) await seedSynthetic(t.database.db, synthetic)
  const author = await t.signUp({ displayName: 'Open data author' })
  const byKind = {} as Record<EntityKind, EntityFeature>
  for (const [kind, body] of Object.entries(validEntityByKind)) {
    byKind[kind as EntityKind] = await createEntity(t, author, body)
  }
  const deleted = await createEntity(t, author, { ...validEntityByKind.space, title: 'Deleted space' })
  const removed = await t.request({
    method: 'DELETE',
    url: `/api/entities/${deleted.id}`,
    headers: bearer(author),
  })
  expect(removed.statusCode).toBe(204)
  return { byKind, deleted }
}
