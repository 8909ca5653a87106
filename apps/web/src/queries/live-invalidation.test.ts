import { describe, expect, it } from 'vitest'
import { liveInvalidations } from './live-invalidation'
import { queryKeys } from './query-keys'

const thing = 'a0000000-0000-4000-8000-000000000001'
const parent = 'a0000000-0000-4000-8000-000000000002'
const post = 'a0000000-0000-4000-8000-000000000003'
const group = 'a0000000-0000-4000-8000-000000000004'

describe('liveInvalidations', () => {
  it('sends transfers and exchanges to the wallet', () => {
    for (const topic of ['transfer.posted', 'transfer.pending', 'transfer.voided', 'exchange.opened'])
      expect(liveInvalidations({ topic, data: { id: 'x' } })).toEqual([queryKeys.wallet.all])
  })

  it('sends a new notification to the inbox, and to what it tells of', () => {
    expect(
      liveInvalidations({ topic: 'notification.created', data: { id: 'n', topic: 'comment.created' } }),
    ).toEqual([queryKeys.notifications.all])
    expect(
      liveInvalidations({
        topic: 'notification.created',
        data: { topic: 'group.member_joined', entityId: group },
      }),
    ).toEqual([queryKeys.notifications.all, queryKeys.group.all(group)])
    expect(
      liveInvalidations({
        topic: 'notification.created',
        data: { topic: 'pact.transitioned', entityId: thing },
      }),
    ).toEqual([queryKeys.notifications.all, queryKeys.entity.all(thing)])
    expect(
      liveInvalidations({
        topic: 'notification.created',
        data: { topic: 'transfer.posted', entityId: null },
      }),
    ).toEqual([queryKeys.notifications.all, queryKeys.wallet.all])
  })

  it("sends posts and comments to their thing's thread", () => {
    for (const topic of ['post.created', 'post.updated', 'post.deleted', 'post.hidden'])
      expect(liveInvalidations({ topic, data: { id: post, entityId: thing } })).toEqual([
        queryKeys.thread.all(thing),
      ])
    expect(
      liveInvalidations({ topic: 'comment.created', data: { id: 'c', postId: post, entityId: thing } }),
    ).toEqual([queryKeys.thread.all(thing)])
  })

  it("sends a thing's changes to its detail, and to its parent's", () => {
    expect(
      liveInvalidations({ topic: 'entity.updated', data: { id: thing, properties: { parentId: parent } } }),
    ).toEqual([queryKeys.entity.all(thing), queryKeys.entity.all(parent)])
    expect(
      liveInvalidations({ topic: 'entity.created', data: { id: thing, properties: { parentId: null } } }),
    ).toEqual([queryKeys.entity.all(thing)])
    expect(liveInvalidations({ topic: 'entity.deleted', data: { id: thing } })).toEqual([
      queryKeys.entity.all(thing),
    ])
  })

  it('sends campaign moves to the campaigns (their lists and pledges)', () => {
    expect(liveInvalidations({ topic: 'campaign.pledged', data: { id: 'c', entityId: thing } })).toEqual([
      queryKeys.campaigns.all,
    ])
  })

  it('makes nothing stale for what it cannot place', () => {
    expect(liveInvalidations({ topic: 'post.created', data: null })).toEqual([])
    expect(liveInvalidations({ topic: 'entity.updated', data: { id: 42 } })).toEqual([])
    expect(liveInvalidations({ topic: 'comment.created', data: 'text' })).toEqual([])
    expect(liveInvalidations({ topic: 'unknown.topic', data: { entityId: thing } })).toEqual([])
    expect(liveInvalidations({ topic: 'notification.created', data: {} })).toEqual([
      queryKeys.notifications.all,
    ])
  })

  it('gives keys that are prefixes of the queries they stand for', () => {
    const startsWith = (key: readonly unknown[], prefix: readonly unknown[]) =>
      prefix.every((part, index) => key[index] === part)
    expect(startsWith(queryKeys.entity.detail(thing), queryKeys.entity.all(thing))).toBe(true)
    expect(startsWith(queryKeys.entity.pact(thing), queryKeys.entity.all(thing))).toBe(true)
    expect(startsWith(queryKeys.thread.comments(thing, post), queryKeys.thread.all(thing))).toBe(true)
    expect(startsWith(queryKeys.wallet.statement('acc'), queryKeys.wallet.all)).toBe(true)
    expect(startsWith(queryKeys.campaigns.pledges('c', 'u'), queryKeys.campaigns.all)).toBe(true)
    expect(startsWith(queryKeys.group.membership(group, 'u'), queryKeys.group.all(group))).toBe(true)
    expect(startsWith(queryKeys.notifications.inbox('u'), queryKeys.notifications.all)).toBe(true)
  })
})
