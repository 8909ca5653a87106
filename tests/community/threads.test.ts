import type {
  AuthTokens,
  Comment,
  EntityCollection,
  EntityFeature,
  Post,
  PostList,
} from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

let t: TestApp
let c: ReturnType<typeof community>
let author: AuthTokens
let other: AuthTokens
let moderator: AuthTokens
let space: EntityFeature
beforeAll(async () => {
  t = await createTestApp()
  c = community(t)
  author = await t.signUp({ displayName: 'Autrice' })
  other = await t.signUp({ displayName: 'Vicino' })
  moderator = await t.signUp({ as: 'moderator' })
  space = await c.entity(author, validEntityByKind.space)
})
afterAll(async () => {
  await t?.close()
})

describe('posts on a thing', () => {
  it('creates, reads back, lists newest first and pages without gaps', async () => {
    const thing = await c.entity(author, { ...validEntityByKind.space, title: 'Bacheca' })
    const created: Post[] = []
    for (let i = 0; i < 5; i += 1) {
      created.push(
        await c.ok<Post>('POST', `/api/entities/${thing.id}/posts`, other, {
          title: `Post ${i}`,
          body: `Testo ${i}`,
          tags: ['Orto', 'orto', 'Festa'],
        }),
      )
    }
    expect(created[0]).toMatchObject({
      entityId: thing.id,
      author: { id: other.user.id, displayName: 'Vicino' },
      title: 'Post 0',
      tags: ['orto', 'festa'],
      removed: false,
      hidden: false,
      commentsCount: 0,
      version: 1,
    })
    // The writer's answer says what they may do with it (`can`); an anonymous reader gets the post without.
    const { can, ...post } = created[2]!
    expect(can).toEqual({ edit: true, delete: true, report: false })
    const one = await c.ok<Post>('GET', `/api/posts/${created[2]!.id}`)
    expect(one).toEqual(post)

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: PostList = await c.ok<PostList>(
        'GET',
        `/api/entities/${thing.id}/posts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      seen.push(...page.items.map((p) => p.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(created.map((p) => p.id).reverse())
  })

  it('raises the thing’s last activity, and the wall sorts by it', async () => {
    const quiet = await c.entity(author, { ...validEntityByKind.space, title: 'Quiet' })
    const busy = await c.entity(author, { ...validEntityByKind.space, title: 'Busy' })
    await c.entity(author, { ...validEntityByKind.space, title: 'Newest but silent' })
    await c.ok('POST', `/api/entities/${busy.id}/posts`, other, { body: 'ciao' })
    const after = await c.ok<EntityFeature>('GET', `/api/entities/${busy.id}`)
    expect(Date.parse(after.properties.lastActivityAt)).toBeGreaterThan(
      Date.parse(busy.properties.lastActivityAt),
    )
    expect(after.properties.version).toBe(1)
    const wall = await c.ok<EntityCollection>('GET', '/api/entities?sort=activity&limit=2')
    expect(wall.features[0]!.id).toBe(busy.id)
    // The activity order pages with its own cursor.
    const next = wall.links.find((l) => l.rel === 'next')
    expect(next).toBeDefined()
    const rest = await c.ok<EntityCollection>('GET', next!.href)
    const ids = [...wall.features, ...rest.features].map((f) => f.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toContain(quiet.id)
  })

  it('lets only the author edit, with If-Match, and keeps removed posts as placeholders', async () => {
    const post = await c.ok<Post>('POST', `/api/entities/${space.id}/posts`, author, { body: 'prima' })
    const noMatch = await c.call('PATCH', `/api/posts/${post.id}`, author, { body: 'x' })
    expect(noMatch.statusCode).toBe(428)
    const stranger = await c.call(
      'PATCH',
      `/api/posts/${post.id}`,
      other,
      { body: 'x' },
      { 'if-match': '"1"' },
    )
    expect(stranger.statusCode).toBe(403)
    const edited = await c.ok<Post>('PATCH', `/api/posts/${post.id}`, author, { body: 'seconda' }, 200, {
      'if-match': '"1"',
    })
    expect(edited).toMatchObject({ body: 'seconda', version: 2 })
    const stale = await c.call('PATCH', `/api/posts/${post.id}`, author, { body: 'x' }, { 'if-match': '"1"' })
    expect(stale.statusCode).toBe(412)
    expect(stale.json().code).toBe('version_mismatch')

    const comment = await c.ok<Comment>('POST', `/api/posts/${post.id}/comments`, other, { body: 'risposta' })
    expect((await c.call('DELETE', `/api/posts/${post.id}`, other)).statusCode).toBe(403)
    expect((await c.call('DELETE', `/api/posts/${post.id}`, author)).statusCode).toBe(204)
    const removed = await c.ok<Post>('GET', `/api/posts/${post.id}`)
    expect(removed).toMatchObject({ removed: true, body: '', title: '', author: null, commentsCount: 1 })
    const list = await c.ok<PostList>('GET', `/api/entities/${space.id}/posts`)
    expect(list.items.find((p) => p.id === post.id)?.removed).toBe(true)
    // The conversation around it stays; no new comments on a removed post.
    const comments = await c.ok<{ items: Comment[] }>('GET', `/api/posts/${post.id}/comments`)
    expect(comments.items.map((x) => x.id)).toEqual([comment.id])
    expect(
      (await c.call('POST', `/api/posts/${post.id}/comments`, other, { body: 'ancora' })).statusCode,
    ).toBe(409)
  })

  it('refuses bad input and unknown things without changing anything', async () => {
    const before = await c.ok<PostList>('GET', `/api/entities/${space.id}/posts`)
    expect((await c.call('POST', `/api/entities/${space.id}/posts`, author, { body: '' })).statusCode).toBe(
      400,
    )
    expect(
      (
        await c.call('POST', `/api/entities/${space.id}/posts`, author, {
          body: 'x',
          authorId: other.user.id,
        })
      ).statusCode,
    ).toBe(400)
    expect(
      (await c.call('POST', `/api/entities/${space.id}/posts`, undefined, { body: 'x' })).statusCode,
    ).toBe(401)
    const missing = await c.call('POST', '/api/entities/00000000-0000-4000-8000-000000000000/posts', author, {
      body: 'x',
    })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-type']).toContain('application/problem+json')
    expect((await c.call('GET', `/api/entities/${space.id}/posts?cursor=nonsense`)).statusCode).toBe(400)
    expect((await c.call('GET', `/api/entities/${space.id}/posts?limit=1000`)).statusCode).toBe(400)
    const foreignImage = await c.call('POST', `/api/entities/${space.id}/posts`, author, {
      body: 'x',
      images: ['00000000-0000-4000-8000-000000000000'],
    })
    expect(foreignImage.statusCode).toBe(422)
    expect(foreignImage.json().code).toBe('invalid_media')
    const after = await c.ok<PostList>('GET', `/api/entities/${space.id}/posts`)
    expect(after.items.length).toBe(before.items.length)
  })
})

describe('comments', () => {
  it('lists oldest first, counts them, and lets the author edit and remove', async () => {
    const post = await c.ok<Post>('POST', `/api/entities/${space.id}/posts`, author, { body: 'discussione' })
    const first = await c.ok<Comment>('POST', `/api/posts/${post.id}/comments`, other, { body: 'uno' })
    const second = await c.ok<Comment>('POST', `/api/posts/${post.id}/comments`, author, { body: 'due' })
    const third = await c.ok<Comment>('POST', `/api/posts/${post.id}/comments`, other, { body: 'tre' })
    const page1 = await c.ok<{ items: Comment[]; nextCursor: string }>(
      'GET',
      `/api/posts/${post.id}/comments?limit=2`,
    )
    expect(page1.items.map((x) => x.body)).toEqual(['uno', 'due'])
    const page2 = await c.ok<{ items: Comment[]; nextCursor: null }>(
      'GET',
      `/api/posts/${post.id}/comments?limit=2&cursor=${page1.nextCursor}`,
    )
    expect(page2.items.map((x) => x.id)).toEqual([third.id])
    expect(page2.nextCursor).toBeNull()
    expect((await c.ok<Post>('GET', `/api/posts/${post.id}`)).commentsCount).toBe(3)

    expect(
      (await c.call('PATCH', `/api/comments/${first.id}`, author, { body: 'no' }, { 'if-match': '"1"' }))
        .statusCode,
    ).toBe(403)
    const edited = await c.ok<Comment>('PATCH', `/api/comments/${first.id}`, other, { body: 'uno!' }, 200, {
      'if-match': '"1"',
    })
    expect(edited).toMatchObject({ body: 'uno!', version: 2 })
    expect((await c.call('DELETE', `/api/comments/${second.id}`, other)).statusCode).toBe(403)
    // A moderator may remove anyone's comment.
    expect((await c.call('DELETE', `/api/comments/${second.id}`, moderator)).statusCode).toBe(204)
    const all = await c.ok<{ items: Comment[] }>('GET', `/api/posts/${post.id}/comments`)
    expect(all.items.map((x) => [x.body, x.removed])).toEqual([
      ['uno!', false],
      ['', true],
      ['tre', false],
    ])
  })

  it('writes post and comment events to the outbox with the thing’s bbox', async () => {
    const post = await c.ok<Post>('POST', `/api/entities/${space.id}/posts`, author, { body: 'evento' })
    await c.ok<Comment>('POST', `/api/posts/${post.id}/comments`, other, { body: 'commento' })
    const rows = await t.database.db
      .selectFrom('events_outbox')
      .select(['topic', 'entity_id', 'min_lon', 'audience'])
      .where('entity_id', '=', space.id)
      .where('topic', 'in', ['post.created', 'comment.created'])
      .orderBy('seq', 'desc')
      .limit(2)
      .execute()
    expect(rows.map((r) => r.topic).sort()).toEqual(['comment.created', 'post.created'])
    for (const row of rows) {
      expect(row.audience).toBeNull()
      expect(row.min_lon).toBeCloseTo(
        space.geometry.type === 'Point' ? (space.geometry.coordinates[0] as number) : 0,
      )
    }
  })
})

describe('posting rate limit for new accounts', () => {
  it('refuses the post over the hourly budget with 429 and Retry-After, then still lets moderators post', async () => {
    const limited = await createTestApp({ NEW_ACCOUNT_POSTS_PER_HOUR: '3' })
    try {
      const lc = community(limited)
      const newcomer = await limited.signUp()
      const mod = await limited.signUp({ as: 'moderator' })
      const thing = await lc.entity(newcomer, validEntityByKind.space)
      const post = await lc.ok<Post>('POST', `/api/entities/${thing.id}/posts`, newcomer, { body: '1' })
      await lc.ok('POST', `/api/posts/${post.id}/comments`, newcomer, { body: '2' })
      await lc.ok('POST', `/api/entities/${thing.id}/posts`, newcomer, { body: '3' })
      const refused = await lc.call('POST', `/api/entities/${thing.id}/posts`, newcomer, { body: '4' })
      expect(refused.statusCode).toBe(429)
      expect(refused.json().code).toBe('rate_limited')
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
      const refusedComment = await lc.call('POST', `/api/posts/${post.id}/comments`, newcomer, { body: '4' })
      expect(refusedComment.statusCode).toBe(429)
      for (let i = 0; i < 4; i += 1)
        await lc.ok('POST', `/api/entities/${thing.id}/posts`, mod, { body: `m${i}` })
      // An account older than the window posts under the larger budget.
      await limited.database.db
        .updateTable('users')
        .set({ created_at: new Date(Date.now() - 48 * 3600_000) })
        .where('id', '=', newcomer.user.id)
        .execute()
      await lc.ok('POST', `/api/entities/${thing.id}/posts`, newcomer, { body: 'veterano' })
    } finally {
      await limited.close()
    }
  })
})
