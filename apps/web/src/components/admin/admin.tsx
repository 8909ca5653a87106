import type { MemberSummary, User } from '@quartiere/contracts'
import { userRoles } from '@quartiere/contracts/enums'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, lazy, Suspense, useEffect, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { ApiProblem } from '../../api/problem'
import { type I18n, useI18n } from '../../i18n/i18n'
import type { PageProps } from '../../pages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage, type FormNote } from '../form-message'
import { problemMessage } from '../messages'
import { type PlatformRole, roleChangeLine, roleChangeNote, roleName, roleRefusalNote } from './role-outcome'

// The limits form loads with its own code when the page is opened.
const AccountLimits = lazy(() =>
  import('../account-limits/account-limits').then((module) => ({ default: module.AccountLimits })),
)

// The dashboard and its chart library load only with the page, never on the first visit.
const NeighbourhoodDashboard = lazy(() =>
  import('../dashboard/dashboard').then((module) => ({ default: module.NeighbourhoodDashboard })),
)

/** How long typing pauses before the member directory is asked. */
const memberSearchDebounceMs = 250

export interface AdministrationProps {
  api: ApiClient
  user: User
  /** The signed-in admin changed their own role: the session should learn it from the API. */
  onOwnRoleChanged(): void
}

/**
 * The admins' page: give a member a platform role, and read the log of every role change. It is shown only to
 * a user the API says is an admin; whatever it would still refuse (the last admin stepping down, a role taken
 * meanwhile) is the API's to say, and said here in the reader's language.
 */
/** The admins' page as the shell opens it: the session learns a change of the admin's own role. */
export function AdministrationPage({ api, user, session }: PageProps) {
  if (!user) return null
  return (
    <Administration key={user.id} api={api} user={user} onOwnRoleChanged={() => void session.refresh()} />
  )
}

export function Administration({ api, user, onOwnRoleChanged }: AdministrationProps) {
  const { t } = useI18n()
  return (
    <main className="admin" aria-labelledby="admin-title">
      <h1 id="admin-title">{t('admin.title')}</h1>
      <RoleForm api={api} user={user} onOwnRoleChanged={onOwnRoleChanged} />
      <RoleLog api={api} />
      <Suspense fallback={null}>
        <AccountLimits api={api} />
        <NeighbourhoodDashboard api={api} />
      </Suspense>
    </main>
  )
}

