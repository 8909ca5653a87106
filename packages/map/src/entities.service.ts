import type {
  EntitiesQuery,
  EntityCreateBody,
  EntityFeature,
  EntityKind,
  EntityPatchBody,
  ProjectStatus,
} from '@quartiere/contracts'
import { entitiesPageSizeDefault, entityKinds, pactInitialStatus } from '@quartiere/contracts'
import { type DB, type EntitiesTable, incremented, now } from '@quartiere/db'
import {
  type Bbox,
  type Geometry,
  geometryBbox,
  parseBbox,
  parseTimeWindow,
  validateGeometry,
} from '@quartiere/geo'
import { appendOutboxEvent, type OutboxMatchState } from '@quartiere/realtime'
import { type Kysely, sql, type Updateable } from 'kysely'
import { type Actor, isModeratorOrAdmin } from './actor'
import { maySeeHidden } from './community/access'
import { entityCapabilities, hiddenReasons } from './community/capabilities'
import { decodeTimeKey, encodeTimeKey } from './community/keys'
import { notifyFollowers } from './community/notifications.service'
import { insertPact, insertPactHistory } from './community/pacts.repository'
import { mayEditEntity, parentRefusal } from './community/permissions'
import { decodeIdCursor, encodeIdCursor } from './cursor'
import {
  type EntityFilters,
  entityExists,
  geometryInvalidReason,
  insertEntityWithAuthorSubscription,
  type LockedEntity,
  lockEntity,
  selectFeatureJson,
  selectFeaturePage,
  wouldCreateCycle,
} from './entities.repository'
import { checkKindProperties, defaultZoomLevelByKind, normalizeLabels } from './entity-rules'
import { entityMatchState } from './outbox'
import { failure, type MapFailure, type MapOutcome } from './outcome'
import { checkProjectTransition, isPact, newPactProperties, pactMayBeDeletedBy } from './project-lifecycle'

/** The largest bbox a map query may ask for, in square degrees (about 20 × 20 degrees). */
export const bboxAreaDeg2Max = 400
/** Comma-separated filter lists are capped so a query stays cheap to plan. */
export const filterValuesMax = 20

export type EntityResult = MapOutcome<{ feature: EntityFeature; version: number }>

/**
 * Puts a new thing on the map. The geometry is checked by shape first (packages/geo), then by PostGIS for
 * what only a geometry engine knows (self-intersections); the kind's properties by its schema.
 */
export async function createEntity(
  db: Kysely<DB>,
  actor: Actor,
  input: EntityCreateBody,
): Promise<EntityResult> {
  const geometry = validateGeometry(input.geometry)
  if (!geometry.ok) return geometryFailure(geometry)
  // Every route that creates a thing comes through here (the map, pacts, campaigns, the demo data): a pact is
  // born a proposal on all of them.
  const lifecycle = input.kind === 'project' ? newPactProperties(input.properties ?? {}) : undefined
  if (lifecycle && !lifecycle.ok) return lifecycle
  const properties = checkKindProperties(input.kind, lifecycle?.value ?? input.properties ?? {})
  if (!properties.ok) return properties
  const window = defaultEventWindow(input.kind, properties.value, input.validFrom, input.validTo)
  const windowCheck = checkWindow(window.validFrom, window.validTo)
  if (windowCheck) return windowCheck
  const geojson = JSON.stringify(geometry.value)
  const invalid = await checkGeometryInDatabase(db, geometry.value, geojson)
  if (invalid) return invalid
  if (input.parentId && !(await entityExists(db, input.parentId))) {
    return failure('parent_not_found', `the parent ${input.parentId} does not exist or was deleted`)
  }
  if (input.parentId) {
    const refused = await parentRefusal(db, actor, input.parentId)
    if (refused) return failure('forbidden', refused)
  }

  const inserted = await insertEntityWithAuthorSubscription(db, {
    kind: input.kind,
    title: input.title.trim() || input.title,
    description: input.description ?? '',
    geom: sql`ST_GeomFromGeoJSON(${geojson})`,
    valid_from: window.validFrom ?? null,
    valid_to: window.validTo ?? null,
    zoom_level: input.zoomLevel ?? defaultZoomLevelByKind[input.kind],
    parent_id: input.parentId ?? null,
    categories: normalizeLabels(input.categories, false),
    tags: normalizeLabels(input.tags, true),
    properties: JSON.stringify(properties.value),
    author_id: actor.userId,
    location_private: input.locationPrivate ?? false,
  })
  if (input.kind === 'project' && isPact(properties.value)) {
    // A pact is a pact whichever route made it: its row and the first line of its history, as POST /api/pacts
    // writes them, so that its page, its steps and its timeline start from the same place.
    await insertPact(db, { entity_id: inserted.id })
    await insertPactHistory(db, {
      pact_id: inserted.id,
      type: 'transition',
      from_status: null,
      to_status: pactInitialStatus,
      actor_id: actor.userId,
    })
  }
  if (input.kind === 'group') {
    await db
      .insertInto('group_members')
      .values({ group_id: inserted.id, user_id: actor.userId, role: 'owner' })
      .execute()
  }
  const created = await publishRow(db, inserted, 'entity.created', actor)
  if (created.ok && input.parentId) {
    // Followers of a group (or a space) hear of the things put in it.
    await notifyFollowers(
      db,
      [input.parentId],
      {
        topic: 'entity.created',
        entityId: inserted.id,
        payload: { kind: input.kind, title: created.feature.properties.title, parentId: input.parentId },
      },
      { except: actor.userId },
    )
  }
  return created
}

