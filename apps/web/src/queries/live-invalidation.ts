import type { RealtimeEvent } from '@quartiere/contracts'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import type { LiveHub } from '../live/hub'
import { type QueryKeyPrefix, queryKeys } from './query-keys'

/** The fields of an event's data that say what it is about (the feed's payloads are not validated). */
interface EventSubject {
  id?: unknown
  entityId?: unknown
  postId?: unknown
  topic?: unknown
  properties?: { parentId?: unknown }
}

const idOf = (value: unknown): string | null => (typeof value === 'string' && value ? value : null)

/** What a topic of one family makes stale, given the thing (`entityId`) it is about. */
function byTopic(topic: string, entityId: string | null): QueryKeyPrefix[] {
  const family = topic.split('.')[0]
  switch (family) {
    case 'transfer':
    case 'exchange':
      return [queryKeys.wallet.all]
    case 'campaign':
      // Lists and one's own pledges: a settlement posts or voids them.
      return [queryKeys.campaigns.all]
    case 'post':
    case 'comment':
      return entityId ? [queryKeys.thread.all(entityId)] : []
    case 'entity':
    case 'pact':
      return entityId ? [queryKeys.entity.all(entityId)] : []
    case 'group':
      return entityId ? [queryKeys.group.all(entityId)] : []
    default:
      return []
  }
}

/**
 * The query keys (prefixes) a live event makes stale. A map thing's own events carry the thing (its id is
 * `id`; its parent lists it among its children); posts and comments carry their thing's `entityId`; personal
 * events move the wallet; a notification changes the inbox and, by its own topic, what it tells of (a group's
 * membership, a pact's step, a transfer).
 */
export function liveInvalidations(event: Pick<RealtimeEvent, 'topic' | 'data'>): QueryKeyPrefix[] {
  const subject = (event.data && typeof event.data === 'object' ? event.data : {}) as EventSubject
  const [family] = event.topic.split('.')
  if (event.topic === 'notification.created') {
    const topic = idOf(subject.topic)
    return [queryKeys.notifications.all, ...(topic ? byTopic(topic, idOf(subject.entityId)) : [])]
  }
  if (family === 'entity') {
    const id = idOf(subject.id)
    const parentId = idOf(subject.properties?.parentId)
    return [...byTopic(event.topic, id), ...(parentId ? [queryKeys.entity.all(parentId)] : [])]
  }
  return byTopic(event.topic, idOf(subject.entityId))
}

/**
 * Marks stale what each live event changes: the queries shown read again, the others when next shown. The app
 * mounts it once, under its QueryClientProvider.
 */
export function useLiveInvalidation(hub: LiveHub) {
  const queryClient = useQueryClient()
  useEffect(
    () =>
      hub.on((event) => {
        for (const queryKey of liveInvalidations(event)) void queryClient.invalidateQueries({ queryKey })
      }),
    [hub, queryClient],
  )
}
