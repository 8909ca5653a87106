import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { myGroups } from '../../api/groups'
import { useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { queryKeys } from '../../queries/query-keys'
import { parseViewState } from '../../state/url-state'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { GroupScreen } from './group-screen'
import { groupMessages } from './messages'
import { groupScreenHref, isPlainClick, navigateWithin } from './navigation'

/** The group the address names (the view's `sel`), read again whenever the address changes. */
const readSelected = () => parseViewState(window.location.search).selected

function useSelectedGroup(): string | null {
  const [selected, setSelected] = useState(readSelected)
  useEffect(() => {
    const onPop = () => setSelected(readSelected())
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])
  return selected
}

/**
 * The groups page: the groups I belong to, and the screen of the one chosen (`/groups?sel=<id>`), where its
 * owners and managers answer requests to join, change roles, remove members, hand the group over and keep its
 * accounts. What it offers comes from the API's `can` for this member; the API judges every action again.
 */
export function GroupsPage(props: PageProps) {
  const { user } = props
  const selected = useSelectedGroup()
  if (!user) return null
  return (
    <main className="groups-page" aria-labelledby="groups-title">
      {selected ? (
        <GroupScreen key={selected} {...props} user={user} groupId={selected} />
      ) : (
        <MyGroups {...props} userId={user.id} />
      )}
    </main>
  )
}

function MyGroups({ api, userId }: PageProps & { userId: string }) {
  const i18n = useMessages(groupMessages)
  const { m } = i18n
  const groups = useQuery({
    queryKey: queryKeys.groups.mine(userId),
    queryFn: () => myGroups(api),
  })
  const items = groups.data?.items ?? []
  return (
    <>
      <h1 id="groups-title">{m('mine')}</h1>
      <FormMessage message={groups.error ? messageOf(i18n, groups.error) : null} />
      {groups.isPending ? (
        <p className="empty">{m('loading')}</p>
      ) : items.length === 0 ? (
        <p className="empty">{m('none')}</p>
      ) : (
        <ul className="my-groups" data-testid="my-groups">
          {items.map((item) => (
            <li key={item.groupId}>
              <a
                href={groupScreenHref(item.groupId)}
                onClick={(event) => {
                  if (!isPlainClick(event)) return
                  event.preventDefault()
                  navigateWithin(groupScreenHref(item.groupId))
                }}
                data-testid="my-group"
              >
                {item.title}
              </a>{' '}
              <span className="hint">
                {m(
                  item.role === 'owner'
                    ? 'roleOwner'
                    : item.role === 'manager'
                      ? 'roleManager'
                      : 'roleMember',
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  )
}