/**
 * One thing as `viewer` may see it. A thing hidden by moderation is served only to its author and to
 * moderators, marked `hidden`; for anyone else (and when no viewer is given) it does not exist. A private
 * location is served exactly to its author alone: moderators and admins too get the blurred point, as nothing
 * they do needs the exact one. A signed-in viewer also gets `can`, what they may do with it, and the author of a
 * hidden thing (or a moderator) `hiddenReason`, why a moderator hid it.
 */
export async function getEntity(
  db: Kysely<DB>,
  id: string,
  viewer: Actor | null = null,
): Promise<{ feature: EntityFeature; version: number } | undefined> {
  const row = await selectFeatureJson(db, id)
  if (!row) return undefined
  if (row.hidden_at && !maySeeHidden(viewer, row.author_id)) return undefined
  const feature = featureSeenBy(row, viewer)
  // Only its author and moderators get here for a hidden thing: they are told why it was hidden.
  if (row.hidden_at) {
    const reason = (await hiddenReasons(db, 'entity', [id])).get(id)
    if (reason !== undefined) feature.properties.hiddenReason = reason
  }
  // What this reader may do with it, from the rules updateEntity, deleteEntity and the media upload enforce.
  const can = await entityCapabilities(db, viewer, { id, authorId: row.author_id })
  if (can) feature.can = can
  return { feature, version: row.version }
}

type FeatureRow = NonNullable<Awaited<ReturnType<typeof selectFeatureJson>>>

/** The stored (public) Feature, with the exact geometry put back for the author of a private location. */
function featureSeenBy(row: FeatureRow, viewer: Actor | null): EntityFeature {
  const feature = JSON.parse(row.feature) as EntityFeature
  if (row.exact_geometry !== null && viewer?.userId === row.author_id) {
    feature.geometry = JSON.parse(row.exact_geometry) as EntityFeature['geometry']
  }
  if (row.hidden_at) feature.properties.hidden = true
  return feature
}

/**
 * Changes a thing, if `expectedVersion` is still its version (optimistic concurrency: two people editing the
 * same thing cannot silently overwrite each other). The author, a manager of the group it belongs to, a
 * moderator or an admin may edit.
 */
