import type {
  AuthTokens,
  Comment,
  EntityCollection,
  EntityFeature,
  ModerationAction,
  Post,
  PostList,
  Report,
} from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point, validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

let t: TestApp
let c: ReturnType<typeof community>
let author: AuthTokens
let reader: AuthTokens
let moderator: AuthTokens
beforeAll(async () => {
  t = await createTestApp()
  c = community(t)
  author = await t.signUp({ displayName: 'Autrice' })
  reader = await t.signUp({ displayName: 'Lettore' })
  moderator = await t.signUp({ as: 'moderator', displayName: 'Moderatrice' })
})
afterAll(async () => {
  await t?.close()
})

const bbox = 'bbox=7.0,44.5,8.5,45.5'

describe('reports', () => {
  it('any member reports with a reason; reporting again answers the open report; moderators see a queue', async () => {
    const thing = await c.entity(author, { ...validEntityByKind.space, title: 'Segnalato' })
    expect(
      (
        await c.call('POST', '/api/reports', undefined, {
          targetType: 'entity',
          targetId: thing.id,
          reason: 'spam',
        })
      ).statusCode,
    ).toBe(401)
    const bad = await c.call('POST', '/api/reports', reader, {
      targetType: 'entity',
      targetId: thing.id,
      reason: 'boring',
    })
    expect(bad.statusCode).toBe(400)
    const first = await c.ok<Report>('POST', '/api/reports', reader, {
      targetType: 'entity',
      targetId: thing.id,
      reason: 'spam',
      details: 'pubblicità',
    })
    const again = await c.ok<Report>(
      'POST',
      '/api/reports',
      reader,
      {
        targetType: 'entity',
        targetId: thing.id,
        reason: 'spam',
      },
      200,
    )
    expect(again.id).toBe(first.id)
    await c.ok('POST', '/api/reports', moderator, {
      targetType: 'entity',
      targetId: thing.id,
      reason: 'hate',
    })
    expect((await c.call('GET', '/api/moderation/queue', reader)).statusCode).toBe(403)
    const queue = await c.ok<{ items: { targetId: string; reportsCount: number; reasons: string[] }[] }>(
      'GET',
      '/api/moderation/queue',
      moderator,
    )
    const item = queue.items.find((i) => i.targetId === thing.id)
    expect(item).toMatchObject({ reportsCount: 2 })
    expect(item?.reasons.sort()).toEqual(['hate', 'spam'])
    const missing = await c.call('POST', '/api/reports', reader, {
      targetType: 'post',
      targetId: '00000000-0000-4000-8000-000000000000',
      reason: 'spam',
    })
    expect(missing.statusCode).toBe(404)
  })

  it('dismisses a report with an audit entry', async () => {
    const thing = await c.entity(author, { ...validEntityByKind.news })
    const report = await c.ok<Report>('POST', '/api/reports', reader, {
      targetType: 'entity',
      targetId: thing.id,
      reason: 'other',
    })
    expect(
      (await c.call('POST', `/api/moderation/reports/${report.id}/dismiss`, reader, { reason: 'no' }))
        .statusCode,
    ).toBe(403)
    const action = await c.ok<ModerationAction>(
      'POST',
      `/api/moderation/reports/${report.id}/dismiss`,
      moderator,
      {
        reason: 'not a problem',
      },
      200,
    )
    expect(action).toMatchObject({ action: 'dismiss', reportId: report.id, targetId: thing.id })
    const again = await c.call('POST', `/api/moderation/reports/${report.id}/dismiss`, moderator, {
      reason: 'x',
    })
    expect(again.json().code).toBe('report_not_open')
  })
})

