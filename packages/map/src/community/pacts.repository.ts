import type { Pact, ProjectStatus } from '@quartiere/contracts'
import {
  type DB,
  groupManagerIds,
  groupManagerRoles,
  incremented,
  now,
  type PactDocumentsTable,
  type PactHistoryTable,
  type PactsTable,
} from '@quartiere/db'
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely'
import { iso } from './keys'

/**
 * The SQL of pacts of collaboration: their row, linked spaces and signatory groups, documents and history.
 * Simple reads and writes in the caller's transaction; who may do what, and which status follows which, are
 * pacts.service.ts's.
 */

export type PactRow = Selectable<PactsTable>

export async function findPactRow(db: Kysely<DB>, pactId: string): Promise<PactRow | undefined> {
  return db.selectFrom('pacts').selectAll().where('entity_id', '=', pactId).executeTakeFirst()
}

/** Writes the pact's row, or fills in the one its creation wrote (every pact gets one when it is created). */
export async function insertPact(db: Kysely<DB>, values: Insertable<PactsTable>): Promise<void> {
  const { entity_id: _id, ...rest } = values
  await db
    .insertInto('pacts')
    .values(values)
    .onConflict((oc) =>
      Object.keys(rest).length
        ? oc.column('entity_id').doUpdateSet(rest)
        : oc.column('entity_id').doNothing(),
    )
    .execute()
}

export const pactListMax = 100

/** A page of live, visible pacts, in id order, optionally at one status. */
export async function selectPactPage(
  db: Kysely<DB>,
  options: { status?: ProjectStatus; afterId?: string; limit: number },
) {
  let query = db
    .selectFrom('entities as e')
    .innerJoin('users as u', 'u.id', 'e.author_id')
    .select(['e.id', 'e.title', 'e.description', 'e.properties', 'e.author_id', 'u.display_name'])
    .where('e.kind', '=', 'project')
    .where(sql<boolean>`e.properties->>'projectType' = 'pact'`)
    .where('e.deleted_at', 'is', null)
    .where('e.hidden_at', 'is', null)
  if (options.status) query = query.where(sql<boolean>`e.properties->>'status' = ${options.status}`)
  if (options.afterId) query = query.where('e.id', '>', options.afterId)
  return query
    .orderBy('e.id')
    .limit(Math.min(options.limit, pactListMax) + 1)
    .execute()
}

/** Whether the user manages one of the pact's signatory groups. */
export async function managesSignatoryGroup(
  db: Kysely<DB>,
  pactId: string,
  userId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('pact_signatories as s')
    .innerJoin('group_members as m', 'm.group_id', 's.group_id')
    .select('s.group_id')
    .where('s.pact_id', '=', pactId)
    .where('m.user_id', '=', userId)
    .where('m.role', 'in', groupManagerRoles)
    .executeTakeFirst()
  return row !== undefined
}

/** The owners and managers of the pact's signatory groups. */
export async function signatoryManagerIds(db: Kysely<DB>, pactId: string): Promise<string[]> {
  return groupManagerIds(db, await pactSignatoryIds(db, pactId))
}

/** Which of these ids are live entities of this kind. */
export async function liveEntityIdsOfKind(
  db: Kysely<DB>,
  ids: readonly string[],
  kind: 'space' | 'group',
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('entities')
    .select('id')
    .where('id', 'in', ids)
    .where('kind', '=', kind)
    .where('deleted_at', 'is', null)
    .execute()
  return new Set(rows.map((row) => row.id))
}

export async function replacePactSpaces(db: Kysely<DB>, pactId: string, spaces: readonly string[]) {
  await db.deleteFrom('pact_spaces').where('pact_id', '=', pactId).execute()
  if (spaces.length)
    await db
      .insertInto('pact_spaces')
      .values(spaces.map((space_id) => ({ pact_id: pactId, space_id })))
      .execute()
}

export async function replacePactSignatories(db: Kysely<DB>, pactId: string, groups: readonly string[]) {
  await db.deleteFrom('pact_signatories').where('pact_id', '=', pactId).execute()
  if (groups.length)
    await db
      .insertInto('pact_signatories')
      .values(groups.map((group_id) => ({ pact_id: pactId, group_id })))
      .execute()
}

export async function pactSpaceIds(db: Kysely<DB>, pactId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('pact_spaces')
    .select('space_id')
    .where('pact_id', '=', pactId)
    .orderBy('space_id')
    .execute()
  return rows.map((row) => row.space_id)
}

export async function pactSignatoryIds(db: Kysely<DB>, pactId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('pact_signatories')
    .select('group_id')
    .where('pact_id', '=', pactId)
    .orderBy('group_id')
    .execute()
  return rows.map((row) => row.group_id)
}

export async function isPactSignatory(db: Kysely<DB>, pactId: string, groupId: string): Promise<boolean> {
  const row = await db
    .selectFrom('pact_signatories')
    .select('group_id')
    .where('pact_id', '=', pactId)
    .where('group_id', '=', groupId)
    .executeTakeFirst()
  return row !== undefined
}

