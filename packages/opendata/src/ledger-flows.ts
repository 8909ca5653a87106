import {
  type LedgerFlowsQuery,
  ledgerFlowsCellDegDefault,
  ledgerFlowsKAnonymityDefault,
} from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { parseTimeWindow } from '@quartiere/geo'
import { stringify } from 'csv-stringify/sync'
import { type Kysely, sql } from 'kysely'
import { invalidQuery, type OpenDataOutcome } from './outcome'

export interface LedgerFlowsRequest {
  from: Date | null
  to: Date | null
  cellDeg: number
  k: number
}

export function parseLedgerFlowsQuery(
  query: LedgerFlowsQuery,
): OpenDataOutcome<{ request: LedgerFlowsRequest }> {
  const window = parseTimeWindow(query.from, query.to)
  if (!window.ok) return invalidQuery(window.message, window.path?.slice(1) ?? 'from')
  return {
    ok: true,
    request: {
      from: window.value.from,
      to: window.value.to,
      cellDeg: query.cell ?? ledgerFlowsCellDegDefault,
      k: query.k ?? ledgerFlowsKAnonymityDefault,
    },
  }
}

export const ledgerFlowsColumns = [
  'month',
  'kind',
  'category',
  'cellMinLon',
  'cellMinLat',
  'cellMaxLon',
  'cellMaxLat',
  'exchanges',
  'hours',
  'members',
] as const

export interface LedgerFlows {
  csv: string
  cells: number
  suppressedCells: number
}

/**
 * Completed exchanges of the time bank (holds that were posted), aggregated per month of posting × kind and
 * skill category of the offer or request × grid cell of its place. A cell is published only when at least `k`
 * distinct members took part in it and it counts at least `k` exchanges; smaller cells are suppressed (and
 * counted, so the reader knows something was held back) — k-anonymity, so no member can be singled out.
 * Places are read through `visible_entities`: exchanges on things since removed from the map are not counted.
 */
export async function ledgerFlows(db: Kysely<DB>, request: LedgerFlowsRequest): Promise<LedgerFlows> {
  const { rows } = await sql<{
    month: string
    kind: string
    category: string
    cell_x: number
    cell_y: number
    exchanges: string
    hours: string
    members: string
  }>`
    WITH done AS (
      SELECT x.provider_id, x.receiver_id, p.amount, p.created_at, e.kind,
        coalesce(e.properties ->> 'skillCategory', 'other') AS category,
        floor(ST_X(ST_PointOnSurface(e.geom)) / ${request.cellDeg}::float8)::int AS cell_x,
        floor(ST_Y(ST_PointOnSurface(e.geom)) / ${request.cellDeg}::float8)::int AS cell_y
      FROM exchanges x
      JOIN transfers p ON p.pending_id = x.hold_id AND p.type = 'post_pending'
      JOIN visible_entities e ON e.id = x.entity_id
      WHERE (${request.from}::timestamptz IS NULL OR p.created_at >= ${request.from}::timestamptz)
        AND (${request.to}::timestamptz IS NULL OR p.created_at <= ${request.to}::timestamptz)
    )
    SELECT to_char(date_trunc('month', d.created_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, d.kind, d.category,
      d.cell_x, d.cell_y, count(*) AS exchanges, (sum(d.amount) / 100.0)::numeric(20, 2)::text AS hours,
      (SELECT count(DISTINCT m) FROM unnest(array_agg(d.provider_id) || array_agg(d.receiver_id)) AS m) AS members
    FROM done d
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5`.execute(db)
  const published = rows.filter((r) => Number(r.members) >= request.k && Number(r.exchanges) >= request.k)
  const round = (v: number) => Number(v.toFixed(6))
  const csv = stringify([
    [...ledgerFlowsColumns],
    ...published.map((r) => [
      r.month,
      r.kind,
      r.category,
      round(r.cell_x * request.cellDeg),
      round(r.cell_y * request.cellDeg),
      round((r.cell_x + 1) * request.cellDeg),
      round((r.cell_y + 1) * request.cellDeg),
      Number(r.exchanges),
      r.hours,
      Number(r.members),
    ]),
  ])
  return { csv, cells: published.length, suppressedCells: rows.length - published.length }
}
