import type { EntityFeature, Pact, User } from '@quartiere/contracts'
import { useCallback, useEffect, useState } from 'react'
import type { ApiClient } from '../api/client'
import { ApiProblem } from '../api/problem'
import type { MessageKey } from '../i18n/dictionaries'
import { useI18n } from '../i18n/i18n'
import { problemMessage } from './messages'

/**
 * A pact's steps in order (the contracts' own list is not imported: it would pull the schema library into the
 * bundle for one array; `Pact['status']` keeps this in step with it).
 */
const pactPath: Pact['status'][] = ['proposal', 'co-design', 'signed', 'active', 'concluded']

/** Pages of members read to find one's own membership and count them (100 each); beyond, "at least". */
const memberPagesMax = 10
/** Pages of one's follows read to know whether a thing is followed (100 each). */
const followPagesMax = 10

function messageOf(i18n: ReturnType<typeof useI18n>, failure: unknown): string {
  return failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure)
}

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

/** Join or leave the group a thing belongs to (ask to join a closed one), with its members count. */
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
  const [count, setCount] = useState<{ value: number; more: boolean } | null>(null)
  const [role, setRole] = useState<string | null>(null)
  const [requested, setRequested] = useState(false)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const closed = group.properties.properties.membership === 'closed'

  const load = useCallback(async () => {
    let cursor: string | undefined
    let total = 0
    let mine: string | null = null
    for (let page = 0; page < memberPagesMax; page += 1) {
      const list = await api.members(group.id, cursor)
      total += list.items.length
      const me = user ? list.items.find((member) => member.user.id === user.id) : undefined
      if (me) mine = me.role
      if (!list.nextCursor) {
        setCount({ value: total, more: false })
        setRole(mine)
        return
      }
      cursor = list.nextCursor
    }
    setCount({ value: total, more: true })
    setRole(mine)
  }, [api, group.id, user])

  useEffect(() => {
    load().catch(() => setCount(null))
  }, [load])

  const act = async (action: () => Promise<void>) => {
    setBusy(true)
    setMessage(null)
    try {
      await action()
      await load()
    } catch (failure) {
      setMessage({ ok: false, text: messageOf(i18n, failure) })
    } finally {
      setBusy(false)
    }
  }
  const join = () =>
    act(async () => {
      const outcome = await api.join(group.id)
      if (outcome.status === 'requested') {
        setRequested(true)
        setMessage({ ok: true, text: t('group.requestSent') })
      } else setMessage({ ok: true, text: t('group.joined') })
    })
  const leave = () =>
    act(async () => {
      if (!user) return
      await api.leave(group.id, user.id)
      setMessage({ ok: true, text: t('group.left') })
    })

  return (
    <section className="group-box" aria-label={t('group.label')} data-testid="group-box">
      <p>
        <strong>{group.properties.title}</strong>
        {count && (
          <>
            {' · '}
            <span data-testid="members-count">
              {count.value === 1 && !count.more
                ? t('group.membersOne')
                : t(count.more ? 'group.membersAtLeast' : 'group.members', {
                    count: i18n.number(count.value),
                  })}
            </span>
          </>
        )}
        {closed && ` · ${t('group.closed')}`}
      </p>
      {role && <p className="hint">{t('group.yourRole', { role: t(`role.${role}` as MessageKey) })}</p>}
      {!user ? (
        <button type="button" onClick={onLogin}>
          {t('group.loginToJoin')}
        </button>
      ) : role ? (
        <button type="button" disabled={busy} onClick={() => void leave()} data-testid="group-leave">
          {t('group.leave')}
        </button>
      ) : (
        <button
          type="button"
          disabled={busy || requested}
          onClick={() => void join()}
          data-testid="group-join"
        >
          {closed ? t('group.askToJoin') : t('group.join')}
        </button>
      )}
      {message && (
        <p
          role={message.ok ? 'status' : 'alert'}
          className={message.ok ? 'ok' : 'error'}
          data-testid="group-message"
        >
          {message.text}
        </p>
      )}
    </section>
  )
}

/** Follow or stop following a thing (its changes, posts and comments reach one's notifications). */
export function FollowButton({ api, entityId, user }: { api: ApiClient; entityId: string; user: User }) {
  const i18n = useI18n()
  const { t } = i18n
  const [following, setFollowing] = useState<boolean | null>(null)
  const [error, setError] = useState<string | null>(null)

  // biome-ignore lint/correctness/useExhaustiveDependencies: another member signing in follows other things.
  useEffect(() => {
    let cancelled = false
    const find = async () => {
      let cursor: string | undefined
      for (let page = 0; page < followPagesMax; page += 1) {
        const list = await api.mySubscriptions(cursor)
        if (list.items.some((item) => item.entityId === entityId)) return true
        if (!list.nextCursor) return false
        cursor = list.nextCursor
      }
      return false
    }
    find()
      .then((value) => {
        if (!cancelled) setFollowing(value)
      })
      .catch(() => undefined)
    return () => {
      cancelled = true
    }
  }, [api, entityId, user.id])

  const toggle = async () => {
    setError(null)
    try {
      if (following) await api.unfollow(entityId)
      else await api.follow(entityId)
      setFollowing(!following)
    } catch (failure) {
      setError(messageOf(i18n, failure))
    }
  }
  return (
    <>
      <button
        type="button"
        aria-pressed={following ?? false}
        disabled={following === null}
        onClick={() => void toggle()}
        data-testid="follow"
      >
        {following ? t('follow.unfollow') : t('follow.follow')}
      </button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </>
  )
}

/** A pact of collaboration's lifecycle: the steps, where it is, and its history of steps and reports. */
export function PactSteps({ api, id }: { api: ApiClient; id: string }) {
  const i18n = useI18n()
  const { t } = i18n
  const [pact, setPact] = useState<Pact | null>(null)
  useEffect(() => {
    const controller = new AbortController()
    api
      .pact(id, controller.signal)
      .then(setPact)
      .catch(() => setPact(null))
    return () => controller.abort()
  }, [api, id])
  if (!pact) return null
  const rejectedAt = pact.history.find((item) => item.type === 'transition' && item.to === 'rejected')?.from
  const path: Pact['status'][] =
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