describe('hidden content', () => {
  it('disappears for others from the entities query, the single read, the view and threads; its author sees it marked', async () => {
    const thing = await c.entity(author, {
      ...validEntityByKind.space,
      title: 'Da nascondere',
      geometry: point(7.7, 45.1),
    })
    const post = await c.ok<Post>('POST', `/api/entities/${thing.id}/posts`, reader, { body: 'sul posto' })
    await c.ok<Report>('POST', '/api/reports', reader, {
      targetType: 'entity',
      targetId: thing.id,
      reason: 'privacy',
    })

    expect(
      (
        await c.call('POST', '/api/moderation/hide', reader, {
          targetType: 'entity',
          targetId: thing.id,
          reason: 'x',
        })
      ).statusCode,
    ).toBe(403)
    const hidden = await c.ok<ModerationAction>(
      'POST',
      '/api/moderation/hide',
      moderator,
      {
        targetType: 'entity',
        targetId: thing.id,
        reason: 'indirizzo privato',
      },
      200,
    )
    expect(hidden.action).toBe('hide')
    expect(hidden.reportId).not.toBeNull()
    expect(
      (
        await c.call('POST', '/api/moderation/hide', moderator, {
          targetType: 'entity',
          targetId: thing.id,
          reason: 'x',
        })
      ).json().code,
    ).toBe('already_hidden')

    // Others, signed in or not, no longer see it anywhere.
    for (const who of [undefined, reader]) {
      expect((await c.call('GET', `/api/entities/${thing.id}`, who)).statusCode).toBe(404)
      const list = await c.ok<EntityCollection>('GET', `/api/entities?${bbox}&limit=1000`, who)
      expect(list.features.map((f) => f.id)).not.toContain(thing.id)
      expect((await c.call('GET', `/api/entities/${thing.id}/posts`, who)).statusCode).toBe(404)
      expect((await c.call('GET', `/api/posts/${post.id}`, who)).statusCode).toBe(404)
    }
    expect((await c.call('POST', `/api/entities/${thing.id}/posts`, reader, { body: 'x' })).statusCode).toBe(
      404,
    )
    expect(
      (await c.call('PATCH', `/api/entities/${thing.id}`, reader, { title: 'x' }, { 'if-match': '"1"' }))
        .statusCode,
    ).toBe(404)
    const view = await t.database.db
      .selectFrom('visible_entities')
      .select('id')
      .where('id', '=', thing.id)
      .execute()
    expect(view).toEqual([])

    // Its author still sees it, marked hidden, in the single read and in the list.
    const own = await c.ok<EntityFeature>('GET', `/api/entities/${thing.id}`, author)
    expect(own.properties.hidden).toBe(true)
    const ownList = await c.ok<EntityCollection>('GET', `/api/entities?${bbox}&limit=1000`, author)
    expect(ownList.features.find((f) => f.id === thing.id)?.properties.hidden).toBe(true)
    // Live clients are told to drop it.
    const event = await t.database.db
      .selectFrom('events_outbox')
      .select(['topic', 'payload'])
      .where('entity_id', '=', thing.id)
      .where('topic', 'like', 'entity.%')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow()
    expect(event).toMatchObject({ topic: 'entity.deleted', payload: { id: thing.id, reason: 'hidden' } })
    // The author is told.
    const notes = await c.ok<{ items: { topic: string; payload: Record<string, unknown> }[] }>(
      'GET',
      '/api/notifications',
      author,
    )
    expect(notes.items[0]).toMatchObject({ topic: 'moderation.hidden', payload: { targetId: thing.id } })

    // Restored, it is back for everyone.
    await c.ok(
      'POST',
      '/api/moderation/restore',
      moderator,
      { targetType: 'entity', targetId: thing.id, reason: 'ok' },
      200,
    )
    expect((await c.call('GET', `/api/entities/${thing.id}`)).statusCode).toBe(200)
    const back = await c.ok<EntityFeature>('GET', `/api/entities/${thing.id}`, author)
    expect(back.properties.hidden).toBeUndefined()
    const log = await c.ok<{ items: ModerationAction[] }>('GET', '/api/moderation/actions', moderator)
    expect(log.items.filter((a) => a.targetId === thing.id).map((a) => a.action)).toEqual(['restore', 'hide'])
    expect((await c.call('GET', '/api/moderation/actions', reader)).statusCode).toBe(403)
  })

  it('hides a post and a comment from others; their authors see them marked', async () => {
    const thing = await c.entity(author, validEntityByKind.space)
    const post = await c.ok<Post>('POST', `/api/entities/${thing.id}/posts`, reader, { body: 'offensivo' })
    const fine = await c.ok<Post>('POST', `/api/entities/${thing.id}/posts`, author, { body: 'normale' })
    const comment = await c.ok<Comment>('POST', `/api/posts/${fine.id}/comments`, reader, { body: 'insulto' })
    await c.ok(
      'POST',
      '/api/moderation/hide',
      moderator,
      { targetType: 'post', targetId: post.id, reason: 'abuso' },
      200,
    )
    await c.ok(
      'POST',
      '/api/moderation/hide',
      moderator,
      { targetType: 'comment', targetId: comment.id, reason: 'abuso' },
      200,
    )

    const forOthers = await c.ok<PostList>('GET', `/api/entities/${thing.id}/posts`, author)
    expect(forOthers.items.map((p) => p.id)).toEqual([fine.id])
    expect((await c.call('GET', `/api/posts/${post.id}`)).statusCode).toBe(404)
    const othersComments = await c.ok<{ items: Comment[] }>('GET', `/api/posts/${fine.id}/comments`)
    expect(othersComments.items).toEqual([])

    const forAuthor = await c.ok<PostList>('GET', `/api/entities/${thing.id}/posts`, reader)
    expect(forAuthor.items.find((p) => p.id === post.id)?.hidden).toBe(true)
    const authorComments = await c.ok<{ items: Comment[] }>('GET', `/api/posts/${fine.id}/comments`, reader)
    expect(authorComments.items.map((x) => [x.id, x.hidden])).toEqual([[comment.id, true]])
    const forModerator = await c.ok<PostList>('GET', `/api/entities/${thing.id}/posts`, moderator)
    expect(forModerator.items).toHaveLength(2)

    const topics = await t.database.db
      .selectFrom('events_outbox')
      .select('topic')
      .where('entity_id', '=', thing.id)
      .where('topic', 'in', ['post.hidden', 'comment.hidden'])
      .execute()
    expect(topics.map((r) => r.topic).sort()).toEqual(['comment.hidden', 'post.hidden'])
    const restore = await c.call('POST', '/api/moderation/restore', moderator, {
      targetType: 'post',
      targetId: fine.id,
      reason: 'x',
    })
    expect(restore.json().code).toBe('not_hidden')
  })
})