function RoleForm({ api, user, onOwnRoleChanged }: AdministrationProps) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  const [query, setQuery] = useState('')
  const [searched, setSearched] = useState('')
  const [member, setMember] = useState<MemberSummary | null>(null)
  const [role, setRole] = useState<PlatformRole>('member')
  const [reason, setReason] = useState('')
  // Kept as what to say rather than the words, so a change of language rewords the last answer too.
  const [message, setMessage] = useState<((i18n: I18n) => FormNote) | null>(null)
  // The roles this page has seen the API answer with, by member: the directory does not tell them.
  const [known, setKnown] = useState<Record<string, PlatformRole>>(() => ({ [user.id]: user.role }))

  const text = query.trim()
  useEffect(() => {
    const timer = setTimeout(() => setSearched(text), memberSearchDebounceMs)
    return () => clearTimeout(timer)
  }, [text])
  const chosen = member?.displayName
  const search = useQuery({
    queryKey: queryKeys.members.search(searched),
    enabled: searched !== '' && searched !== chosen,
    queryFn: () => api.searchMembers(searched),
  })
  const matches = !text || chosen === text || search.isError ? [] : (search.data?.items ?? [])

  const change = useMutation({
    mutationFn: (input: { userId: string; role: PlatformRole; reason: string }) =>
      api.changeRole(input.userId, { role: input.role, ...(input.reason ? { reason: input.reason } : {}) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.admin.all }),
  })

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!member) {
      setMessage(() => (next: I18n) => ({ ok: false, text: next.t('admin.chooseMember') }))
      return
    }
    setMessage(null)
    try {
      const result = await change.mutateAsync({ userId: member.id, role, reason: reason.trim() })
      setKnown((current) => ({ ...current, [result.id]: result.role }))
      setMessage(() => (next: I18n) => roleChangeNote(next, member.displayName, result))
      setReason('')
      if (result.id === user.id && result.change) onOwnRoleChanged()
    } catch (failure) {
      setMessage(() => (next: I18n) => roleRefusalNote(next, member.displayName, failure))
    }
  }

  const currentRole = member ? known[member.id] : undefined
  return (
    <form
      className="admin-roles"
      onSubmit={submit}
      aria-labelledby="admin-roles-title"
      data-testid="role-form"
    >
      <h2 id="admin-roles-title">{t('admin.roles')}</h2>
      <p className="hint">{t('admin.rolesHint')}</p>
      <div className="field">
        <label htmlFor="admin-member">{t('admin.member')}</label>
        <input
          id="admin-member"
          role="combobox"
          aria-expanded={matches.length > 0}
          aria-controls="admin-member-matches"
          aria-autocomplete="list"
          autoComplete="off"
          value={query}
          onChange={(event) => {
            setQuery(event.target.value)
            setMember(null)
          }}
          data-testid="admin-member"
        />
        {matches.length > 0 && (
          <ul id="admin-member-matches" className="matches" data-testid="admin-member-matches">
            {matches.map((match) => (
              <li key={match.id}>
                <button
                  type="button"
                  onClick={() => {
                    setMember(match)
                    setQuery(match.displayName)
                    setMessage(null)
                    const knownRole = known[match.id]
                    if (knownRole) setRole(knownRole)
                  }}
                >
                  {match.displayName}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {member && (
        <p className="hint" data-testid="admin-current-role">
          {currentRole
            ? t('admin.currentRole', { role: roleName(i18n, currentRole) })
            : t('admin.currentRoleUnknown')}
        </p>
      )}
      <div className="field">
        <label htmlFor="admin-role">{t('admin.newRole')}</label>
        <select
          id="admin-role"
          value={role}
          onChange={(event) => setRole(event.target.value as PlatformRole)}
          data-testid="admin-role"
        >
          {userRoles.map((value) => (
            <option key={value} value={value}>
              {roleName(i18n, value)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="admin-reason">{t('admin.reason')}</label>
        <textarea
          id="admin-reason"
          rows={2}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          data-testid="admin-reason"
        />
      </div>
      <button type="submit" disabled={change.isPending} data-testid="admin-apply">
        {change.isPending ? t('admin.applying') : t('admin.apply')}
      </button>
      <FormMessage message={message?.(i18n)} testId="admin-message" />
    </form>
  )
}

/** The role changes log, newest first, a page at a time; read again after a change made on this page. */
function RoleLog({ api }: { api: ApiClient }) {
  const i18n = useI18n()
  const { t } = i18n
  const log = useInfiniteQuery({
    queryKey: queryKeys.admin.roleChanges,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api.roleChanges(pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const changes = log.data?.pages.flatMap((page) => page.items) ?? []
  const failure = log.error
  const error = failure
    ? failure instanceof ApiProblem
      ? problemMessage(i18n, failure)
      : String(failure)
    : null
  return (
    <section aria-labelledby="role-log-title">
      <h2 id="role-log-title">{t('admin.log.title')}</h2>
      <FormMessage message={error} testId="role-log-error" />
      {log.isSuccess && changes.length === 0 ? (
        <p className="empty">{t('admin.log.empty')}</p>
      ) : (
        <ol className="role-log" data-testid="role-log">
          {changes.map((change) => (
            <li key={change.id} data-testid="role-change">
              <span className="role-change-line">{roleChangeLine(i18n, change)}</span>{' '}
              <time dateTime={change.createdAt}>{i18n.dateTime(change.createdAt)}</time>
              {change.reason && (
                <span className="role-change-reason">{t('admin.log.reason', { reason: change.reason })}</span>
              )}
            </li>
          ))}
        </ol>
      )}
      {log.hasNextPage && (
        <button
          type="button"
          disabled={log.isFetchingNextPage}
          onClick={() => void log.fetchNextPage()}
          data-testid="role-log-more"
        >
          {t('admin.log.more')}
        </button>
      )}
    </section>
  )
}
