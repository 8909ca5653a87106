import type { EntityFeature, Membership, Pact, User } from '@quartiere/contracts'
import { pactStatuses } from '@quartiere/contracts/enums'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { ApiClient } from '../api/client'
import type { MessageKey } from '../i18n/dictionaries'
import { useI18n } from '../i18n/i18n'
import { queryKeys } from '../queries/query-keys'
import { pathOf, withPageItem } from '../state/url-state'
import { FormMessage, type FormNote } from './form-message'
import { groupScreenHref, isPlainClick, navigateWithin } from './groups/navigation'
import { messageOf } from './messages'

/** A pact's steps in order, when it is not rejected: the contracts' workflow without its last, refused, end. */
const pactPath: readonly Pact['status'][] = pactStatuses.filter((status) => status !== 'rejected')

/**
 * The group a thing belongs to: the thing itself when it is a group, else the nearest group among its parents
 * (a space of a group, an event in that space). Null when there is none.
 */
export async function groupOf(api: ApiClient, feature: EntityFeature, signal?: AbortSignal) {
  let current: EntityFeature | null = feature
  for (let depth = 0; current && depth < 6; depth += 1) {
    if (current.properties.kind === 'group') return current
    const parentId: string | null = current.properties.parentId
    if (!parentId) return null
    current = await api
      .getEntity(parentId, signal)
      .then((loaded) => loaded.value)
      .catch(() => null)
  }
  return null
}

/**
 * Join or leave the group a thing belongs to, or ask to join a closed one and withdraw that request; with its
 * members count. One read says it all: the count, one's role, one's pending request.
 */
export function GroupMembership({
  api,
  group,
  user,
  onLogin,
}: {
  api: ApiClient
  group: EntityFeature
  user: User | null
  onLogin?(): void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  // One's standing in the group is the API's answer to whoever is signed in: the member is part of the key.
  const membershipKey = queryKeys.group.membership(group.id, user?.id ?? null)
  const query = useQuery({
    queryKey: membershipKey,
    queryFn: ({ signal }) => api.membership(group.id, signal),
  })
  const membership: Membership | null = query.data ?? null
  const [message, setMessage] = useState<FormNote | null>(null)
  const [busy, setBusy] = useState(false)
  const closed = membership
    ? membership.membership === 'closed'
    : group.properties.properties.membership === 'closed'

  const act = async (action: () => Promise<string>) => {
    setBusy(true)
    setMessage(null)
    try {
      const text = await action()
      await queryClient.invalidateQueries({ queryKey: queryKeys.group.all(group.id) })
      setMessage({ ok: true, text })
    } catch (failure) {
      setMessage({ ok: false, text: messageOf(i18n, failure) })
    } finally {
      setBusy(false)
    }
  }
  const join = () =>
    act(async () =>
      (await api.join(group.id)).status === 'requested' ? t('group.requestSent') : t('group.joined'),
    )
  const withdraw = () =>
    act(async () => {
      await api.withdrawJoinRequest(group.id)
      return t('group.requestWithdrawn')
    })
  const leave = () =>
    act(async () => {
      if (user) await api.leave(group.id, user.id)
      return t('group.left')
    })

  const role = membership?.role ?? null
  const request = membership?.request ?? null
  return (
    <section className="group-box" aria-label={t('group.label')} data-testid="group-box">
      <p>
        <strong>{group.properties.title}</strong>
        {membership && (
          <>
            {' · '}
            <span data-testid="members-count">
              {membership.membersCount === 1
                ? t('group.membersOne')
                : t('group.members', { count: i18n.number(membership.membersCount) })}
            </span>
          </>
        )}
        {closed && ` · ${t('group.closed')}`}
      </p>
      {role && <p className="hint">{t('group.yourRole', { role: t(`role.${role}` as MessageKey) })}</p>}
      {request && (
        <p className="hint" data-testid="group-request">
          {t('group.requestPending', { date: i18n.date(request.createdAt) })}
        </p>
      )}
      {!user ? (
        <button type="button" onClick={onLogin}>
          {t('group.loginToJoin')}
        </button>
      ) : role ? (
        <button type="button" disabled={busy} onClick={() => void leave()} data-testid="group-leave">
          {t('group.leave')}
        </button>
      ) : request ? (
        <button type="button" disabled={busy} onClick={() => void withdraw()} data-testid="group-withdraw">
          {t('group.withdrawRequest')}
        </button>
      ) : (
        <button
          type="button"
          disabled={busy || !membership}
          onClick={() => void join()}
          data-testid="group-join"
        >
          {closed ? t('group.askToJoin') : t('group.join')}
        </button>
      )}
      {membership?.can.manage && (
        <a
          href={groupScreenHref(group.id)}
          onClick={(event) => {
            if (!isPlainClick(event)) return
            event.preventDefault()
            navigateWithin(groupScreenHref(group.id))
          }}
          data-testid="group-manage"
        >
          {t('group.manage')}
        </a>
      )}
      <FormMessage message={message} testId="group-message" />
    </section>
  )
}

/** Follow or stop following a thing (its changes, posts and comments reach one's notifications). */
export function FollowButton({ api, entityId, user }: { api: ApiClient; entityId: string; user: User }) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  // What one follows is one's own: another member signing in reads it afresh under their own key.
  const followingKey = queryKeys.entity.following(entityId, user.id)
  const query = useQuery({
    queryKey: followingKey,
    queryFn: async ({ signal }) => (await api.following(entityId, signal)).following,
  })
  const following = query.data ?? null
  const toggle = useMutation({
    mutationFn: async (follow: boolean) => {
      if (follow) await api.follow(entityId)
      else await api.unfollow(entityId)
      return follow
    },
    onSuccess: (follow) => queryClient.setQueryData(followingKey, follow),
  })
  const error = toggle.error ? messageOf(i18n, toggle.error) : null
  return (
    <>
      <button
        type="button"
        aria-pressed={following ?? false}
        disabled={following === null}
        onClick={() => toggle.mutate(!following)}
        data-testid="follow"
      >
        {following ? t('follow.unfollow') : t('follow.follow')}
      </button>
      <FormMessage message={error} as="span" />
    </>
  )
}

