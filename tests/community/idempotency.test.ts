import { randomUUID } from 'node:crypto'
import { defaults } from '@quartiere/api/config'
import type { AuthTokens, EntityFeature, Post } from '@quartiere/contracts'
import { pruneIdempotencyKeys } from '@quartiere/db'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { bearer, createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

/**
 * Creating a thing, a post or a comment with an Idempotency-Key happens once per member and key: retries are
 * answered with the first answer, also on another instance and when they race; another request under a used key is
 * refused; a refused creation keeps nothing, so its retry is done once the cause is gone.
 */

let t: TestApp
let c: ReturnType<typeof community>
let author: AuthTokens
let other: AuthTokens
let thing: EntityFeature
let post: Post
beforeAll(async () => {
  // New members may post 10 times an hour; these tests post more than that, and the limit has tests of its own.
  t = await createTestApp({ NEW_ACCOUNT_AGE_HOURS: '0' })
  c = community(t)
  author = await t.signUp({ displayName: 'Autrice' })
  other = await t.signUp({ displayName: 'Vicino' })
  thing = await c.entity(author, { ...validEntityByKind.space, title: 'Bacheca' })
  post = await c.ok<Post>('POST', `/api/entities/${thing.id}/posts`, author, { body: 'Primo post' })
})
afterAll(async () => {
  await t?.close()
})

type Send = (options: InjectOptions) => Promise<LightMyRequestResponse>

function create(send: Send, url: string, tokens: AuthTokens | undefined, key: string, payload: object) {
  return send({
    method: 'POST',
    url,
    headers: { ...(tokens ? bearer(tokens) : {}), 'idempotency-key': key },
    payload,
  })
}

async function count(table: 'entities' | 'posts' | 'comments', column: string, value: string) {
  const result = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${value}`.execute(
    t.database.db,
  )
  return result.rows[0]!.n
}

const creations = [
  {
    what: 'a thing',
    url: () => '/api/entities',
    body: (text: string) => ({ ...validEntityByKind.space, title: text }),
    count: (text: string) => count('entities', 'title', text),
  },
  {
    what: 'a post',
    url: () => `/api/entities/${thing.id}/posts`,
    body: (text: string) => ({ body: text }),
    count: (text: string) => count('posts', 'body', text),
  },
  {
    what: 'a comment',
    url: () => `/api/posts/${post.id}/comments`,
    body: (text: string) => ({ body: text }),
    count: (text: string) => count('comments', 'body', text),
  },
] as const

describe.each(creations)('creating $what with an Idempotency-Key', (creation) => {
  it('does it once: a retry gets the first answer again, status, headers and body', async () => {
    const key = randomUUID()
    const text = `Una volta sola ${key}`
    const first = await create(t.request, creation.url(), other, key, creation.body(text))
    expect(first.statusCode, first.body).toBe(201)
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    const again = await create(t.request, creation.url(), other, key.toUpperCase(), creation.body(text))
    expect(again.statusCode).toBe(201)
    expect(again.body).toBe(first.body)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.headers.etag).toBe(first.headers.etag)
    expect(again.headers.location).toBe(first.headers.location)
    expect(again.headers['content-type']).toBe(first.headers['content-type'])
    expect(await creation.count(text)).toBe(1)
  })

  it('refuses the same key with another body (422 idempotency_key_reused), changing nothing', async () => {
    const key = randomUUID()
    const text = `Primo testo ${key}`
    expect((await create(t.request, creation.url(), other, key, creation.body(text))).statusCode).toBe(201)
    const changed = await create(t.request, creation.url(), other, key, creation.body(`Altro testo ${key}`))
    expect(changed.statusCode).toBe(422)
    expect(changed.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(changed.json()).toMatchObject({ code: 'idempotency_key_reused', status: 422 })
    expect(await creation.count(`Altro testo ${key}`)).toBe(0)
    expect(await creation.count(text)).toBe(1)
  })

  it('keeps keys per member: another member’s same key is their own', async () => {
    const key = randomUUID()
    const text = `Stessa chiave ${key}`
    const mine = await create(t.request, creation.url(), other, key, creation.body(text))
    const theirs = await create(t.request, creation.url(), author, key, creation.body(text))
    expect(mine.statusCode).toBe(201)
    expect(theirs.statusCode).toBe(201)
    expect(theirs.json().id).not.toBe(mine.json().id)
    expect(await creation.count(text)).toBe(2)
  })

  it('creates one, whatever the number of retries racing on two instances', async () => {
    const sibling = await t.sibling()
    const key = randomUUID()
    const text = `Di corsa ${key}`
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        create(i % 2 === 0 ? t.request : sibling.request, creation.url(), other, key, creation.body(text)),
      ),
    )
    expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(201))
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1)
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(5)
    expect(await creation.count(text)).toBe(1)
  })
})

describe('Idempotency-Key, refused and odd requests', () => {
  it('refuses a key that is not a uuid (400), creating nothing', async () => {
    const text = `Chiave storta ${randomUUID()}`
    const answer = await create(t.request, '/api/entities', other, 'not-a-uuid', {
      ...validEntityByKind.space,
      title: text,
    })
    expect(answer.statusCode).toBe(400)
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(await count('entities', 'title', text)).toBe(0)
  })

  it('refuses one key for two routes: a post’s key cannot make a comment', async () => {
    const key = randomUUID()
    const posted = await create(t.request, `/api/entities/${thing.id}/posts`, other, key, { body: 'Stesso' })
    expect(posted.statusCode).toBe(201)
    const commented = await create(t.request, `/api/posts/${post.id}/comments`, other, key, {
      body: 'Stesso',
    })
    expect(commented.statusCode).toBe(422)
    expect(commented.json()).toMatchObject({ code: 'idempotency_key_reused' })
    // Nor the same route on another target.
    const elsewhere = await c.entity(author, { ...validEntityByKind.space, title: 'Altrove' })
    const moved = await create(t.request, `/api/entities/${elsewhere.id}/posts`, other, key, {
      body: 'Stesso',
    })
    expect(moved.statusCode).toBe(422)
    expect(await count('posts', 'entity_id', elsewhere.id)).toBe(0)
  })

  it('keeps nothing of a refused creation: the retry with the same key is done once the cause is gone', async () => {
    const key = randomUUID()
    const text = `Dopo il login ${key}`
    const loggedOut = await create(t.request, `/api/entities/${thing.id}/posts`, undefined, key, {
      body: text,
    })
    expect(loggedOut.statusCode).toBe(401)
    const tooLong = await create(t.request, `/api/entities/${thing.id}/posts`, other, key, {
      body: 'x'.repeat(100_000),
    })
    expect(tooLong.statusCode).toBeGreaterThanOrEqual(400)
    expect(tooLong.statusCode).toBeLessThan(500)
    const gone = await create(t.request, `/api/entities/${randomUUID()}/posts`, other, key, { body: text })
    expect(gone.statusCode).toBe(404)
    const done = await create(t.request, `/api/entities/${thing.id}/posts`, other, key, { body: text })
    expect(done.statusCode, done.body).toBe(201)
    expect(done.headers['idempotent-replayed']).toBeUndefined()
    expect(await count('posts', 'body', text)).toBe(1)
  })

  it('answers a retry on a restarted instance, from the database', async () => {
    const key = randomUUID()
    const text = `Dopo il riavvio ${key}`
    const first = await create(t.request, '/api/entities', other, key, {
      ...validEntityByKind.space,
      title: text,
    })
    expect(first.statusCode).toBe(201)
    const restarted = await t.sibling()
    const again = await create(restarted.request, '/api/entities', other, key, {
      ...validEntityByKind.space,
      title: text,
    })
    expect(again.statusCode).toBe(201)
    expect(again.body).toBe(first.body)
    expect(await count('entities', 'title', text)).toBe(1)
  })

  it('forgets a key past its retention (IDEMPOTENCY_KEY_RETENTION_HOURS), and prunes it', async () => {
    const key = randomUUID()
    const text = `Dimenticata ${key}`
    const url = `/api/entities/${thing.id}/posts`
    expect((await create(t.request, url, other, key, { body: text })).statusCode).toBe(201)
    // Age the key past the default retention (a week) rather than wait for it.
    await sql`UPDATE idempotency_keys SET created_at = now() - interval '169 hours' WHERE key = ${key}::uuid`.execute(
      t.database.db,
    )
    const again = await create(t.request, url, other, key, { body: text })
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBeUndefined()
    expect(await count('posts', 'body', text)).toBe(2)

    await sql`UPDATE idempotency_keys SET created_at = now() - interval '169 hours' WHERE key = ${key}::uuid`.execute(
      t.database.db,
    )
    expect(await pruneIdempotencyKeys(t.database.db, defaults.idempotencyKeyRetentionHours)).toBeGreaterThan(
      0,
    )
    const left = await sql<{
      n: number
    }>`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = ${key}::uuid`.execute(t.database.db)
    expect(left.rows[0]!.n).toBe(0)
  })
})
