import { randomUUID } from 'node:crypto'
import type { Database } from '@quartiere/db'
import { type Actor, createCurrency } from '@quartiere/ledger'
import { sql } from 'kysely'

/** Members and a group straight in the database, for tests that drive the ledger's services directly. */
export async function insertMembers(database: Database, count: number, prefix: string): Promise<Actor[]> {
  const rows = await database.db
    .insertInto('users')
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: `${prefix}${i}.${randomUUID()}@example.org`,
        display_name: `${prefix} ${i}`,
        password_hash: '!',
      })),
    )
    .returning('id')
    .execute()
  return rows.map((r) => ({ userId: r.id, role: 'member' as const }))
}

export async function insertGroup(database: Database, owner: Actor): Promise<string> {
  const group = await database.db
    .insertInto('entities')
    .values({
      kind: 'group',
      title: 'Gruppo',
      geom: sql`ST_SetSRID(ST_MakePoint(7.68, 45.07), 4326)`,
      author_id: owner.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await database.db
    .insertInto('group_members')
    .values({ group_id: group.id, user_id: owner.userId, role: 'owner' })
    .execute()
  return group.id
}

export async function insertProject(database: Database, author: Actor): Promise<string> {
  const row = await database.db
    .insertInto('entities')
    .values({
      kind: 'project',
      title: 'Progetto',
      geom: sql`ST_SetSRID(ST_MakePoint(7.69, 45.08), 4326)`,
      author_id: author.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function issue(
  database: Database,
  owner: Actor,
  groupId: string,
  input: { code: string; kind: 'coin' | 'coupon'; supplyCap?: string },
) {
  const result = await createCurrency(database.db, owner, {
    code: input.code,
    name: input.code,
    kind: input.kind,
    issuerGroupId: groupId,
    terms: 'Test terms.',
    ...(input.supplyCap ? { supplyCap: input.supplyCap } : {}),
  })
  if (!result.ok) throw new Error(`issuing ${input.code}: ${result.code} ${result.message}`)
  return result.currency
}

/** The supply of a currency (minted and pending mints, less redeemed) in minor units, from its issuance account. */
export async function supplyOf(database: Database, code: string): Promise<bigint> {
  const row = await database.db
    .selectFrom('accounts')
    .select(['debits_posted', 'debits_pending', 'credits_posted'])
    .where('currency', '=', code)
    .where('system_name', '=', 'issuance')
    .executeTakeFirstOrThrow()
  return BigInt(row.debits_posted) + BigInt(row.debits_pending) - BigInt(row.credits_posted)
}
