import type { DB } from '@quartiere/db'
import { type Actor, campaignEntityKinds, findLiveEntity, findVisibleEntity } from '@quartiere/ledger'
import { mayEditEntity } from '@quartiere/map'
import type { Kysely } from 'kysely'

export type CampaignOpeningRefusal =
  | { code: 'not_found'; status: 404; message: string }
  | { code: 'forbidden'; status: 403; message: string }
  | { code: 'entity_not_linkable'; status: 422; message: string }

/**
 * Whether `actor` may open a campaign on an existing thing, and why not: it must be on the map, the actor must
 * be who may edit it (the map's rule: its author, a moderator or admin, its group's managers), and it must be a
 * place or a project (the ledger's kinds). Where the map's and the ledger's rules meet, so here: the campaign
 * route enforces it with this function, and the listing's `canOpen` is its answer, so the web never offers what
 * the API would refuse.
 */
export async function campaignOpeningRefusal(
  db: Kysely<DB>,
  actor: Actor,
  entityId: string,
): Promise<CampaignOpeningRefusal | null> {
  const target = await findLiveEntity(db, entityId)
  if (!target) return { code: 'not_found', status: 404, message: `no entity ${entityId}` }
  if (!(await mayEditEntity(db, actor, target))) {
    return {
      code: 'forbidden',
      status: 403,
      message: 'only who may edit a place or project opens a campaign on it',
    }
  }
  const visible = await findVisibleEntity(db, entityId)
  if (!visible) return { code: 'not_found', status: 404, message: `no entity ${entityId} on the map` }
  if (!(campaignEntityKinds as readonly string[]).includes(visible.kind)) {
    return {
      code: 'entity_not_linkable',
      status: 422,
      message: 'a campaign is linked to a place (space) or a project',
    }
  }
  return null
}
