import type { GroupAbilities, GroupMember, GroupRole, JoinRequest, User } from '@quartiere/contracts'
import { groupRoles } from '@quartiere/contracts/enums'
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import type { ApiClient } from '../../api/client'
import {
  changeMemberRole,
  decideJoinRequest,
  groupMembers,
  joinRequests,
  removeMember,
} from '../../api/groups'
import { type ScreenI18n, useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { Statement } from '../wallet/statement'
import { byCurrency, timeCurrency, useAccounts } from '../wallet/wallet-queries'
import { ConfirmDialog } from './confirm-dialog'
import { type GroupMessageKey, groupMessages } from './messages'
import { MyGroups } from './my-groups'
import { groupScreenHref, isPlainClick, navigateWithin } from './navigation'

type Say = ScreenI18n<GroupMessageKey>
/** What to tell after an action, kept as how to say it, so a change of language rewords it too. */
type Note = (i18n: Say) => FormNote

const roleKey: Record<GroupRole, GroupMessageKey> = {
  owner: 'roleOwner',
  manager: 'roleManager',
  member: 'roleMember',
}

export function roleName(i18n: Say, role: GroupRole): string {
  return i18n.m(roleKey[role])
}

/** Things of the group listed on its screen (its children on the map); the map shows the rest. */
const groupThingsMax = 50

export function GroupScreen({ api, user, groupId, showOnMap }: PageProps & { user: User; groupId: string }) {
  const i18n = useMessages(groupMessages)
  const { m } = i18n
  const queryClient = useQueryClient()
  const group = useQuery({
    queryKey: queryKeys.entity.detail(groupId),
    queryFn: ({ signal }) => api.getEntity(groupId, signal),
  })
  const membership = useQuery({
    queryKey: queryKeys.group.membership(groupId, user.id),
    queryFn: ({ signal }) => api.membership(groupId, signal),
  })
  const [note, setNote] = useState<Note | null>(null)
  const title = group.data?.value.properties.title ?? ''
  const can = membership.data?.can
  const role = membership.data?.role ?? null

  /** Runs an action, then reads the group again: its members, requests and one's own standing. */
  const act = async (action: () => Promise<Note>) => {
    setNote(null)
    try {
      const done = await action()
      setNote(() => done)
    } catch (failure) {
      setNote(() => (next: Say) => ({ ok: false, text: messageOf(next, failure) }))
    } finally {
      await queryClient.invalidateQueries({ queryKey: queryKeys.group.all(groupId) })
      await queryClient.invalidateQueries({ queryKey: queryKeys.groups.mine(user.id) })
    }
  }

  // The page opens the view's selection; when that is not a group (a place chosen on the map), my groups.
  if (group.data && group.data.value.properties.kind !== 'group')
    return <MyGroups api={api} userId={user.id} />
  const failure = group.error ?? membership.error
  return (
    <div className="group-screen" data-testid="group-screen">
      <p>
        <a
          href={groupScreenHref(null)}
          onClick={(event) => {
            if (!isPlainClick(event)) return
            event.preventDefault()
            navigateWithin(groupScreenHref(null))
          }}
          data-testid="groups-back"
        >
          {m('back')}
        </a>
      </p>
      <h1 id="groups-title" data-testid="group-title">
        {title || m('title')}
      </h1>
      {failure ? (
        <FormMessage message={m('notFound')} />
      ) : (
        <>
          <div className="row">
            {role && (
              <span className="hint" data-testid="group-my-role">
                {m('yourRole', { role: roleName(i18n, role) })}
              </span>
            )}
            <button type="button" onClick={() => showOnMap(groupId)} data-testid="group-show-on-map">
              {m('showOnMap')}
            </button>
          </div>
          <FormMessage message={note ? note(i18n) : null} testId="group-screen-message" />
          {can?.manage && <JoinRequests api={api} userId={user.id} groupId={groupId} act={act} />}
          {can && (
            <Members
              api={api}
              me={user.id}
              myRole={role}
              groupId={groupId}
              groupTitle={title}
              can={can}
              act={act}
            />
          )}
          <GroupThings api={api} groupId={groupId} showOnMap={showOnMap} />
          {can?.accounts && <GroupAccountsSection api={api} userId={user.id} groupId={groupId} />}
        </>
      )}
    </div>
  )
}

type Act = (action: () => Promise<Note>) => Promise<void>

function JoinRequests({
  api,
  userId,
  groupId,
  act,
}: {
  api: ApiClient
  userId: string
  groupId: string
  act: Act
}) {
  const i18n = useMessages(groupMessages)
  const { m } = i18n
  const requests = useInfiniteQuery({
    queryKey: queryKeys.group.requests(groupId, userId),
    queryFn: ({ pageParam }) => joinRequests(api, groupId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const items = requests.data?.pages.flatMap((page) => page.items) ?? []
  const decide = (request: JoinRequest, approve: boolean) =>
    act(async () => {
      await decideJoinRequest(api, groupId, request.id, approve)
      const name = request.user.displayName
      return (next) => ({ ok: true, text: next.m(approve ? 'approved' : 'rejected', { name }) })
    })
  return (
    <section aria-labelledby="group-requests-title" data-testid="group-requests">
      <h2 id="group-requests-title">{m('requests')}</h2>
      <FormMessage message={requests.error ? messageOf(i18n, requests.error) : null} />
      {items.length === 0 ? (
        <p className="empty">{requests.isPending ? m('loading') : m('noRequests')}</p>
      ) : (
        <ul className="group-list">
          {items.map((request) => (
            <li key={request.id} data-testid="join-request">
              <span>
                {m('requestFrom', { name: request.user.displayName, date: i18n.date(request.createdAt) })}
              </span>
              {request.message && <span className="hint"> “{request.message}”</span>}
              <span className="row">
                <button
                  type="button"
                  aria-label={m('approveNamed', { name: request.user.displayName })}
                  onClick={() => void decide(request, true)}
                  data-testid="request-approve"
                >
                  {m('approve')}
                </button>
                <button
                  type="button"
                  className="danger"
                  aria-label={m('rejectNamed', { name: request.user.displayName })}
                  onClick={() => void decide(request, false)}
                  data-testid="request-reject"
                >
                  {m('reject')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {requests.hasNextPage && (
        <button type="button" onClick={() => void requests.fetchNextPage()}>
          {m('more')}
        </button>
      )}
    </section>
  )
}

interface Pending {
  kind: 'remove' | 'handOver'
  member: GroupMember
}

function Members({
  api,
  me,
  myRole,
  groupId,
  groupTitle,
  can,
  act,
}: {
  api: ApiClient
  me: string
  myRole: GroupRole | null
  groupId: string
  groupTitle: string
  can: GroupAbilities
  act: Act
}) {
  const i18n = useMessages(groupMessages)
  const { m } = i18n
  const members = useInfiniteQuery({
    queryKey: queryKeys.group.members(groupId),
    queryFn: ({ pageParam }) => groupMembers(api, groupId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const items = members.data?.pages.flatMap((page) => page.items) ?? []
  const [roles, setRoles] = useState<Record<string, GroupRole>>({})
  const [pending, setPending] = useState<Pending | null>(null)

  const changeRole = (member: GroupMember) => {
    const role = roles[member.user.id] ?? member.role
    return act(async () => {
      await changeMemberRole(api, groupId, member.user.id, role)
      const name = member.user.displayName
      return (next) => ({ ok: true, text: next.m('roleChanged', { name, role: roleName(next, role) }) })
    })
  }
  const confirmPending = () => {
    if (!pending) return
    const { kind, member } = pending
    setPending(null)
    const name = member.user.displayName
    void act(async () => {
      if (kind === 'remove') {
        await removeMember(api, groupId, member.user.id)
        return (next) => ({ ok: true, text: next.m('removed', { name }) })
      }
      // Handing over: the other member becomes an owner, then the owner who hands over steps down to manager.
      await changeMemberRole(api, groupId, member.user.id, 'owner')
      await changeMemberRole(api, groupId, me, 'manager')
      return (next) => ({ ok: true, text: next.m('handedOver', { name }) })
    })
  }

  return (
    <section aria-labelledby="group-members-title" data-testid="group-members">
      <h2 id="group-members-title">{m('members')}</h2>
      <FormMessage message={members.error ? messageOf(i18n, members.error) : null} />
      <ul className="group-list">
        {items.map((member) => {
          const name = member.user.displayName
          const self = member.user.id === me
          return (
            <li key={member.user.id} data-testid="group-member" data-member={name}>
              <span>
                <strong>{name}</strong> · <span data-testid="member-role">{roleName(i18n, member.role)}</span>
              </span>
              <span className="row">
                {can.changeRoles && (
                  <>
                    <label className="visually-hidden" htmlFor={`role-${member.user.id}`}>
                      {m('roleOf', { name })}
                    </label>
                    <select
                      id={`role-${member.user.id}`}
                      value={roles[member.user.id] ?? member.role}
                      onChange={(event) =>
                        setRoles((current) => ({
                          ...current,
                          [member.user.id]: event.target.value as GroupRole,
                        }))
                      }
                      data-testid="member-role-select"
                    >
                      {groupRoles.map((role) => (
                        <option key={role} value={role}>
                          {roleName(i18n, role)}
                        </option>
                      ))}
                    </select>
                    <button
                      type="button"
                      onClick={() => void changeRole(member)}
                      aria-label={`${m('changeRole')}: ${name}`}
                      data-testid="member-change-role"
                    >
                      {m('changeRole')}
                    </button>
                  </>
                )}
                {myRole === 'owner' && !self && member.role !== 'owner' && (
                  <button
                    type="button"
                    onClick={() => setPending({ kind: 'handOver', member })}
                    aria-label={m('handOverNamed', { name })}
                    data-testid="member-hand-over"
                  >
                    {m('handOver')}
                  </button>
                )}
                {!self && can.removeRoles.includes(member.role) && (
                  <button
                    type="button"
                    className="danger"
                    onClick={() => setPending({ kind: 'remove', member })}
                    aria-label={m('removeNamed', { name })}
                    data-testid="member-remove"
                  >
                    {m('remove')}
                  </button>
                )}
              </span>
            </li>
          )
        })}
      </ul>
      {members.hasNextPage && (
        <button type="button" onClick={() => void members.fetchNextPage()} data-testid="members-more">
          {m('more')}
        </button>
      )}
      {pending && (
        <ConfirmDialog
          question={m(pending.kind === 'remove' ? 'removeConfirm' : 'handOverConfirm', {
            name: pending.member.user.displayName,
            group: groupTitle,
          })}
          confirmLabel={m('confirm')}
          cancelLabel={m('cancel')}
          onConfirm={confirmPending}
          onCancel={() => setPending(null)}
        />
      )}
    </section>
  )
}

function GroupThings({
  api,
  groupId,
  showOnMap,
}: {
  api: ApiClient
  groupId: string
  showOnMap(id: string): void
}) {
  const i18n = useMessages(groupMessages)
  const { m, t } = i18n
  const things = useQuery({
    queryKey: [...queryKeys.entity.all(groupId), 'things'],
    queryFn: ({ signal }) => api.listEntities({ parent: groupId, limit: groupThingsMax }, signal),
  })
  const features = things.data?.features ?? []
  return (
    <section aria-labelledby="group-things-title" data-testid="group-things">
      <h2 id="group-things-title">{m('things')}</h2>
      {features.length === 0 ? (
        <p className="empty">{things.isPending ? m('loading') : m('noThings')}</p>
      ) : (
        <ul className="group-list">
          {features.map((feature) => (
            <li key={feature.id}>
              <button type="button" className="link" onClick={() => showOnMap(feature.id)}>
                {feature.properties.title}
              </button>{' '}
              <small>{t(`kind.${feature.properties.kind}`)}</small>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** The group's accounts (the wallet's own reading of them), and the chosen one's statement (the wallet's too). */
function GroupAccountsSection({ api, userId, groupId }: { api: ApiClient; userId: string; groupId: string }) {
  const i18n = useMessages(groupMessages)
  const { m } = i18n
  const accounts = useAccounts(api, userId)
  const mine = useMemo(
    () =>
      (accounts.data?.items ?? [])
        .filter((item) => item.owner.type === 'group' && item.owner.groupId === groupId)
        .sort(byCurrency),
    [accounts.data, groupId],
  )
  const [chosen, setChosen] = useState<string | null>(null)
  const account = mine.find((item) => item.id === chosen) ?? mine[0] ?? null
  const currencyName = (code: string) => (code === timeCurrency ? i18n.t('wallet.timeCredits') : code)
  return (
    <section aria-labelledby="group-accounts-title" data-testid="group-accounts">
      <h2 id="group-accounts-title">{m('accounts')}</h2>
      {mine.length === 0 ? (
        <p className="empty">{accounts.isPending ? m('loading') : m('noAccounts')}</p>
      ) : (
        <>
          <ul className="currency-list">
            {mine.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  aria-pressed={item.id === account?.id}
                  onClick={() => setChosen(item.id)}
                  data-testid="group-account"
                >
                  {m('accountOf', {
                    currency: currencyName(item.currency),
                    balance: i18n.decimal(item.balance),
                  })}
                </button>
              </li>
            ))}
          </ul>
          {account && (
            <Statement api={api} accountId={account.id} currencyName={currencyName(account.currency)} />
          )}
        </>
      )}
    </section>
  )
}
