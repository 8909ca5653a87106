import { type EntityCreateBody, type ProjectStatus, pactInitialStatus } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { Actor } from '../actor'
import { transitionPact } from '../community/pacts.service'
import { createEntity } from '../entities.service'
import { isPact, projectStatusPath } from '../project-lifecycle'
import type { SeedEntity } from './seed-types'
import { turinSeedEntities, turinSeedUsers } from './turin-data'

/**
 * Demo accounts cannot log in: their password hash is not a hash. People register their own accounts; the
 * demo accounts only author the demo things.
 */
export const disabledPasswordHash = '!demo-account-no-login'

export type DemoLoadResult =
  | { loaded: false; reason: 'map_not_empty' }
  | { loaded: true; users: number; entities: number }

/**
 * Loads the Turin demo data set when the map is empty, through the same domain functions as the API, so every
 * demo thing passes the checks a resident's would. One transaction: it loads whole or not at all.
 */
export async function loadDemoData(db: Kysely<DB>): Promise<DemoLoadResult> {
  return db.transaction().execute(async (trx) => {
    // Two instances starting on one empty PostgreSQL database must not both load it.
    await sql`LOCK TABLE entities IN SHARE ROW EXCLUSIVE MODE`.execute(trx)
    const existing = await trx.selectFrom('entities').select('id').limit(1).executeTakeFirst()
    if (existing) return { loaded: false, reason: 'map_not_empty' } as const

    const userIds = new Map<string, { id: string; role: (typeof turinSeedUsers)[number]['role'] }>()
    for (const user of turinSeedUsers) {
      const row = await trx
        .insertInto('users')
        .values({
          email: user.email,
          display_name: user.displayName,
          password_hash: disabledPasswordHash,
          role: user.role,
        })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doUpdateSet({ display_name: user.displayName }))
        .returning('id')
        .executeTakeFirstOrThrow()
      userIds.set(user.key, { id: row.id, role: user.role })
    }

    const entityIds = new Map<string, string>()
    const pending = [...turinSeedEntities]
    // Parents first: each pass loads the entries whose parent is loaded already.
    while (pending.length) {
      const ready = pending.filter((e) => !e.parentKey || entityIds.has(e.parentKey))
      if (!ready.length)
        throw new Error(`demo data: unresolvable parents for ${pending.map((e) => e.key).join(', ')}`)
      for (const seed of ready) {
        pending.splice(pending.indexOf(seed), 1)
        const author = userIds.get(seed.authorKey)
        if (!author) throw new Error(`demo data: unknown author ${seed.authorKey} of ${seed.key}`)
        const input: EntityCreateBody = {
          kind: seed.kind,
          title: seed.title,
          description: seed.description,
          geometry: seed.geometry as EntityCreateBody['geometry'],
          ...(seed.validFrom ? { validFrom: seed.validFrom } : {}),
          ...(seed.validTo ? { validTo: seed.validTo } : {}),
          ...(seed.zoomLevel !== undefined ? { zoomLevel: seed.zoomLevel } : {}),
          ...(seed.categories ? { categories: seed.categories } : {}),
          ...(seed.tags ? { tags: seed.tags } : {}),
          ...(seed.parentKey ? { parentId: entityIds.get(seed.parentKey)! } : {}),
          // A pact is born a proposal, on the demo data too; walkPact takes it to its status below.
          properties: isPact(seed.properties)
            ? { ...seed.properties, status: pactInitialStatus }
            : seed.properties,
        }
        const outcome = await createEntity(trx, { userId: author.id, role: author.role }, input)
        if (!outcome.ok)
          throw new Error(`demo data: ${seed.key} was refused: ${outcome.code} ${outcome.message}`)
        entityIds.set(seed.key, outcome.feature.id)
      }
    }
    const city = [...userIds.values()].find((user) => user.role === 'admin')
    if (!city) throw new Error('demo data: no admin to take the pacts through their steps')
    for (const seed of turinSeedEntities) {
      if (seed.kind === 'project' && isPact(seed.properties))
        await walkPact(trx, { userId: city.id, role: city.role }, seed, entityIds)
    }
    return { loaded: true, users: userIds.size, entities: entityIds.size } as const
  })
}

/**
 * Takes a demo pact from proposal to its status in the data set through the pact's own transitions, by the
 * city's admin, after linking its signatory groups: the same rules and history as a pact made through the API.
 */
async function walkPact(
  trx: Transaction<DB>,
  city: Actor,
  seed: SeedEntity,
  entityIds: ReadonlyMap<string, string>,
): Promise<void> {
  const id = entityIds.get(seed.key)!
  const target = seed.properties.status as ProjectStatus
  const path = projectStatusPath(pactInitialStatus, target)
  if (!path) throw new Error(`demo data: no pact reaches ${target} from ${pactInitialStatus} (${seed.key})`)
  const groups = (seed.signatoryKeys ?? []).map((key) => {
    const groupId = entityIds.get(key)
    if (!groupId) throw new Error(`demo data: unknown signatory group ${key} of ${seed.key}`)
    return { pact_id: id, group_id: groupId }
  })
  if (groups.length) await trx.insertInto('pact_signatories').values(groups).execute()
  for (const to of path) {
    const step = await transitionPact(trx, city, id, { to })
    if (!step.ok)
      throw new Error(`demo data: ${seed.key} could not go to ${to}: ${step.code} ${step.message}`)
  }
}
