import type {
  Pact,
  PactCreateBody,
  PactDocumentBody,
  PactList,
  PactListQuery,
  PactPatchBody,
  PactReportBody,
  PactTransitionBody,
  ProjectStatus,
} from '@quartiere/contracts'
import { type DB, isGroupManagerRole } from '@quartiere/db'
import { appendOutboxEvent } from '@quartiere/realtime'
import type { Kysely } from 'kysely'
import type { Actor } from '../actor'
import { decodeIdCursor, encodeIdCursor } from '../cursor'
import { createEntity } from '../entities.service'
import { checkProjectTransition } from '../entity-rules'
import { type EntityHeader, groupRoleOf, readEntity, type Viewer } from './access'
import { isoOrNull } from './keys'
import { notifyFollowers, notifyUsers } from './notifications.service'
import { type CommunityOutcome, refuse } from './outcome'
import {
  bumpPactVersion,
  countPactDocuments,
  findPactRow,
  insertPact,
  insertPactDocument,
  insertPactHistory,
  isPactSignatory,
  liveEntityIdsOfKind,
  managesSignatoryGroup,
  pactDocuments,
  pactHistory,
  pactListMax,
  pactSignatoryIds,
  pactSpaceIds,
  pactVersion,
  replacePactSignatories,
  replacePactSpaces,
  selectPactPage,
  setPactDuration,
  shareLiveMedia,
  signatoryManagerIds,
  userDisplayName,
  writePactStatus,
} from './pacts.repository'

/**
 * Patti di collaborazione, after Turin's regulation on the commons: a resident or a group proposes; the city's
 * admins open the co-design, and record the signing once the signatory groups have agreed; the signatory groups
 * start the activities, report on them, and the pact ends when concluded (or is rejected before signing).
 */
type Role = 'admin' | 'signatory' | 'proposer'
const transitionRoles: Partial<Record<`${ProjectStatus}>${ProjectStatus}`, readonly Role[]>> = {
  'proposal>co-design': ['admin'],
  'proposal>rejected': ['admin'],
  'co-design>rejected': ['admin'],
  'co-design>signed': ['admin'],
  'signed>active': ['admin', 'signatory'],
  'active>concluded': ['admin', 'signatory'],
}
/** Links and documents may change while the pact is being written; after the signing only admins change them. */
const openStatuses: readonly ProjectStatus[] = ['proposal', 'co-design']

async function readPact(
  db: Kysely<DB>,
  viewer: Viewer,
  id: string,
  lock = false,
): Promise<CommunityOutcome<{ entity: EntityHeader; status: ProjectStatus }>> {
  const entity = await readEntity(db, viewer, id, { lock })
  if (!entity) return refuse('not_found', `no entity ${id}`)
  if (entity.kind !== 'project' || entity.properties.projectType !== 'pact')
    return refuse('not_a_pact', `${id} is not a pact of collaboration (a project of type pact)`)
  return { ok: true, entity, status: entity.properties.status as ProjectStatus }
}

async function rolesOf(db: Kysely<DB>, actor: Actor, pact: EntityHeader): Promise<Set<Role>> {
  const roles = new Set<Role>()
  if (actor.role === 'admin') roles.add('admin')
  if (pact.authorId === actor.userId) roles.add('proposer')
  if (await managesSignatoryGroup(db, pact.id, actor.userId)) roles.add('signatory')
  const proposer = await findPactRow(db, pact.id)
  if (proposer?.proposer_group_id) {
    if (isGroupManagerRole(await groupRoleOf(db, proposer.proposer_group_id, actor.userId)))
      roles.add('proposer')
  }
  return roles
}

async function checkLinks(
  db: Kysely<DB>,
  spaces: readonly string[],
  groups: readonly string[],
): Promise<CommunityOutcome<Record<never, never>>> {
  for (const [ids, kind] of [
    [spaces, 'space'],
    [groups, 'group'],
  ] as const) {
    if (ids.length === 0) continue
    const found = await liveEntityIdsOfKind(db, ids, kind)
    const missing = ids.filter((id) => !found.has(id))
    if (missing.length) return refuse('invalid_link', `not a ${kind} on the map: ${missing.join(', ')}`)
  }
  return { ok: true }
}

async function replaceLinks(
  db: Kysely<DB>,
  pactId: string,
  spaces?: readonly string[],
  groups?: readonly string[],
) {
  if (spaces) await replacePactSpaces(db, pactId, spaces)
  if (groups) await replacePactSignatories(db, pactId, groups)
}

