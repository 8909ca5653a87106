import type { DB } from '@quartiere/db'
import type { Kysely } from 'kysely'
import { type Actor, isModeratorOrAdmin } from '../actor'
import { groupRoleOf, managesThroughGroup } from './access'

/**
 * Who may change a thing on the map: its author, a moderator or an admin, and the owners and managers of a
 * group it belongs to. A thing belongs to a group when the group is the thing itself or one of its ancestors
 * on the map: the group's page, its spaces, the events in those spaces.
 */
export async function mayEditEntity(
  db: Kysely<DB>,
  actor: Actor,
  entity: { id: string; authorId: string },
): Promise<boolean> {
  if (entity.authorId === actor.userId || isModeratorOrAdmin(actor)) return true
  return managesThroughGroup(db, entity.id, actor.userId)
}

/**
 * Putting a thing inside a group gives the group's managers a say over it, and shows it as the group's own. A
 * closed group takes things only from its members (or a moderator or an admin); an open group, which anyone may
 * join at once, from anyone. Other parents (a space, an event) are open. Returns a refusal message, or undefined
 * when allowed.
 */
export async function parentRefusal(
  db: Kysely<DB>,
  actor: Actor,
  parentId: string,
): Promise<string | undefined> {
  if (isModeratorOrAdmin(actor)) return undefined
  const parent = await db
    .selectFrom('entities')
    .select(['kind', 'properties'])
    .where('id', '=', parentId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (parent?.kind !== 'group' || parent.properties.membership !== 'closed') return undefined
  const role = await groupRoleOf(db, parentId, actor.userId)
  return role ? undefined : 'only members of a closed group may put things in it; ask to join it first'
}
