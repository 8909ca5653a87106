import {
  flowCellDegreesMin,
  flowCellMultiples,
  type LedgerFlowsQuery,
  ledgerFlowsCellDegDefault,
  type UserRole,
} from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { stringify } from 'csv-stringify/sync'
import { type Kysely, sql } from 'kysely'
import { type FlowBucket, type FlowLeaf, publishedFlowCells } from './flow-suppression'
import { invalidQuery, type OpenDataOutcome } from './outcome'

/**
 * Who may download the ledger statistics: researchers and admins. The statistics route enforces it and the open
 * data catalog tells the reader with it, so the page offers the download to exactly those the route serves.
 */
export function mayReadLedgerFlows(role: UserRole | null): boolean {
  return role === 'researcher' || role === 'admin'
}

export interface LedgerFlowsRequest {
  /** The first month of the window (YYYY-MM, UTC), or null for all of history. */
  fromMonth: string | null
  /** The last month asked for (YYYY-MM, UTC), or null for up to the last month that is over. */
  toMonth: string | null
  /** Exchanges are counted from this instant (the start of fromMonth)… */
  from: Date | null
  /** …and before this one: the end of toMonth, never later than the start of the current month. */
  before: Date
  cellDeg: number
  /** The cell as a multiple of flowCellDegreesMin (one of flowCellMultiples). */
  cellMultiple: number
  /** The deployment's floor: the k every cell's suppression is decided with, whatever the caller asks. */
  floor: number
  /** The caller's k, at least the floor: it hides more published cells, never reveals another one. */
  k: number
}

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/

function monthStart(month: string): Date {
  return new Date(`${month}-01T00:00:00.000Z`)
}

function nextMonthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1))
}

/**
 * Reads the query of the ledger statistics. Every floor is a refusal (400), never a silent correction: a
 * researcher whose k, cell or window is refused learns why and what is allowed, and a downloaded file always
 * means exactly what its request said.
 */
export function parseLedgerFlowsQuery(
  query: LedgerFlowsQuery,
  floor: number,
  now: Date = new Date(),
): OpenDataOutcome<{ request: LedgerFlowsRequest }> {
  const k = query.k ?? floor
  if (k < floor)
    return invalidQuery(
      `k=${k} is below this server's floor: every published cell counts at least ${floor} distinct members and ${floor} exchanges; ask for k=${floor} or more`,
      'k',
    )
  const cellDeg = query.cell ?? ledgerFlowsCellDegDefault
  const cellMultiple = flowCellMultiples.find((m) => Math.abs(m * flowCellDegreesMin - cellDeg) < 1e-9)
  if (cellMultiple === undefined)
    return invalidQuery(
      `cell=${cellDeg} is not one of the grid sizes ${flowCellMultiples.map((m) => cellSize(m)).join(', ')} (degrees); the finest is ${flowCellDegreesMin}°, about a neighbourhood`,
      'cell',
    )
  for (const [name, value] of [
    ['from', query.from],
    ['to', query.to],
  ] as const) {
    if (value !== undefined && !monthPattern.test(value))
      return invalidQuery(
        `${name}=${value} is not a calendar month: the statistics count whole months (UTC), written YYYY-MM`,
        name,
      )
  }
  const fromMonth = query.from ?? null
  const toMonth = query.to ?? null
  if (fromMonth !== null && toMonth !== null && fromMonth > toMonth)
    return invalidQuery(`from=${fromMonth} is after to=${toMonth}`, 'from')
  // A month is published only once it is over: a month still running would change from one download to the
  // next, and the difference between two downloads would be the exchanges made in between.
  const currentMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
  const toEnd = toMonth === null ? currentMonth : nextMonthStart(monthStart(toMonth))
  return {
    ok: true,
    request: {
      fromMonth,
      toMonth,
      from: fromMonth === null ? null : monthStart(fromMonth),
      before: toEnd < currentMonth ? toEnd : currentMonth,
      cellDeg: cellSize(cellMultiple),
      cellMultiple,
      floor,
      k,
    },
  }
}

