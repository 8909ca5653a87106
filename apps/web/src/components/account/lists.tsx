import type { EntityCollection, User } from '@quartiere/contracts'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { myPosts, myThings } from '../../api/account'
import type { ApiClient } from '../../api/client'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { AccountSection } from './account-page'
import { accountMessages } from './messages'

interface ListProps {
  api: ApiClient
  user: User
  showOnMap(id: string): void
}

/** The cursor of a FeatureCollection's next page, from its `next` link. */
function nextCursorOf(collection: EntityCollection): string | undefined {
  const next = collection.links.find((link) => link.rel === 'next')
  if (!next) return undefined
  return new URL(next.href, window.location.origin).searchParams.get('cursor') ?? undefined
}

function MoreButton({ shown, onMore }: { shown: boolean; onMore(): void }) {
  const { m } = useMessages(accountMessages)
  if (!shown) return null
  return (
    <button type="button" onClick={onMore}>
      {m('more')}
    </button>
  )
}

export function WhatIFollow({ api, user, showOnMap }: ListProps) {
  const i18n = useMessages(accountMessages)
  const { m, t } = i18n
  const queryClient = useQueryClient()
  const [note, setNote] = useState<FormNote | null>(null)
  const list = useInfiniteQuery({
    queryKey: queryKeys.account.subscriptions(user.id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api.mySubscriptions(pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const unfollow = useMutation({
    mutationFn: (entityId: string) => api.unfollow(entityId),
    onSuccess: (_, entityId) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.account.subscriptions(user.id) })
      queryClient.setQueryData(queryKeys.entity.following(entityId, user.id), false)
    },
  })
  const items = list.data?.pages.flatMap((page) => page.items) ?? []
  const stop = async (entityId: string, title: string) => {
    setNote(null)
    try {
      await unfollow.mutateAsync(entityId)
      setNote({ ok: true, text: m('unfollowed', { title }) })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  return (
    <AccountSection id="following" title={m('following')}>
      {list.isPending ? (
        <p className="hint">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="empty">{m('followingNone')}</p>
      ) : (
        <ul className="account-list" data-testid="account-following-list">
          {items.map((item) => (
            <li key={item.entityId}>
              <button
                type="button"
                className="link"
                onClick={() => showOnMap(item.entityId)}
                aria-label={m('showOnMap', { title: item.title })}
              >
                {item.title}
              </button>
              <span className="hint">{t(`kind.${item.kind}` as 'kind.space')}</span>
              <button
                type="button"
                onClick={() => void stop(item.entityId, item.title)}
                disabled={unfollow.isPending}
              >
                {m('stopFollowing')}
                <span className="visually-hidden"> {item.title}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <MoreButton shown={list.hasNextPage} onMore={() => void list.fetchNextPage()} />
      <FormMessage message={note ?? (list.error ? messageOf(i18n, list.error) : null)} />
    </AccountSection>
  )
}

export function MyThings({ api, user, showOnMap }: ListProps) {
  const i18n = useMessages(accountMessages)
  const { m, t } = i18n
  const list = useInfiniteQuery({
    queryKey: queryKeys.account.things(user.id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => myThings(api, user.id, pageParam),
    getNextPageParam: nextCursorOf,
  })
  const items = list.data?.pages.flatMap((page) => page.features) ?? []
  return (
    <AccountSection id="things" title={m('things')}>
      {list.isPending ? (
        <p className="hint">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="empty">{m('thingsNone')}</p>
      ) : (
        <ul className="account-list" data-testid="account-things-list">
          {items.map((feature) => (
            <li key={feature.id}>
              <button
                type="button"
                className="link"
                onClick={() => showOnMap(feature.id)}
                aria-label={m('showOnMap', { title: feature.properties.title })}
              >
                {feature.properties.title}
              </button>
              <span className="hint">{t(`kind.${feature.properties.kind}`)}</span>
            </li>
          ))}
        </ul>
      )}
      <MoreButton shown={list.hasNextPage} onMore={() => void list.fetchNextPage()} />
      <FormMessage message={list.error ? messageOf(i18n, list.error) : null} />
    </AccountSection>
  )
}

/** Posts are short: a line of each is enough to recognise it. */
const postExcerptCharsMax = 120

export function MyPosts({ api, user, showOnMap }: ListProps) {
  const i18n = useMessages(accountMessages)
  const { m, t } = i18n
  const list = useInfiniteQuery({
    queryKey: queryKeys.account.posts(user.id),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => myPosts(api, pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const items = list.data?.pages.flatMap((page) => page.items) ?? []
  return (
    <AccountSection id="posts" title={m('posts')}>
      {list.isPending ? (
        <p className="hint">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="empty">{m('postsNone')}</p>
      ) : (
        <ul className="account-list" data-testid="account-posts-list">
          {items.map((post) => {
            const title = post.title || m('untitledPost', { date: i18n.dateTime(post.createdAt) })
            const excerpt =
              post.body.length > postExcerptCharsMax
                ? `${post.body.slice(0, postExcerptCharsMax)}…`
                : post.body
            return (
              <li key={post.id}>
                <button
                  type="button"
                  className="link"
                  onClick={() => showOnMap(post.entityId)}
                  aria-label={m('showPostOnMap', { title })}
                >
                  {title}
                </button>
                <span className="hint">{excerpt}</span>
              </li>
            )
          })}
        </ul>
      )}
      <MoreButton shown={list.hasNextPage} onMore={() => void list.fetchNextPage()} />
      <FormMessage message={list.error ? messageOf(i18n, list.error) : null} />
    </AccountSection>
  )
}