export async function userDisplayName(
  db: Kysely<DB>,
  userId: string,
): Promise<{ id: string; displayName: string }> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow()
  return { id: row.id, displayName: row.display_name }
}

/** Maps a `pact_documents` row to the domain type. */
export function toPactDocument(row: Selectable<PactDocumentsTable>): Pact['documents'][number] {
  return {
    id: row.id,
    title: row.title,
    url: row.url,
    mediaId: row.media_id,
    addedBy: row.added_by,
    createdAt: iso(row.created_at),
  }
}

export async function pactDocuments(db: Kysely<DB>, pactId: string): Promise<Pact['documents']> {
  const rows = await db
    .selectFrom('pact_documents')
    .selectAll()
    .where('pact_id', '=', pactId)
    .orderBy('created_at')
    .execute()
  return rows.map(toPactDocument)
}

export async function countPactDocuments(db: Kysely<DB>, pactId: string): Promise<number> {
  const count = await db
    .selectFrom('pact_documents')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('pact_id', '=', pactId)
    .executeTakeFirstOrThrow()
  return Number(count.n)
}

export async function insertPactDocument(
  db: Kysely<DB>,
  values: Insertable<PactDocumentsTable>,
): Promise<void> {
  await db.insertInto('pact_documents').values(values).execute()
}

/**
 * Whether the image exists and is not deleted, holding it (FOR SHARE) until the caller's transaction ends: an
 * image being deleted is waited for, then refused.
 */
export async function shareLiveMedia(db: Kysely<DB>, mediaId: string): Promise<boolean> {
  const media = await db
    .selectFrom('media')
    .select('id')
    .where('id', '=', mediaId)
    .where('deleted_at', 'is', null)
    .forShare()
    .executeTakeFirst()
  return media !== undefined
}

/** Maps a `pact_history` row, with its actor's name, to the domain type. */
export function toPactHistoryEntry(
  row: Selectable<PactHistoryTable> & { display_name: string },
): Pact['history'][number] {
  return {
    id: row.id,
    type: row.type,
    from: row.from_status,
    to: row.to_status,
    actor: { id: row.actor_id, displayName: row.display_name },
    groupId: row.group_id,
    note: row.note,
    at: iso(row.created_at),
  }
}

export async function pactHistory(db: Kysely<DB>, pactId: string): Promise<Pact['history']> {
  const rows = await db
    .selectFrom('pact_history as h')
    .innerJoin('users as u', 'u.id', 'h.actor_id')
    .selectAll('h')
    .select('u.display_name')
    .where('h.pact_id', '=', pactId)
    .orderBy('h.created_at')
    .orderBy('h.id')
    .execute()
  return rows.map(toPactHistoryEntry)
}

export async function insertPactHistory(db: Kysely<DB>, values: Insertable<PactHistoryTable>): Promise<void> {
  await db.insertInto('pact_history').values(values).execute()
}

/**
 * Writes the pact's new status into its entity (a new version) and, on signing, the time it was signed.
 * Returns the entity's feature as the map serves it. Only the service's transition, after its rules, calls this.
 */
export async function writePactStatus(db: Kysely<DB>, pactId: string, to: ProjectStatus): Promise<string> {
  const updated = await db
    .updateTable('entities')
    .set({
      properties: sql<string>`jsonb_set(properties, '{status}', to_jsonb(${to}::text))`,
      version: incremented('version'),
      updated_at: now(),
    })
    .where('id', '=', pactId)
    .returning('feature_json')
    .executeTakeFirstOrThrow()
  await db
    .insertInto('pacts')
    .values({ entity_id: pactId, signed_at: to === 'signed' ? now() : null })
    .onConflict((oc) =>
      oc.column('entity_id').doUpdateSet(to === 'signed' ? { signed_at: now() } : { entity_id: pactId }),
    )
    .execute()
  return updated.feature_json
}

export async function setPactDuration(db: Kysely<DB>, pactId: string, months: number | null): Promise<void> {
  await db
    .insertInto('pacts')
    .values({ entity_id: pactId, duration_months: months })
    .onConflict((oc) => oc.column('entity_id').doUpdateSet({ duration_months: months }))
    .execute()
}

/** The version of the pact's thing (its ETag). */
export async function pactVersion(db: Kysely<DB>, pactId: string): Promise<number> {
  const row = await db
    .selectFrom('entities')
    .select('version')
    .where('id', '=', pactId)
    .executeTakeFirstOrThrow()
  return row.version
}

/** A new version of the pact's thing after its links changed; returns its feature as the map serves it. */
export async function bumpPactVersion(db: Kysely<DB>, pactId: string): Promise<string> {
  const updated = await db
    .updateTable('entities')
    .set({ version: incremented('version'), updated_at: now() })
    .where('id', '=', pactId)
    .returning('feature_json')
    .executeTakeFirstOrThrow()
  return updated.feature_json
}
