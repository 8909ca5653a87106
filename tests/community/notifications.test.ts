import type { AuthTokens, Notification, NotificationList, Post } from '@quartiere/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validEntityByKind } from '../support/fixtures'
import { createTestApp, type TestApp } from '../support/test-app'
import { community } from './helpers'

let t: TestApp
let c: ReturnType<typeof community>
let author: AuthTokens
let follower: AuthTokens
let bystander: AuthTokens
let commenter: AuthTokens
beforeAll(async () => {
  t = await createTestApp()
  c = community(t)
  author = await t.signUp({ displayName: 'Autrice' })
  follower = await t.signUp({ displayName: 'Follower' })
  bystander = await t.signUp({ displayName: 'Bystander' })
  commenter = await t.signUp({ displayName: 'Commenter' })
})
afterAll(async () => {
  await t?.close()
})

const inbox = (who: AuthTokens, query = '') =>
  c.ok<NotificationList>('GET', `/api/notifications${query}`, who)

describe('subscriptions and notifications', () => {
  it('reach exactly the followers (and the author, who follows what they create), never the actor', async () => {
    const thing = await c.entity(author, { ...validEntityByKind.space, title: 'Seguita' })
    expect((await c.call('PUT', `/api/entities/${thing.id}/subscription`, follower)).statusCode).toBe(201)
    expect((await c.call('PUT', `/api/entities/${thing.id}/subscription`, follower)).statusCode).toBe(200)
    const before = await Promise.all([inbox(author), inbox(follower), inbox(bystander), inbox(commenter)])

    const post = await c.ok<Post>('POST', `/api/entities/${thing.id}/posts`, commenter, { body: 'novità' })
    const after = await Promise.all([inbox(author), inbox(follower), inbox(bystander), inbox(commenter)])
    const gained = after.map((list, i) => list.unreadCount - before[i]!.unreadCount)
    expect(gained).toEqual([1, 1, 0, 0])
    expect(after[1]!.items[0]).toMatchObject({
      topic: 'post.created',
      entityId: thing.id,
      payload: { postId: post.id, entityTitle: 'Seguita', author: { displayName: 'Commenter' } },
      readAt: null,
    })

    // A comment reaches the followers and the post's author; the commenter is not told of their own comment.
    await c.ok('POST', `/api/posts/${post.id}/comments`, follower, { body: 'bene' })
    const commented = await Promise.all([inbox(author), inbox(follower), inbox(bystander), inbox(commenter)])
    expect(commented.map((list, i) => list.unreadCount - after[i]!.unreadCount)).toEqual([1, 0, 0, 1])

    // Changes by others reach followers; unfollowing stops them.
    expect((await c.call('DELETE', `/api/entities/${thing.id}/subscription`, follower)).statusCode).toBe(204)
    await c.ok('PATCH', `/api/entities/${thing.id}`, author, { title: 'Seguita 2' }, 200, {
      'if-match': '"1"',
    })
    const changed = await Promise.all([inbox(author), inbox(follower)])
    expect(changed[0]!.unreadCount).toBe(commented[0]!.unreadCount)
    expect(changed[1]!.unreadCount).toBe(commented[1]!.unreadCount)

    // Each notification is also an outbox event addressed to its member alone.
    const events = await t.database.db
      .selectFrom('events_outbox')
      .select(['audience', 'payload'])
      .where('topic', '=', 'notification.created')
      .where('entity_id', '=', thing.id)
      .execute()
    expect(events.length).toBeGreaterThanOrEqual(4)
    for (const event of events) expect(event.audience).toHaveLength(1)
  })

  it("tell a thing's followers that it was deleted, but not the one who deleted it, nor of a hidden thing", async () => {
    const thing = await c.entity(author, { ...validEntityByKind.space, title: 'Da togliere' })
    await c.ok('PUT', `/api/entities/${thing.id}/subscription`, follower, undefined, 201)
    await c.ok('DELETE', `/api/entities/${thing.id}`, author, undefined, 204, { 'if-match': '"1"' })
    expect((await inbox(follower)).items[0]).toMatchObject({
      topic: 'entity.deleted',
      entityId: thing.id,
      payload: { kind: 'space', title: 'Da togliere' },
    })
    expect((await inbox(author)).items.some((item) => item.entityId === thing.id)).toBe(false)

    const hidden = await c.entity(author, { ...validEntityByKind.space, title: 'Nascosta' })
    await c.ok('PUT', `/api/entities/${hidden.id}/subscription`, follower, undefined, 201)
    const moderator = await t.signUp({ as: 'moderator' })
    await c.ok(
      'POST',
      '/api/moderation/hide',
      moderator,
      { targetType: 'entity', targetId: hidden.id, reason: 'x' },
      200,
    )
    await c.ok('DELETE', `/api/entities/${hidden.id}`, author, undefined, 204, { 'if-match': '"1"' })
    const followerInbox = await inbox(follower)
    expect(
      followerInbox.items.some((item) => item.entityId === hidden.id && item.topic === 'entity.deleted'),
    ).toBe(false)
  })

  it('says whether I follow a thing: each member their own, none to anonymous or of what they cannot see', async () => {
    const thing = await c.entity(author, { ...validEntityByKind.space, title: 'Stato' })
    const url = `/api/entities/${thing.id}/subscription`
    // Authors follow what they create.
    expect(await c.ok('GET', url, author)).toEqual({ entityId: thing.id, following: true })
    expect(await c.ok('GET', url, follower)).toEqual({ entityId: thing.id, following: false })
    await c.ok('PUT', url, follower, undefined, 201)
    expect(await c.ok('GET', url, follower)).toEqual({ entityId: thing.id, following: true })
    expect(await c.ok('GET', url, bystander)).toEqual({ entityId: thing.id, following: false })
    await c.ok('DELETE', url, follower, undefined, 204)
    expect(await c.ok('GET', url, follower)).toEqual({ entityId: thing.id, following: false })
    expect((await c.call('GET', url)).statusCode).toBe(401)
    expect(
      (await c.call('GET', `/api/entities/${crypto.randomUUID()}/subscription`, follower)).statusCode,
    ).toBe(404)
    const moderator = await t.signUp({ as: 'moderator' })
    await c.ok(
      'POST',
      '/api/moderation/hide',
      moderator,
      { targetType: 'entity', targetId: thing.id, reason: 'x' },
      200,
    )
    expect((await c.call('GET', url, follower)).statusCode).toBe(404)
    expect(await c.ok('GET', url, author)).toEqual({ entityId: thing.id, following: true })
  })

  it('tells group managers of joins and requests, and the requester of the decision', async () => {
    const owner = await t.signUp({ displayName: 'Owner' })
    const group = await c.entity(owner, { ...validEntityByKind.group, properties: { membership: 'closed' } })
    const asked = await c.ok<{ request: { id: string } }>(
      'POST',
      `/api/entities/${group.id}/members`,
      bystander,
      {},
      202,
    )
    const ownerInbox = await inbox(owner)
    expect(ownerInbox.items[0]).toMatchObject({
      topic: 'group.join_requested',
      entityId: group.id,
      payload: { member: { id: bystander.user.id } },
    })
    await c.ok(
      'POST',
      `/api/entities/${group.id}/join-requests/${asked.request.id}/approve`,
      owner,
      undefined,
      200,
    )
    expect((await inbox(bystander)).items[0]).toMatchObject({
      topic: 'group.join_approved',
      entityId: group.id,
    })
  })

  it("tells a closed group's managers when a request to join is withdrawn", async () => {
    const owner = await t.signUp({ displayName: 'Owner' })
    const asker = await t.signUp({ displayName: 'Asker' })
    const group = await c.entity(owner, { ...validEntityByKind.group, properties: { membership: 'closed' } })
    const asked = await c.ok<{ request: { id: string } }>(
      'POST',
      `/api/entities/${group.id}/members`,
      asker,
      {},
      202,
    )
    await c.ok('DELETE', `/api/entities/${group.id}/join-requests/mine`, asker, undefined, 204)
    const ownerInbox = await inbox(owner)
    expect(ownerInbox.items.map((item) => item.topic)).toEqual([
      'group.join_withdrawn',
      'group.join_requested',
    ])
    expect(ownerInbox.items[0]).toMatchObject({
      entityId: group.id,
      payload: { requestId: asked.request.id, member: { id: asker.user.id, displayName: 'Asker' } },
    })
    // The one who withdrew is not told of their own act; nothing to withdraw tells no one.
    expect((await inbox(asker)).items.some((item) => item.topic === 'group.join_withdrawn')).toBe(false)
    expect((await c.call('DELETE', `/api/entities/${group.id}/join-requests/mine`, asker)).statusCode).toBe(
      404,
    )
    expect((await inbox(owner)).items).toHaveLength(2)
  })

  it('lists unread first, pages, marks one and all read, and keeps each member to their own', async () => {
    const me = await t.signUp()
    const thing = await c.entity(me, validEntityByKind.story)
    for (let i = 0; i < 5; i += 1)
      await c.ok('POST', `/api/entities/${thing.id}/posts`, commenter, { body: `p${i}` })
    let list = await inbox(me)
    expect(list.unreadCount).toBe(5)
    const oldest = list.items.at(-1)!
    const read = await c.ok<Notification>('POST', `/api/notifications/${oldest.id}/read`, me, undefined, 200)
    expect(read.readAt).not.toBeNull()
    expect((await c.call('POST', `/api/notifications/${oldest.id}/read`, commenter)).statusCode).toBe(404)
    const newestRead = list.items[0]!
    await c.ok('POST', `/api/notifications/${newestRead.id}/read`, me, undefined, 200)
    list = await inbox(me)
    expect(list.unreadCount).toBe(3)
    // Unread first (newest first among them), then read ones.
    expect(list.items.map((n) => n.readAt === null)).toEqual([true, true, true, false, false])
    expect(list.items[3]!.id).toBe(newestRead.id)
    const pages: string[] = []
    let cursor: string | null = null
    do {
      const page: NotificationList = await inbox(me, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      pages.push(...page.items.map((n) => n.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(pages).toEqual(list.items.map((n) => n.id))
    expect((await inbox(me, '?unread=true')).items).toHaveLength(3)
    expect(await c.ok('POST', '/api/notifications/read-all', me, undefined, 200)).toEqual({ marked: 3 })
    expect((await inbox(me)).unreadCount).toBe(0)
    expect((await c.call('GET', '/api/notifications')).statusCode).toBe(401)
    expect((await c.call('GET', '/api/notifications?cursor=zzz', me)).statusCode).toBe(400)
  })
})
