import type { Notification } from '@quartiere/contracts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { lazy, type ReactNode, Suspense, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../api/client'
import { ApiProblem } from '../api/problem'
import { type I18n, useI18n } from '../i18n/i18n'
import type { LiveHub } from '../live/hub'
import { queryKeys } from '../queries/query-keys'
import {
  emptyInbox,
  type Inbox,
  notificationMessage,
  notificationOf,
  notificationQuote,
  notificationShowsThing,
  withAllRead,
  withArrived,
  withPage,
  withRead,
} from '../state/notifications'
import { FormMessage } from './form-message'
import { problemMessage } from './messages'

// Approve / reject under a request to join: loaded when such a notification is first shown.
const JoinRequestActions = lazy(() =>
  import('./groups/join-request-actions').then((module) => ({ default: module.JoinRequestActions })),
)

function messageOf(i18n: I18n, failure: unknown): string {
  return failure instanceof ApiProblem ? problemMessage(i18n, failure) : i18n.t('notifications.loadFailed')
}

export interface NotificationsProps {
  api: ApiClient
  hub: LiveHub
  /** The signed-in member whose inbox this is (the cache keeps one inbox per member). */
  userId: string
  /** Shows a thing a notification is about (the app's selection). */
  onSelect(id: string): void
}

/**
 * The signed-in member's bell with the unread count, and the inbox it opens. Notifications arriving on the live
 * feed go on top of the list and into the count at once (and the feed marks the inbox stale, so the server's
 * count follows); the list is read again whenever the inbox is opened.
 */
export function Notifications({ api, hub, userId, onSelect }: NotificationsProps) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  const inboxKey = queryKeys.notifications.inbox(userId)
  // The first page replaces what was shown; a newer read supersedes an older one still on its way.
  const query = useQuery({
    queryKey: inboxKey,
    queryFn: async ({ signal }) => withPage(emptyInbox, await api.notifications(undefined, signal), true),
  })
  const inbox = query.data ?? emptyInbox
  const [open, setOpen] = useState(false)
  const [loadingMore, setLoadingMore] = useState(false)
  const [actionError, setActionError] = useState<string | null>(null)
  const update = (change: (current: Inbox) => Inbox) =>
    queryClient.setQueryData<Inbox>(inboxKey, (current) => change(current ?? emptyInbox))

  useEffect(
    () =>
      hub.on((event) => {
        if (event.topic !== 'notification.created') return
        const notification = notificationOf(event.data)
        if (notification)
          queryClient.setQueryData<Inbox>(queryKeys.notifications.inbox(userId), (current) =>
            withArrived(current ?? emptyInbox, notification),
          )
      }),
    [hub, queryClient, userId],
  )

  const show = () => {
    setOpen(true)
    setActionError(null)
    void query.refetch()
  }

  const loadMore = async () => {
    if (!inbox.nextCursor) return
    setLoadingMore(true)
    try {
      const page = await api.notifications(inbox.nextCursor)
      update((current) => withPage(current, page, false))
      setActionError(null)
    } catch (failure) {
      setActionError(messageOf(i18n, failure))
    } finally {
      setLoadingMore(false)
    }
  }

  const markAll = useMutation({
    mutationFn: () => api.markAllNotificationsRead(),
    onSuccess: () => {
      update((current) => withAllRead(current, new Date().toISOString()))
      setActionError(null)
    },
    onError: (failure) => setActionError(messageOf(i18n, failure)),
  })

  const choose = (item: Notification) => {
    if (!item.readAt) {
      // Shown read at once; should the server refuse, the list is read again and tells the truth.
      update((current) => withRead(current, item.id, new Date().toISOString()))
      api.markNotificationRead(item.id).catch((failure: unknown) => {
        setActionError(messageOf(i18n, failure))
        void query.refetch()
      })
    }
    if (item.entityId && notificationShowsThing(item)) onSelect(item.entityId)
  }

  const error = actionError ?? (query.error ? messageOf(i18n, query.error) : null)
  const loading = query.isFetching || loadingMore
  const count = inbox.unreadCount
  const label =
    count === 0
      ? t('notifications.title')
      : count === 1
        ? t('notifications.bellUnreadOne')
        : t('notifications.bellUnread', { count: i18n.number(count) })
  return (
    <>
      <button
        type="button"
        className="bell"
        aria-label={label}
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={show}
        data-testid="notifications-bell"
      >
        <BellIcon />
        {count > 0 && (
          <span className="badge" aria-hidden="true" data-testid="notifications-badge">
            {count > 99 ? '99+' : i18n.number(count)}
          </span>
        )}
      </button>
      {open && (
        <InboxDialog
          api={api}
          inbox={inbox}
          loading={loading}
          error={error}
          onChoose={choose}
          onMarkAll={() => markAll.mutate()}
          onMore={() => void loadMore()}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  )
}

function BellIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  )
}