/** A pact of collaboration's lifecycle: the steps, where it is, and its history of steps and reports. */
export function PactSteps({ api, id }: { api: ApiClient; id: string }) {
  const i18n = useI18n()
  const { t } = i18n
  // Read again whenever the pact's thing changes (its step moves it): the feed marks the thing stale.
  const query = useQuery({
    queryKey: queryKeys.entity.pact(id),
    queryFn: ({ signal }) => api.pact(id, signal),
  })
  const pact = query.data
  if (!pact) return null
  const rejectedAt = pact.history.find((item) => item.type === 'transition' && item.to === 'rejected')?.from
  const path: readonly Pact['status'][] =
    pact.status === 'rejected'
      ? [
          ...pactPath.slice(0, pactPath.indexOf(rejectedAt === 'co-design' ? 'co-design' : 'proposal') + 1),
          'rejected',
        ]
      : pactPath
  const reached = path.indexOf(pact.status)
  return (
    <section className="pact" aria-labelledby="pact-title" data-testid="pact">
      <h3 id="pact-title">{t('pact.title')}</h3>
      <ol className="pact-steps">
        {path.map((status, index) => (
          <li
            key={status}
            className={index < reached ? 'done' : index === reached ? 'current' : 'todo'}
            aria-current={index === reached ? 'step' : undefined}
          >
            {t(`value.${status}` as MessageKey)}
          </li>
        ))}
      </ol>
      {pact.signedAt && <p className="hint">{t('pact.signedAt', { date: i18n.date(pact.signedAt) })}</p>}
      <PactPageLink id={id} />
      {pact.history.length > 0 && (
        <>
          <h4>{t('pact.history')}</h4>
          <ul className="pact-history">
            {pact.history.map((item) => (
              <li key={item.id}>
                <time dateTime={item.at}>{i18n.date(item.at)}</time> —{' '}
                {item.type === 'transition'
                  ? t('pact.step', {
                      from: item.from ? t(`value.${item.from}` as MessageKey) : '—',
                      to: item.to ? t(`value.${item.to}` as MessageKey) : '—',
                    })
                  : t('pact.report')}{' '}
                ({item.actor.displayName}){item.note && `: ${item.note}`}
              </li>
            ))}
          </ul>
        </>
      )}
      {pact.documents.length > 0 && (
        <>
          <h4>{t('pact.documents')}</h4>
          <ul>
            {pact.documents.map((document) => (
              <li key={document.id}>
                {document.url ? (
                  <a href={document.url} rel="noopener noreferrer" target="_blank">
                    {document.title}
                  </a>
                ) : (
                  document.title
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}

/** To the pact's own page (`/pacts?id=…`), in the same tab without reloading; the shell follows the address. */
function PactPageLink({ id }: { id: string }) {
  const { t } = useI18n()
  const href = withPageItem(`${pathOf('pacts')}${window.location.search}`, id)
  return (
    <p>
      <a
        href={href}
        onClick={(event) => {
          event.preventDefault()
          window.history.pushState(null, '', href)
          window.dispatchEvent(new PopStateEvent('popstate'))
        }}
        data-testid="pact-open-page"
      >
        {t('pact.openPage')}
      </a>
    </p>
  )
}