/** A resident, or the managers of a group on its behalf, propose a pact. */
export async function proposePact(
  db: Kysely<DB>,
  actor: Actor,
  input: PactCreateBody,
): Promise<CommunityOutcome<{ pact: Pact }>> {
  if (input.proposerGroupId) {
    if (!isGroupManagerRole(await groupRoleOf(db, input.proposerGroupId, actor.userId)))
      return refuse('forbidden', 'only the owners and managers of a group propose a pact on its behalf')
  }
  const spaces = input.spaces ?? []
  const groups = input.signatoryGroups ?? []
  const links = await checkLinks(
    db,
    spaces,
    input.proposerGroupId ? [...groups, input.proposerGroupId] : groups,
  )
  if (!links.ok) return links
  const created = await createEntity(db, actor, {
    kind: 'project',
    title: input.title,
    ...(input.description !== undefined ? { description: input.description } : {}),
    geometry: input.geometry,
    properties: {
      status: 'proposal',
      projectType: 'pact',
      ...(input.programme ? { programme: input.programme } : {}),
    },
  })
  if (!created.ok) return created
  const id = created.feature.id
  await insertPact(db, {
    entity_id: id,
    proposer_group_id: input.proposerGroupId ?? null,
    duration_months: input.durationMonths ?? null,
  })
  await replaceLinks(db, id, spaces, groups)
  // The first line of its history, the proposal, was written by createEntity as for every pact.
  return getPact(db, actor, id)
}

export async function getPact(
  db: Kysely<DB>,
  viewer: Viewer,
  id: string,
): Promise<CommunityOutcome<{ pact: Pact }>> {
  const found = await readPact(db, viewer, id)
  if (!found.ok) return found
  const { entity, status } = found
  const [version, row, proposer, spaces, signatoryGroups, documents, history] = await Promise.all([
    pactVersion(db, id),
    findPactRow(db, id),
    userDisplayName(db, entity.authorId),
    pactSpaceIds(db, id),
    pactSignatoryIds(db, id),
    pactDocuments(db, id),
    pactHistory(db, id),
  ])
  const roles = viewer ? await rolesOf(db, viewer, entity) : new Set<Role>()
  const nextSteps = (Object.keys(transitionRoles) as (keyof typeof transitionRoles)[])
    .filter((key) => key.startsWith(`${status}>`) && transitionRoles[key]?.some((r) => roles.has(r)))
    .map((key) => key.split('>')[1] as ProjectStatus)
  // The same predicates the writes apply, so that a screen offers exactly what the API then accepts.
  const editLinks = mayEditLinksAs(roles, status)
  const reportFor: string[] = []
  if (viewer) {
    for (const groupId of signatoryGroups)
      if (!(await reportRefusal(db, viewer, id, status, groupId))) reportFor.push(groupId)
  }
  return {
    ok: true,
    pact: {
      id,
      title: entity.title,
      status,
      version,
      proposer,
      proposerGroupId: row?.proposer_group_id ?? null,
      spaces,
      signatoryGroups,
      durationMonths: row?.duration_months ?? null,
      signedAt: isoOrNull(row?.signed_at ?? null),
      documents,
      history,
      nextSteps,
      can: { editLinks, addDocuments: editLinks, reportFor },
    },
  }
}

/** The pacts anyone may see, a page at a time in a stable order, optionally those at one step. */
export async function listPacts(
  db: Kysely<DB>,
  query: PactListQuery,
): Promise<CommunityOutcome<{ page: PactList }>> {
  const afterId = query.cursor === undefined ? undefined : decodeIdCursor(query.cursor)
  if (query.cursor !== undefined && afterId === undefined)
    return refuse('invalid_cursor', 'the cursor is not one this listing gave out')
  const limit = Math.min(query.limit ?? 20, pactListMax)
  const rows = await selectPactPage(db, {
    ...(query.status ? { status: query.status as ProjectStatus } : {}),
    ...(afterId ? { afterId } : {}),
    limit,
  })
  const items = rows.slice(0, limit).map((row) => ({
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.properties.status as ProjectStatus,
    proposer: { id: row.author_id, displayName: row.display_name },
  }))
  const last = items.at(-1)
  return {
    ok: true,
    page: { items, nextCursor: rows.length > limit && last ? encodeIdCursor(last.id) : null },
  }
}

/** Takes one step of the lifecycle, if the actor's role allows that step. */
export async function transitionPact(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  input: PactTransitionBody,
): Promise<CommunityOutcome<{ pact: Pact }>> {
  const found = await readPact(db, actor, id, true)
  if (!found.ok) return found
  const { entity, status } = found
  const to = input.to as ProjectStatus
  const invalid = checkProjectTransition(status, to)
  if (invalid || status === to)
    return invalid ?? refuse('invalid_status_transition', `the pact is ${status} already`)
  const allowed = transitionRoles[`${status}>${to}`] ?? []
  const roles = await rolesOf(db, actor, entity)
  if (!allowed.some((role) => roles.has(role))) {
    const who = allowed
      .map((r) => (r === 'admin' ? "the city's admins" : 'the signatory groups'))
      .join(' or ')
    return refuse('forbidden', `a pact goes from ${status} to ${to} by ${who}`)
  }
  if (to === 'signed') {
    if ((await pactSignatoryIds(db, id)).length === 0)
      return refuse('invalid_link', 'a pact is signed by at least one group: add its signatory groups first')
  }
  const featureJson = await writePactStatus(db, id, to)
  await insertPactHistory(db, {
    pact_id: id,
    type: 'transition',
    from_status: status,
    to_status: to,
    actor_id: actor.userId,
    note: input.note ?? '',
  })
  await appendOutboxEvent(db, {
    topic: 'entity.updated',
    entityId: id,
    bbox: entity.bbox,
    payload: JSON.parse(featureJson) as unknown,
  })
  await notifyFollowers(
    db,
    [id],
    { topic: 'pact.transitioned', entityId: id, payload: { title: entity.title, from: status, to } },
    { except: actor.userId, also: [entity.authorId, ...(await signatoryManagerIds(db, id))] },
  )
  return getPact(db, actor, id)
}