interface InboxDialogProps {
  api: ApiClient
  inbox: Inbox
  loading: boolean
  error: string | null
  onChoose(item: Notification): void
  onMarkAll(): void
  onMore(): void
  onClose(): void
}

/**
 * The inbox in a modal <dialog>: the browser traps the focus in it, Escape closes it and the focus goes back to
 * the bell. A click on the backdrop closes it too, as a popover would.
 */
function InboxDialog({ api, inbox, loading, error, onChoose, onMarkAll, onMore, onClose }: InboxDialogProps) {
  const i18n = useI18n()
  const { t } = i18n
  const dialog = useRef<HTMLDialogElement>(null)

  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard closes it with Escape or the close button.
    <dialog
      ref={dialog}
      className="notifications-dialog"
      onClose={onClose}
      onClick={(event) => {
        // The dialog's own box has no padding: a click that lands on it is a click on the backdrop.
        if (event.target === event.currentTarget) dialog.current?.close()
      }}
      aria-labelledby="notifications-title"
      data-testid="notifications-panel"
    >
      <div className="notifications-body">
        <div className="notifications-head">
          <h2 id="notifications-title">{t('notifications.title')}</h2>
          <button
            type="button"
            className="link"
            onClick={onMarkAll}
            disabled={inbox.unreadCount === 0}
            data-testid="notifications-mark-all"
          >
            {t('notifications.markAll')}
          </button>
          <button type="button" onClick={() => dialog.current?.close()} data-testid="notifications-close">
            {t('common.close')}
          </button>
        </div>
        <FormMessage message={error} />
        {inbox.items.length === 0 ? (
          <p className="empty">{loading ? t('common.loading') : t('notifications.empty')}</p>
        ) : (
          <ul className="notification-list">
            {inbox.items.map((item) => (
              <NotificationRow
                key={item.id}
                item={item}
                actions={
                  item.topic === 'group.join_requested' ? (
                    <Suspense fallback={null}>
                      <JoinRequestActions
                        api={api}
                        notification={item}
                        onNavigate={() => dialog.current?.close()}
                      />
                    </Suspense>
                  ) : null
                }
                onChoose={() => {
                  onChoose(item)
                  // What it is about is shown in the side panel, which the dialog would cover on a phone.
                  if (notificationShowsThing(item)) dialog.current?.close()
                }}
              />
            ))}
          </ul>
        )}
        {inbox.nextCursor && (
          <button type="button" onClick={onMore} disabled={loading} data-testid="notifications-more">
            {t('notifications.more')}
          </button>
        )}
      </div>
    </dialog>
  )
}

function NotificationRow({
  item,
  actions,
  onChoose,
}: {
  item: Notification
  actions: ReactNode
  onChoose(): void
}) {
  const i18n = useI18n()
  const unread = !item.readAt
  const quote = notificationQuote(item)
  return (
    <li>
      <button
        type="button"
        className={unread ? 'notification unread' : 'notification'}
        onClick={onChoose}
        data-testid="notification"
        data-unread={unread ? 'true' : 'false'}
      >
        {unread && <span className="visually-hidden">{i18n.t('notifications.unread')}: </span>}
        <span className="notification-text">{notificationMessage(i18n, item)}</span>
        {quote && <span className="notification-quote">“{quote}”</span>}
        <time dateTime={item.createdAt}>{i18n.dateTime(item.createdAt)}</time>
      </button>
      {actions}
    </li>
  )
}
