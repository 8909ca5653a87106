import type { DB } from '@quartiere/db'
import type { OutboxMatchState } from '@quartiere/realtime'
import { type Kysely, sql } from 'kysely'

/**
 * An entity's bbox, kind and time window as stored now: read before a change, it becomes the event's
 * `previous`. One primary-key lookup.
 */
export async function entityMatchState(db: Kysely<DB>, id: string): Promise<OutboxMatchState | undefined> {
  const row = await db
    .selectFrom('entities')
    .select([
      'kind',
      sql<string | null>`quartiere_iso(valid_from)`.as('valid_from'),
      sql<string | null>`quartiere_iso(valid_to)`.as('valid_to'),
      // The public geometry's box: viewports match on it, so it must not give a private location away.
      sql<number>`ST_XMin(public_geom)`.as('min_lon'),
      sql<number>`ST_YMin(public_geom)`.as('min_lat'),
      sql<number>`ST_XMax(public_geom)`.as('max_lon'),
      sql<number>`ST_YMax(public_geom)`.as('max_lat'),
    ])
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    bbox: [Number(row.min_lon), Number(row.min_lat), Number(row.max_lon), Number(row.max_lat)],
    kind: row.kind,
    validFrom: row.valid_from,
    validTo: row.valid_to,
  }
}