export async function updateEntity(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  expectedVersion: number,
  patch: EntityPatchBody,
): Promise<EntityResult> {
  const stored = await lockEntity(db, id)
  if (!stored || stored.deleted_at || (stored.hidden_at && !maySeeHidden(actor, stored.author_id)))
    return failure('not_found', `no entity ${id}`)
  if (!(await mayEdit(db, actor, stored)))
    return failure(
      'forbidden',
      'only its author, a manager of its group, a moderator or an admin may change this',
    )
  if (stored.version !== expectedVersion) {
    return failure(
      'version_mismatch',
      `the entity is at version ${stored.version}, not ${expectedVersion}: reload it and apply your change again`,
      {
        currentVersion: stored.version,
      },
    )
  }
  const kind = stored.kind as EntityKind
  const changes: Updateable<EntitiesTable> = {}
  if (patch.locationPrivate !== undefined && patch.locationPrivate !== stored.location_private) {
    // Un-marking would show others the exact place: only the person whose place it is decides.
    if (actor.userId !== stored.author_id)
      return failure('forbidden', 'only its author may mark its location private, or public again')
    changes.location_private = patch.locationPrivate
  }

  if (patch.geometry !== undefined) {
    const geometry = validateGeometry(patch.geometry)
    if (!geometry.ok) return geometryFailure(geometry)
    const geojson = JSON.stringify(geometry.value)
    const invalid = await checkGeometryInDatabase(db, geometry.value, geojson)
    if (invalid) return invalid
    changes.geom = sql`ST_GeomFromGeoJSON(${geojson})`
  }
  let properties = stored.properties
  if (patch.properties !== undefined) {
    const checked = checkKindProperties(kind, patch.properties)
    if (!checked.ok) return checked
    if (
      kind === 'project' &&
      isPact(stored.properties) &&
      checked.value.status !== stored.properties.status
    ) {
      // A pact's steps are taken by the roles the city's rules give, through its own route.
      return failure(
        'forbidden',
        `a pact of collaboration changes status through POST /api/pacts/${id}/transitions, by the roles its rules give`,
      )
    }
    if (kind === 'project' && isPact(stored.properties) !== isPact(checked.value)) {
      return failure('forbidden', 'a project cannot become a pact of collaboration, nor stop being one')
    }
    if (kind === 'project') {
      const refused = checkProjectTransition(
        stored.properties.status as ProjectStatus,
        checked.value.status as ProjectStatus,
      )
      if (refused) return refused
    }
    properties = checked.value
    changes.properties = JSON.stringify(properties)
  }
  const validFrom = patch.validFrom !== undefined ? patch.validFrom : stored.valid_from
  const validTo = patch.validTo !== undefined ? patch.validTo : stored.valid_to
  const windowCheck = checkWindow(validFrom, validTo)
  if (windowCheck) return windowCheck
  if (patch.validFrom !== undefined) changes.valid_from = patch.validFrom
  if (patch.validTo !== undefined) changes.valid_to = patch.validTo
  if (patch.parentId !== undefined) {
    if (patch.parentId !== null) {
      if (!(await entityExists(db, patch.parentId))) {
        return failure('parent_not_found', `the parent ${patch.parentId} does not exist or was deleted`)
      }
      if (await wouldCreateCycle(db, id, patch.parentId)) {
        return failure('parent_cycle', 'an entity cannot be inside itself or inside one of its own children')
      }
      if (patch.parentId !== stored.parent_id) {
        const refused = await parentRefusal(db, actor, patch.parentId)
        if (refused) return failure('forbidden', refused)
      }
    }
    changes.parent_id = patch.parentId
  }
  if (patch.title !== undefined) changes.title = patch.title.trim() || patch.title
  if (patch.description !== undefined) changes.description = patch.description
  if (patch.zoomLevel !== undefined) changes.zoom_level = patch.zoomLevel
  if (patch.categories !== undefined) changes.categories = normalizeLabels(patch.categories, false)
  if (patch.tags !== undefined) changes.tags = normalizeLabels(patch.tags, true)

  // Where it was before, so that a viewport it leaves still hears of the change (realtime feed).
  const previous = await entityMatchState(db, id)
  await db
    .updateTable('entities')
    .set({ ...changes, version: incremented('version'), updated_at: now() })
    .where('id', '=', id)
    .execute()
  const updated = await publishChange(db, id, 'entity.updated', actor, previous)
  if (updated.ok) {
    await notifyFollowers(
      db,
      [id],
      {
        topic: 'entity.updated',
        entityId: id,
        payload: { kind, title: updated.feature.properties.title, version: updated.version },
      },
      { except: actor.userId },
    )
  }
  return updated
}

