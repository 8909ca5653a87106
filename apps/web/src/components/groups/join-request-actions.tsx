import type { Notification } from '@quartiere/contracts'
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { ApiClient } from '../../api/client'
import { decideJoinRequest } from '../../api/groups'
import { type ScreenI18n, useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { type GroupMessageKey, groupMessages } from './messages'
import { groupScreenHref, isPlainClick, navigateWithin } from './navigation'

type Say = ScreenI18n<GroupMessageKey>
type Note = (next: Say) => FormNote

const text = (payload: Record<string, unknown>, key: string): string | null => {
  const value = payload[key]
  return typeof value === 'string' && value ? value : null
}

/**
 * Approve or reject a request to join straight from its notification, or open the group's requests. Only the
 * group's owners and managers are notified of a request; should one have lost the role since, the API refuses
 * and the refusal is said here.
 */
export function JoinRequestActions({
  api,
  notification,
  onNavigate,
}: {
  api: ApiClient
  notification: Notification
  /** Called before leaving for the group screen (the inbox closes). */
  onNavigate(): void
}) {
  const i18n = useMessages(groupMessages)
  const { m } = i18n
  const queryClient = useQueryClient()
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState<Note | null>(null)
  const groupId = notification.entityId
  const requestId = text(notification.payload, 'requestId')
  const member = notification.payload.member as { displayName?: unknown } | undefined
  const name = typeof member?.displayName === 'string' ? member.displayName : ''
  if (!groupId || !requestId) return null

  const decide = async (approve: boolean) => {
    setBusy(true)
    setNote(null)
    try {
      await decideJoinRequest(api, groupId, requestId, approve)
      setNote(() => (next: Say) => ({ ok: true, text: next.m(approve ? 'approved' : 'rejected', { name }) }))
    } catch (failure) {
      setNote(() => (next: Say) => ({ ok: false, text: messageOf(next, failure) }))
    } finally {
      setBusy(false)
      void queryClient.invalidateQueries({ queryKey: queryKeys.group.all(groupId) })
    }
  }
  const href = groupScreenHref(groupId)
  return (
    <div className="notification-actions" data-testid="join-request-actions">
      {!note?.(i18n).ok && (
        <>
          <button
            type="button"
            disabled={busy}
            aria-label={m('approveNamed', { name })}
            onClick={() => void decide(true)}
            data-testid="notification-approve"
          >
            {m('approve')}
          </button>
          <button
            type="button"
            className="danger"
            disabled={busy}
            aria-label={m('rejectNamed', { name })}
            onClick={() => void decide(false)}
            data-testid="notification-reject"
          >
            {m('reject')}
          </button>
        </>
      )}
      <a
        href={href}
        onClick={(event) => {
          if (!isPlainClick(event)) return
          event.preventDefault()
          onNavigate()
          navigateWithin(href)
        }}
      >
        {m('requests')}
      </a>
      <FormMessage message={note ? note(i18n) : null} as="span" testId="notification-action-message" />
    </div>
  )
}
