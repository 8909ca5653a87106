import type { Initiative, InitiativeCreateBody } from '@quartiere/contracts'
import { type DB, uuidPattern } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'
import { type Actor, isModeratorOrAdmin } from '../actor'
import { readEntity, type Viewer } from './access'
import { iso } from './keys'
import { type CommunityOutcome, refuse } from './outcome'

/** Initiatives are the city's and the moderators' to name: they frame what the public map shows. */
function mayCurate(actor: Actor | null): boolean {
  return actor !== null && isModeratorOrAdmin(actor)
}

function selectInitiatives(db: Kysely<DB>) {
  return db.selectFrom('initiatives as i').select([
    'i.id',
    'i.slug',
    'i.name',
    'i.description',
    'i.created_at',
    'i.created_by',
    sql<string>`(SELECT count(*) FROM initiative_entities ie JOIN entities e ON e.id = ie.entity_id
        WHERE ie.initiative_id = i.id AND e.deleted_at IS NULL AND e.hidden_at IS NULL)`.as('entities_count'),
  ])
}

async function findInitiative(db: Kysely<DB>, ref: string) {
  const query = selectInitiatives(db)
  return (
    uuidPattern.test(ref) ? query.where('i.id', '=', ref) : query.where('i.slug', '=', ref)
  ).executeTakeFirst()
}

export async function createInitiative(
  db: Kysely<DB>,
  actor: Actor,
  input: InitiativeCreateBody,
): Promise<CommunityOutcome<{ initiative: Initiative }>> {
  if (!mayCurate(actor)) return refuse('forbidden', 'initiatives are created by moderators and admins')
  const inserted = await db
    .insertInto('initiatives')
    .values({
      slug: input.slug,
      name: input.name,
      description: input.description ?? '',
      created_by: actor.userId,
    })
    .onConflict((oc) => oc.column('slug').doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!inserted) return refuse('slug_taken', `an initiative is called ${input.slug} already`)
  const row = await findInitiative(db, inserted.id)
  if (!row) throw new Error('an initiative vanished inside its own transaction')
  return { ok: true, initiative: toInitiative(row, actor) }
}

export const initiativesListMax = 200

/** Every initiative, by slug (there are a handful per city, never thousands). */
export async function listInitiatives(db: Kysely<DB>, viewer: Viewer = null): Promise<Initiative[]> {
  const rows = await selectInitiatives(db).orderBy('i.slug').limit(initiativesListMax).execute()
  return rows.map((row) => toInitiative(row, viewer))
}

export async function getInitiative(
  db: Kysely<DB>,
  ref: string,
  viewer: Viewer = null,
): Promise<Initiative | undefined> {
  const row = await findInitiative(db, ref)
  return row ? toInitiative(row, viewer) : undefined
}

/** Puts a thing in an initiative (idempotent), or takes it out. */
export async function setInitiativeMembership(
  db: Kysely<DB>,
  actor: Actor,
  ref: string,
  entityId: string,
  member: boolean,
): Promise<CommunityOutcome<{ initiative: Initiative }>> {
  if (!mayCurate(actor)) return refuse('forbidden', 'initiatives are curated by moderators and admins')
  const initiative = await findInitiative(db, ref)
  if (!initiative) return refuse('not_found', `no initiative ${ref}`)
  if (member) {
    if (!(await readEntity(db, actor, entityId))) return refuse('not_found', `no entity ${entityId}`)
    await db
      .insertInto('initiative_entities')
      .values({ initiative_id: initiative.id, entity_id: entityId, added_by: actor.userId })
      .onConflict((oc) => oc.columns(['initiative_id', 'entity_id']).doNothing())
      .execute()
  } else {
    await db
      .deleteFrom('initiative_entities')
      .where('initiative_id', '=', initiative.id)
      .where('entity_id', '=', entityId)
      .execute()
  }
  const updated = await findInitiative(db, initiative.id)
  if (!updated) throw new Error('an initiative vanished inside its own transaction')
  return { ok: true, initiative: toInitiative(updated, actor) }
}

/** An initiative as `viewer` reads it: whether they may curate it comes from the rule its writes apply. */
function toInitiative(
  row: {
    id: string
    slug: string
    name: string
    description: string
    created_at: Date
    entities_count: string
  },
  viewer: Viewer,
): Initiative {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    entitiesCount: Number(row.entities_count),
    createdAt: iso(row.created_at),
    canCurate: mayCurate(viewer),
  }
}
