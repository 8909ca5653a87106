import { useQuery } from '@tanstack/react-query'
import type { ApiClient } from '../../api/client'
import { myGroups } from '../../api/groups'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { groupMessages } from './messages'
import { groupScreenHref, isPlainClick, navigateWithin } from './navigation'

/** The groups the signed-in member belongs to, with their role in each; each opens its group screen. */
export function MyGroups({ api, userId }: { api: ApiClient; userId: string }) {
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
