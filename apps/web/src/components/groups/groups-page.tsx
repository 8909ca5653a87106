import { useEffect, useState } from 'react'
import type { PageProps } from '../../pages'
import { parseViewState } from '../../state/url-state'
import { GroupScreen } from './group-screen'
import { MyGroups } from './my-groups'

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
        <MyGroups api={props.api} userId={user.id} />
      )}
    </main>
  )
}