/** Soft-deletes a thing: it leaves the map and every list, and its history stays for the books. */
export async function deleteEntity(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  expectedVersion?: number,
): Promise<MapOutcome<Record<never, never>>> {
  const stored = await lockEntity(db, id)
  if (!stored || stored.deleted_at || (stored.hidden_at && !maySeeHidden(actor, stored.author_id)))
    return failure('not_found', `no entity ${id}`)
  if (!(await mayEdit(db, actor, stored)))
    return failure(
      'forbidden',
      'only its author, a manager of its group, a moderator or an admin may delete this',
    )
  if (stored.kind === 'project' && isPact(stored.properties) && !pactMayBeDeletedBy(actor, stored.properties))
    return failure(
      'forbidden',
      'a pact of collaboration that has been signed is part of the city’s record: only an admin may delete it',
    )
  if (expectedVersion !== undefined && stored.version !== expectedVersion) {
    return failure('version_mismatch', `the entity is at version ${stored.version}, not ${expectedVersion}`, {
      currentVersion: stored.version,
    })
  }
  const row = await db
    .updateTable('entities')
    .set({ deleted_at: now(), version: incremented('version') })
    .where('id', '=', id)
    .returning([
      // Where others saw it: a private location's exact box must not reach the feed.
      sql<string>`ST_XMin(public_geom) || ',' || ST_YMin(public_geom) || ','
        || ST_XMax(public_geom) || ',' || ST_YMax(public_geom)`.as('box'),
      'title',
    ])
    .executeTakeFirstOrThrow()
  const box = row.box.split(',').map(Number) as Bbox
  await appendOutboxEvent(db, {
    topic: 'entity.deleted',
    entityId: id,
    bbox: box,
    payload: { id },
    previous: {
      bbox: box,
      kind: stored.kind,
      validFrom: stored.valid_from ? new Date(stored.valid_from).toISOString() : null,
      validTo: stored.valid_to ? new Date(stored.valid_to).toISOString() : null,
    },
  })
  // Its followers hear that it is gone, as they heard of its changes; not of a thing moderation had hidden from
  // them already.
  if (!stored.hidden_at)
    await notifyFollowers(
      db,
      [id],
      { topic: 'entity.deleted', entityId: id, payload: { kind: stored.kind, title: row.title } },
      { except: actor.userId },
    )
  return { ok: true }
}

export interface EntityPage {
  /** Each feature as JSON text, exactly as the database built it. */
  featuresJson: string[]
  nextCursor: string | null
}

/** Parses the map query's text parameters into filters, or says which one is wrong. */
export function parseEntitiesQuery(query: EntitiesQuery): { ok: true; filters: EntityFilters } | MapFailure {
  const filters: EntityFilters = {}
  if (query.bbox !== undefined) {
    const bbox = parseBbox(query.bbox, { areaDeg2Max: bboxAreaDeg2Max })
    if (!bbox.ok)
      return failure(
        bbox.code === 'bbox_too_large' ? 'bbox_too_large' : 'invalid_query',
        `bbox: ${bbox.message}`,
      )
    filters.bbox = bbox.value
  }
  if (query.kinds !== undefined) {
    const kinds = splitList(query.kinds)
    const unknown = kinds.filter((k) => !(entityKinds as readonly string[]).includes(k))
    if (unknown.length)
      return failure(
        'invalid_query',
        `kinds: unknown kind ${unknown.join(', ')}; use ${entityKinds.join(', ')}`,
      )
    if (kinds.length) filters.kinds = kinds
  }
  if (query.from !== undefined || query.to !== undefined) {
    const window = parseTimeWindow(query.from, query.to)
    if (!window.ok) return failure('invalid_time_window', window.message)
    filters.from = window.value.from
    filters.to = window.value.to
  }
  for (const [name, value] of [
    ['categories', query.categories],
    ['tags', query.tags],
  ] as const) {
    if (value === undefined) continue
    const list = splitList(value)
    if (list.length > filterValuesMax)
      return failure('invalid_query', `${name}: at most ${filterValuesMax} values`)
    if (list.length) filters[name] = name === 'tags' ? list.map((t) => t.toLowerCase()) : list
  }
  if (query.q?.trim()) filters.q = query.q.trim()
  if (query.parent !== undefined) filters.parentId = query.parent
  if (query.author !== undefined) filters.authorId = query.author
  if (query.zoom !== undefined) filters.zoom = query.zoom
  if (query.initiative !== undefined) filters.initiative = query.initiative
  if (query.sort === 'activity') filters.sort = 'activity'
  if (query.cursor !== undefined) {
    if (filters.sort === 'activity') {
      const key = decodeTimeKey(query.cursor)
      if (!key)
        return failure('invalid_cursor', 'the cursor is not one this API gave out; start again without it')
      filters.afterActivity = { at: key.at, id: key.id }
    } else {
      const afterId = decodeIdCursor(query.cursor)
      if (!afterId)
        return failure('invalid_cursor', 'the cursor is not one this API gave out; start again without it')
      filters.afterId = afterId
    }
  }
  return { ok: true, filters }
}

