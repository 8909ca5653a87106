import type { Notification, NotificationList } from '@quartiere/contracts'
import { groupRoles, pactStatuses } from '@quartiere/contracts/enums'
import type { MessageKey } from '../i18n/dictionaries'
import type { I18n } from '../i18n/i18n'

/**
 * The inbox as the client holds it: pages, live arrivals and the member's own reads change it, and may bring
 * the same notification more than once. The list keeps the order it was shown in (a notification read stays
 * where it is, so the list does not jump under the pointer); the count is the server's, kept in step.
 */
export interface Inbox {
  items: Notification[]
  unreadCount: number
  nextCursor: string | null
}

export const emptyInbox: Inbox = { items: [], unreadCount: 0, nextCursor: null }

/** The first page replaces what was shown; a next page is added after it, without the ones already shown. */
export function withPage(inbox: Inbox, page: NotificationList, first: boolean): Inbox {
  const items = first ? [] : inbox.items
  const known = new Set(items.map((item) => item.id))
  return {
    items: [...items, ...page.items.filter((item) => !known.has(item.id))],
    unreadCount: page.unreadCount,
    nextCursor: page.nextCursor,
  }
}

/** A notification that arrived live goes on top (it is the newest, and unread). */
export function withArrived(inbox: Inbox, notification: Notification): Inbox {
  if (inbox.items.some((item) => item.id === notification.id)) return inbox
  return {
    ...inbox,
    items: [notification, ...inbox.items],
    unreadCount: inbox.unreadCount + (notification.readAt ? 0 : 1),
  }
}

export function withRead(inbox: Inbox, id: string, readAt: string): Inbox {
  const item = inbox.items.find((candidate) => candidate.id === id)
  if (!item || item.readAt) return inbox
  return {
    ...inbox,
    items: inbox.items.map((candidate) => (candidate.id === id ? { ...candidate, readAt } : candidate)),
    unreadCount: Math.max(0, inbox.unreadCount - 1),
  }
}

export function withAllRead(inbox: Inbox, readAt: string): Inbox {
  return {
    ...inbox,
    items: inbox.items.map((item) => (item.readAt ? item : { ...item, readAt })),
    unreadCount: 0,
  }
}

/** A live event's data, when it has the shape of a notification (the feed's payloads are not validated). */
export function notificationOf(data: unknown): Notification | null {
  if (!data || typeof data !== 'object') return null
  const candidate = data as Partial<Notification>
  if (typeof candidate.id !== 'string' || typeof candidate.topic !== 'string') return null
  if (typeof candidate.createdAt !== 'string' || !candidate.payload || typeof candidate.payload !== 'object')
    return null
  return {
    id: candidate.id,
    topic: candidate.topic,
    entityId: typeof candidate.entityId === 'string' ? candidate.entityId : null,
    payload: candidate.payload,
    createdAt: candidate.createdAt,
    readAt: typeof candidate.readAt === 'string' ? candidate.readAt : null,
  }
}

type Payload = Record<string, unknown>

function text(payload: Payload, key: string): string | null {
  const value = payload[key]
  return typeof value === 'string' && value.trim() ? value : null
}

/** The name in a `{ id, displayName }` the server puts in a payload (`member`, `author`). */
function personName(payload: Payload, key: string): string | null {
  const value = payload[key]
  if (!value || typeof value !== 'object') return null
  const name = (value as { displayName?: unknown }).displayName
  return typeof name === 'string' && name.trim() ? name : null
}

/** Values the server sends as codes and the dictionaries spell out; anything else is shown as it came. */
const pactStatusSet = new Set<string>(pactStatuses)
const groupRoleSet = new Set<string>(groupRoles)
const moderationTargets = new Set(['entity', 'post', 'comment', 'media'])
/** The ledger's time credits (packages/ledger: timeCurrency). */
const timeCurrency = 'TIME'

type Sentence = [MessageKey, Record<string, string>]

/**
 * The sentence for each topic the server notifies (packages/map: notifyUsers and notifyFollowers; the ledger:
 * its transfers and exchanges), with the payload fields it needs. Null when the topic is unknown or a field the
 * sentence needs is missing: the reader then gets the generic sentence, never a raw key or an empty name.
 */