function cellSize(multiple: number): number {
  return Number((multiple * flowCellDegreesMin).toFixed(6))
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

/** Hours travel in hundredths (the TIME currency's scale is 2): exact, as a decimal string. */
function hoursOf(minor: bigint): string {
  return `${minor / 100n}.${(minor % 100n).toString().padStart(2, '0')}`
}

/**
 * Completed exchanges of the time bank (holds that were posted), aggregated per calendar month of posting × kind
 * and skill category of the offer or request × grid cell of its place. Only months already over are counted.
 *
 * Which cells are published is decided once for all requests (flow-suppression.ts): with the deployment's floor,
 * bottom-up over the nested grids, so that no combination of downloads — other windows, other grids, other k —
 * isolates fewer than `floor` members or exchanges. The caller's own k only hides more of those cells.
 * Suppressed cells are counted, so the reader knows something was held back; no totals are published (a total
 * minus the published cells would give the suppressed ones back).
 * Places are read through `visible_entities`: exchanges on things since removed from the map are not counted.
 */
export async function ledgerFlows(db: Kysely<DB>, request: LedgerFlowsRequest): Promise<LedgerFlows> {
  const cellsPerDegree = Math.round(1 / flowCellDegreesMin)
  const { rows } = await sql<{
    month: string
    kind: string
    category: string
    cell_x: number
    cell_y: number
    exchanges: string
    amount: string
    members: string
  }>`
    WITH done AS (
      SELECT x.provider_id, x.receiver_id, p.amount, p.created_at, e.kind,
        coalesce(e.properties ->> 'skillCategory', 'other') AS category,
        floor(ST_X(ST_PointOnSurface(e.geom)) * ${cellsPerDegree}::float8)::int AS cell_x,
        floor(ST_Y(ST_PointOnSurface(e.geom)) * ${cellsPerDegree}::float8)::int AS cell_y
      FROM exchanges x
      JOIN transfers p ON p.pending_id = x.hold_id AND p.type = 'post_pending'
      JOIN visible_entities e ON e.id = x.entity_id
      WHERE (${request.from}::timestamptz IS NULL OR p.created_at >= ${request.from}::timestamptz)
        AND p.created_at < ${request.before}::timestamptz
    )
    SELECT to_char(date_trunc('month', d.created_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, d.kind, d.category,
      d.cell_x, d.cell_y, count(*)::text AS exchanges, sum(d.amount)::text AS amount,
      (SELECT string_agg(DISTINCT m::text, ',') FROM unnest(array_agg(d.provider_id) || array_agg(d.receiver_id)) AS m)
        AS members
    FROM done d
    GROUP BY 1, 2, 3, 4, 5`.execute(db)
  const leaves: FlowLeaf[] = rows.map((r) => ({
    bucket: { month: r.month, kind: r.kind, category: r.category },
    x: r.cell_x,
    y: r.cell_y,
    exchanges: Number(r.exchanges),
    amountMinor: BigInt(r.amount),
    members: r.members.split(','),
  }))
  const { published, suppressed } = publishedFlowCells(leaves, {
    multiples: flowCellMultiples,
    multiple: request.cellMultiple,
    floor: request.floor,
  })
  const shown = published.filter((c) => c.members >= request.k && c.exchanges >= request.k)
  const edge = (index: number) => Number(((index * request.cellMultiple) / cellsPerDegree).toFixed(6))
  const byBucket = (a: FlowBucket, b: FlowBucket) =>
    a.month.localeCompare(b.month) || a.kind.localeCompare(b.kind) || a.category.localeCompare(b.category)
  shown.sort((a, b) => byBucket(a.bucket, b.bucket) || a.x - b.x || a.y - b.y)
  const csv = stringify([
    [...ledgerFlowsColumns],
    ...shown.map((c) => [
      c.bucket.month,
      c.bucket.kind,
      c.bucket.category,
      edge(c.x),
      edge(c.y),
      edge(c.x + 1),
      edge(c.y + 1),
      c.exchanges,
      hoursOf(c.amountMinor),
      c.members,
    ]),
  ])
  return { csv, cells: shown.length, suppressedCells: suppressed + published.length - shown.length }
}