/** One page of the map query, in a stable order, with the cursor of the next page when there is one. */
export async function listEntities(
  db: Kysely<DB>,
  filters: EntityFilters,
  limit = entitiesPageSizeDefault,
  viewer: Actor | null = null,
): Promise<EntityPage> {
  const rows = await selectFeaturePage(db, viewer ? { ...filters, viewerId: viewer.userId } : filters, limit)
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  let nextCursor: string | null = null
  if (rows.length > limit && last) {
    nextCursor =
      filters.sort === 'activity' && last.activity_key
        ? encodeTimeKey({ at: last.activity_key, id: last.id })
        : encodeIdCursor(last.id)
  }
  return {
    // The author's own hidden things (the only hidden ones a page can hold) are marked so.
    featuresJson: page.map((row) => (row.hidden ? markHidden(row.feature) : row.feature)),
    nextCursor,
  }
}

function markHidden(featureJson: string): string {
  const feature = JSON.parse(featureJson) as EntityFeature
  feature.properties.hidden = true
  return JSON.stringify(feature)
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
}

/** The author, a moderator or an admin, or a manager of the group the thing is (or sits in). */
async function mayEdit(db: Kysely<DB>, actor: Actor, stored: LockedEntity): Promise<boolean> {
  if (isModeratorOrAdmin(actor)) return true
  return mayEditEntity(db, actor, { id: stored.id, authorId: stored.author_id })
}

/**
 * Records the change for the realtime feed and answers the writer. The feed gets the public Feature, and the
 * bbox of its geometry (which viewports match on), for everyone: a private location goes out blurred, to its
 * author's own live clients too, since one event serves every subscriber. The writer's answer is the thing as
 * they may see it.
 */
async function publishChange(
  db: Kysely<DB>,
  id: string,
  topic: string,
  actor: Actor,
  previous?: OutboxMatchState,
): Promise<EntityResult> {
  const row = await selectFeatureJson(db, id)
  if (!row) throw new Error(`entity ${id} vanished inside its own transaction`)
  return publishRow(db, { ...row, id }, topic, actor, previous)
}

/** Records the event of a change whose row the write read back already. */
async function publishRow(
  db: Kysely<DB>,
  row: FeatureRow & { id: string },
  topic: string,
  actor: Actor,
  previous?: OutboxMatchState,
): Promise<EntityResult> {
  const { id } = row
  const published = JSON.parse(row.feature) as EntityFeature
  await appendOutboxEvent(db, {
    topic,
    entityId: id,
    bbox: geometryBbox(published.geometry as Geometry),
    payload: published,
    ...(previous ? { previous } : {}),
  })
  return { ok: true, feature: featureSeenBy(row, actor), version: row.version }
}

function geometryFailure(result: {
  code: 'invalid_geometry' | 'geometry_too_large'
  message: string
  path: string
}) {
  return failure(result.code, `geometry: ${result.message}`, { path: `/geometry${result.path}` })
}

/** Points that passed the shape check are always valid; anything else is asked of PostGIS. */
async function checkGeometryInDatabase(db: Kysely<DB>, geometry: Geometry, geojson: string) {
  if (geometry.type === 'Point' || geometry.type === 'MultiPoint') return undefined
  const reason = await geometryInvalidReason(db, geojson)
  return reason ? failure('invalid_geometry', `geometry: ${reason}`, { path: '/geometry' }) : undefined
}

/** Events take their time window from their start and end unless the author gives one. */
function defaultEventWindow(
  kind: EntityKind,
  properties: Record<string, unknown>,
  validFrom: string | null | undefined,
  validTo: string | null | undefined,
) {
  if (kind !== 'event') return { validFrom, validTo }
  return {
    validFrom: validFrom === undefined ? (properties.startsAt as string) : validFrom,
    validTo: validTo === undefined ? (properties.endsAt as string) : validTo,
  }
}

function checkWindow(validFrom: string | Date | null | undefined, validTo: string | Date | null | undefined) {
  if (validFrom && validTo && new Date(validFrom).getTime() > new Date(validTo).getTime()) {
    return failure('invalid_time_window', 'validFrom must not be after validTo')
  }
  return undefined
}
