import type { Campaign } from '@quartiere/contracts'
import { type DB, managedGroupIds } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'
import { isModeratorOrAdmin } from '../actor'
import type { Viewer } from './access'

/**
 * Campaigns as one reader sees them: with the title of the place or project each is on (so a list needs no
 * read per campaign), and whether the reader may manage each one. The ledger keeps the campaigns; who may see a
 * place and who manages a group are the map's to say, so they are added here, in two queries for a whole page.
 */
export async function campaignsForViewer(
  db: Kysely<DB>,
  viewer: Viewer,
  campaigns: readonly Campaign[],
): Promise<Campaign[]> {
  if (campaigns.length === 0) return []
  const entityIds = [...new Set(campaigns.map((campaign) => campaign.entityId))]
  // A hidden place keeps its title from everyone but its author and moderators, as the map does.
  const seesHidden = viewer !== null && isModeratorOrAdmin(viewer)
  const places = await db
    .selectFrom('entities')
    .select(['id', 'title'])
    .where('id', 'in', entityIds)
    .where('deleted_at', 'is', null)
    .where(
      seesHidden
        ? sql<boolean>`true`
        : viewer
          ? sql<boolean>`(hidden_at IS NULL OR author_id = ${viewer.userId}::uuid)`
          : sql<boolean>`hidden_at IS NULL`,
    )
    .execute()
  const titles = new Map(places.map((place) => [place.id, place.title]))
  const groupIds = [
    ...new Set(campaigns.flatMap((campaign) => (campaign.owner.groupId ? [campaign.owner.groupId] : []))),
  ]
  const managed = new Set(viewer ? await managedGroupIds(db, viewer.userId, groupIds) : [])
  return campaigns.map((campaign) => ({
    ...campaign,
    entityTitle: titles.get(campaign.entityId) ?? null,
    // The same rule as the ledger's deposit and stop: its opener, or a manager of the owning group.
    canManage:
      viewer !== null &&
      (campaign.owner.type === 'user'
        ? campaign.owner.userId === viewer.userId
        : campaign.owner.groupId !== undefined && managed.has(campaign.owner.groupId)),
  }))
}

/** One campaign as the reader sees it. */
export async function campaignForViewer(
  db: Kysely<DB>,
  viewer: Viewer,
  campaign: Campaign,
): Promise<Campaign> {
  const [seen] = await campaignsForViewer(db, viewer, [campaign])
  if (!seen) throw new Error(`campaign ${campaign.id} vanished while being described`)
  return seen
}
