import {
  type Dashboard,
  type DashboardMonth,
  dashboardMonthsMax,
  entityKinds,
  pactStatuses,
} from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'
import type { Actor } from './actor'
import type { MapOutcome } from './outcome'

/** Time credits have two decimals: 150 minor units are 1.50 hours. */
const timeScale = 2

/** Who reads the organisers' dashboard: an admin (the figures are aggregates, but of every member's activity). */
export function mayReadDashboard(actor: Actor): boolean {
  return actor.role === 'admin'
}

function monthIndex(month: string): number {
  const [year, number] = month.split('-').map(Number) as [number, number]
  return year * 12 + (number - 1)
}
function monthOf(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}
function monthStart(index: number): string {
  return `${monthOf(index)}-01T00:00:00Z`
}
function hoursOf(minor: bigint): string {
  const digits = minor.toString().padStart(timeScale + 1, '0')
  return `${digits.slice(0, -timeScale)}.${digits.slice(-timeScale)}`
}

/**
 * The organisers' figures for whole UTC months `from`..`to` (both included, at most `dashboardMonthsMax`): things
 * put on the map per month by kind, members active per month, exchanges of time confirmed and the hours they
 * moved (exact), and the pacts proposed in the range by their status now. Computed in SQL, one query each.
 *
 * @example
 * const result = await dashboardFigures(db, admin, { from: '2026-01', to: '2026-06' })
 */
export async function dashboardFigures(
  db: Kysely<DB>,
  actor: Actor,
  range: { from: string; to: string },
): Promise<MapOutcome<{ dashboard: Dashboard }>> {
  if (!mayReadDashboard(actor)) {
    return { ok: false, code: 'forbidden', message: 'only an admin reads the dashboard' }
  }
  const first = monthIndex(range.from)
  const last = monthIndex(range.to)
  if (last < first) return { ok: false, code: 'invalid_query', message: '`to` is before `from`' }
  if (last - first + 1 > dashboardMonthsMax) {
    return {
      ok: false,
      code: 'invalid_query',
      message: `the dashboard covers at most ${dashboardMonthsMax} months at once`,
    }
  }
  const start = monthStart(first)
  const end = monthStart(last + 1)
  const month = (column: string) =>
    sql<string>`to_char(date_trunc('month', ${sql.ref(column)} AT TIME ZONE 'UTC'), 'YYYY-MM')`

  const things = await db
    .selectFrom('entities')
    .select([month('created_at').as('month'), 'kind', sql<string>`count(*)`.as('count')])
    .where('deleted_at', 'is', null)
    .where('created_at', '>=', sql<Date>`${start}::timestamptz`)
    .where('created_at', '<', sql<Date>`${end}::timestamptz`)
    .groupBy([sql`1`, 'kind'])
    .execute()

  const active = await sql<{ month: string; count: string }>`
    SELECT to_char(date_trunc('month', at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, count(DISTINCT who) AS count
    FROM (
      SELECT author_id AS who, created_at AS at FROM entities WHERE created_at >= ${start}::timestamptz AND created_at < ${end}::timestamptz
      UNION ALL
      SELECT author_id, created_at FROM posts WHERE created_at >= ${start}::timestamptz AND created_at < ${end}::timestamptz
      UNION ALL
      SELECT author_id, created_at FROM comments WHERE created_at >= ${start}::timestamptz AND created_at < ${end}::timestamptz
      UNION ALL
      SELECT created_by, created_at FROM transfers
        WHERE created_by IS NOT NULL AND created_at >= ${start}::timestamptz AND created_at < ${end}::timestamptz
    ) activity
    GROUP BY 1`.execute(db)

  // An exchange of time is a hold on an offer or request; it is confirmed when the hold is posted.
  const exchanges = await sql<{ month: string; count: string; minor: string }>`
    SELECT to_char(date_trunc('month', p.created_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
           count(*) AS count, coalesce(sum(p.amount), 0) AS minor
    FROM transfers p JOIN transfers h ON h.id = p.pending_id
    WHERE p.type = 'post_pending' AND h.entity_id IS NOT NULL AND p.currency = 'TIME'
      AND p.created_at >= ${start}::timestamptz AND p.created_at < ${end}::timestamptz
    GROUP BY 1`.execute(db)

  const pacts = await db
    .selectFrom('entities')
    .select([sql<string>`properties->>'status'`.as('status'), sql<string>`count(*)`.as('count')])
    .where('kind', '=', 'project')
    .where(sql<boolean>`properties->>'projectType' = 'pact'`)
    .where('deleted_at', 'is', null)
    .where('created_at', '>=', sql<Date>`${start}::timestamptz`)
    .where('created_at', '<', sql<Date>`${end}::timestamptz`)
    .groupBy(sql`1`)
    .execute()

  const months: DashboardMonth[] = []
  for (let index = first; index <= last; index += 1) {
    const name = monthOf(index)
    const exchanged = exchanges.rows.find((row) => row.month === name)
    months.push({
      month: name,
      things: Object.fromEntries(
        entityKinds.map((kind) => [
          kind,
          Number(things.find((row) => row.month === name && row.kind === kind)?.count ?? 0),
        ]),
      ),
      activePeople: Number(active.rows.find((row) => row.month === name)?.count ?? 0),
      exchanges: Number(exchanged?.count ?? 0),
      hours: hoursOf(BigInt(exchanged?.minor ?? 0)),
    })
  }
  return {
    ok: true,
    dashboard: {
      from: range.from,
      to: range.to,
      kinds: [...entityKinds],
      months,
      pactsByStatus: pactStatuses.map((status) => ({
        status,
        count: Number(pacts.find((row) => row.status === status)?.count ?? 0),
      })),
    },
  }
}