/** A signatory group reports on the activities, while the pact is signed or active. */
export async function reportPactActivity(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  input: PactReportBody,
): Promise<CommunityOutcome<{ pact: Pact }>> {
  const found = await readPact(db, actor, id)
  if (!found.ok) return found
  const refused = await reportRefusal(db, actor, id, found.status, input.groupId)
  if (refused) return refused
  await insertPactHistory(db, {
    pact_id: id,
    type: 'report',
    actor_id: actor.userId,
    group_id: input.groupId,
    note: input.note,
  })
  await notifyFollowers(
    db,
    [id],
    { topic: 'pact.reported', entityId: id, payload: { title: found.entity.title, groupId: input.groupId } },
    { except: actor.userId },
  )
  return getPact(db, actor, id)
}

/** Why this actor may not report for this group on a pact at this status; undefined when they may. */
async function reportRefusal(
  db: Kysely<DB>,
  actor: Actor,
  pactId: string,
  status: ProjectStatus,
  groupId: string,
) {
  if (status !== 'signed' && status !== 'active')
    return refuse(
      'invalid_status_transition',
      `activity is reported on a signed or active pact, not a ${status} one`,
    )
  if (!(await isPactSignatory(db, pactId, groupId)))
    return refuse('invalid_link', `${groupId} is not a signatory group of this pact`)
  if (!(await groupRoleOf(db, groupId, actor.userId)))
    return refuse('forbidden', 'only members of a signatory group report its activity')
  return undefined
}

function mayEditLinksAs(roles: ReadonlySet<Role>, status: ProjectStatus) {
  return roles.has('admin') || (roles.has('proposer') && openStatuses.includes(status))
}

async function mayEditLinks(db: Kysely<DB>, actor: Actor, entity: EntityHeader, status: ProjectStatus) {
  return mayEditLinksAs(await rolesOf(db, actor, entity), status)
}

/**
 * Changes the spaces, signatory groups or duration: the proposer while it is written, admins always. With
 * `expectedVersion` (the If-Match of the route) a change made meanwhile by someone else is refused rather than
 * overwritten; each change makes a new version of the pact.
 */
export async function updatePactLinks(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  input: PactPatchBody,
  expectedVersion?: number,
): Promise<CommunityOutcome<{ pact: Pact }>> {
  const found = await readPact(db, actor, id, true)
  if (!found.ok) return found
  if (!(await mayEditLinks(db, actor, found.entity, found.status)))
    return refuse(
      'forbidden',
      "a pact's links change by its proposer until it is signed, and by the city's admins",
    )
  if (expectedVersion !== undefined) {
    const currentVersion = await pactVersion(db, id)
    if (currentVersion !== expectedVersion)
      return refuse('version_mismatch', `the pact is at version ${currentVersion}, not ${expectedVersion}`, {
        currentVersion,
      })
  }
  const links = await checkLinks(db, input.spaces ?? [], input.signatoryGroups ?? [])
  if (!links.ok) return links
  await replaceLinks(db, id, input.spaces, input.signatoryGroups)
  if (input.durationMonths !== undefined) await setPactDuration(db, id, input.durationMonths ?? null)
  const featureJson = await bumpPactVersion(db, id)
  await appendOutboxEvent(db, {
    topic: 'entity.updated',
    entityId: id,
    bbox: found.entity.bbox,
    payload: JSON.parse(featureJson) as unknown,
  })
  return getPact(db, actor, id)
}

export const pactDocumentsMax = 100

export async function addPactDocument(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  input: PactDocumentBody,
): Promise<CommunityOutcome<{ pact: Pact }>> {
  const found = await readPact(db, actor, id, true)
  if (!found.ok) return found
  if (!(await mayEditLinks(db, actor, found.entity, found.status)))
    return refuse(
      'forbidden',
      'documents are added by the proposer until the signing, and by the city’s admins',
    )
  if (!input.url && !input.mediaId) return refuse('invalid_query', 'a document needs a url or a mediaId')
  if (input.mediaId) {
    // Held until the document is written: an image being deleted is waited for, then refused.
    if (!(await shareLiveMedia(db, input.mediaId)))
      return refuse('invalid_media', `no image ${input.mediaId}`)
  }
  if ((await countPactDocuments(db, id)) >= pactDocumentsMax)
    return refuse('invalid_query', `a pact holds at most ${pactDocumentsMax} documents`)
  await insertPactDocument(db, {
    pact_id: id,
    title: input.title,
    url: input.url ?? null,
    media_id: input.mediaId ?? null,
    added_by: actor.userId,
  })
  await notifyUsers(
    db,
    [found.entity.authorId],
    { topic: 'pact.document_added', entityId: id, payload: { title: input.title } },
    { except: actor.userId },
  )
  return getPact(db, actor, id)
}