function sentenceOf(i18n: Pick<I18n, 't' | 'decimal'>, topic: string, payload: Payload): Sentence | null {
  const { t } = i18n
  const someone = t('thread.someone')
  const group = text(payload, 'groupTitle')
  const member = personName(payload, 'member')
  switch (topic) {
    case 'post.created':
    case 'comment.created': {
      const entity = text(payload, 'entityTitle')
      if (!entity) return null
      const name = personName(payload, 'author') ?? someone
      return [topic === 'post.created' ? 'notif.postCreated' : 'notif.commentCreated', { name, entity }]
    }
    case 'entity.created':
    case 'entity.updated':
    case 'entity.deleted': {
      const title = text(payload, 'title')
      if (!title) return null
      const key: MessageKey =
        topic === 'entity.created'
          ? 'notif.entityCreated'
          : topic === 'entity.updated'
            ? 'notif.entityUpdated'
            : 'notif.entityDeleted'
      return [key, { title }]
    }
    case 'pact.transitioned': {
      const title = text(payload, 'title')
      const from = text(payload, 'from')
      const to = text(payload, 'to')
      if (!title || !from || !to) return null
      const status = (value: string) => (pactStatusSet.has(value) ? t(`value.${value}` as MessageKey) : value)
      return ['notif.pactTransitioned', { title, from: status(from), to: status(to) }]
    }
    case 'pact.reported': {
      const title = text(payload, 'title')
      return title ? ['notif.pactReported', { title }] : null
    }
    case 'pact.document_added': {
      // The title here is the document's: the pact is the notification's entity.
      const title = text(payload, 'title')
      return title ? ['notif.pactDocumentAdded', { title }] : null
    }
    case 'moderation.hidden':
    case 'moderation.restored': {
      const target = text(payload, 'targetType')
      if (!target || !moderationTargets.has(target)) return null
      const what = t(`notif.target.${target}` as MessageKey)
      if (topic === 'moderation.restored') return ['notif.moderationRestored', { what }]
      const reason = text(payload, 'reason')
      return reason
        ? ['notif.moderationHiddenReason', { what, reason }]
        : ['notif.moderationHidden', { what }]
    }
    case 'moderation.report_actioned':
    case 'moderation.report_dismissed': {
      const target = text(payload, 'targetType')
      if (!target || !moderationTargets.has(target)) return null
      const what = t(`notif.target.${target}` as MessageKey)
      return [
        topic === 'moderation.report_actioned' ? 'notif.reportActioned' : 'notif.reportDismissed',
        { what },
      ]
    }
    case 'group.join_requested':
    case 'group.join_withdrawn':
    case 'group.member_joined': {
      if (!group) return null
      const key: MessageKey =
        topic === 'group.join_requested'
          ? 'notif.joinRequested'
          : topic === 'group.join_withdrawn'
            ? 'notif.joinWithdrawn'
            : 'notif.memberJoined'
      return [key, { name: member ?? someone, group }]
    }
    case 'group.join_approved':
      return group ? ['notif.joinApproved', { group }] : null
    case 'group.join_rejected':
      return group ? ['notif.joinRejected', { group }] : null
    case 'group.member_removed':
      return group ? ['notif.memberRemoved', { group }] : null
    case 'group.role_changed': {
      const role = text(payload, 'role')
      if (!group || !role || !groupRoleSet.has(role)) return null
      return ['notif.roleChanged', { group, role: t(`role.${role}` as MessageKey) }]
    }
    case 'transfer.posted':
    case 'transfer.pending':
    case 'transfer.voided': {
      const amount = text(payload, 'amount')
      const currency = text(payload, 'currency')
      if (!amount || !/^-?\d+(\.\d+)?$/.test(amount) || !currency) return null
      // Time credits read as hours, as the wallet shows them; other currencies keep their code.
      const shown = i18n.decimal(amount)
      const values = {
        amount:
          currency === timeCurrency
            ? t('wallet.hours', { hours: shown })
            : t('wallet.amount', { amount: shown, currency }),
      }
      // Which way it went for the reader (the server says so per notification; older ones do not).
      const direction = text(payload, 'direction')
      if (topic === 'transfer.posted')
        return [
          direction === 'in'
            ? 'notif.transferIn'
            : direction === 'out'
              ? 'notif.transferOut'
              : 'notif.transferPosted',
          values,
        ]
      if (topic === 'transfer.pending')
        return [direction === 'in' ? 'notif.transferPendingIn' : 'notif.transferPending', values]
      return ['notif.transferVoided', values]
    }
    case 'exchange.confirmed': {
      const hours = text(payload, 'hours')
      return hours && /^\d+(\.\d+)?$/.test(hours)
        ? ['notif.exchangeConfirmed', { hours: i18n.decimal(hours) }]
        : null
    }
    case 'exchange.cancelled':
      return ['notif.exchangeCancelled', {}]
    case 'exchange.expired':
      return ['notif.exchangeExpired', {}]
    default:
      return null
  }
}

/** One sentence in the reader's language saying what happened. */
export function notificationMessage(
  i18n: Pick<I18n, 't' | 'decimal'>,
  notification: Pick<Notification, 'topic' | 'payload' | 'entityId'>,
): string {
  const sentence = sentenceOf(i18n, notification.topic, notification.payload)
  if (sentence) return i18n.t(sentence[0], sentence[1])
  return i18n.t(notification.entityId ? 'notif.genericEntity' : 'notif.generic')
}

/** Whether choosing the notification can show its thing: a deleted one is no longer there to show. */
export function notificationShowsThing(notification: Pick<Notification, 'topic' | 'entityId'>): boolean {
  return notification.entityId !== null && notification.topic !== 'entity.deleted'
}

/** What was written, when the notification carries it: a post's or comment's start, a request's message. */
export function notificationQuote(notification: Pick<Notification, 'topic' | 'payload'>): string | null {
  switch (notification.topic) {
    case 'post.created':
    case 'comment.created':
    case 'moderation.hidden':
    case 'moderation.restored':
    case 'moderation.report_actioned':
    case 'moderation.report_dismissed':
      return text(notification.payload, 'excerpt')
    case 'group.join_requested':
      return text(notification.payload, 'message')
    default:
      return null
  }
}
