import { entityKinds } from '@quartiere/contracts'
import { type Bbox, parseBbox, parseTimeWindow } from '@quartiere/geo'
import { type RawBuilder, type SqlBool, sql } from 'kysely'
import { invalidQuery, type OpenDataOutcome } from './outcome'

/**
 * What a public reader may ask for: where, what, when. Every reader of this package (OGC API, tiles, exports,
 * calendar) selects from the view `visible_entities` aliased `e`, so that moderation and privacy rules defined
 * on the view hold here without this package knowing them.
 */
export interface PublicFilters {
  bbox?: Bbox
  kinds?: string[]
  from?: Date | null
  to?: Date | null
  categories?: string[]
  tags?: string[]
  /** Further conditions, e.g. OGC equality filters, already as SQL over `e`. */
  conditions?: RawBuilder<SqlBool>[]
}

/** Values in one comma-separated filter parameter. */
export const filterValuesMax = 50

/** The conditions of the filters, joined with AND (true when there are none). */
export function filtersWhere(filters: PublicFilters): RawBuilder<SqlBool> {
  const parts: RawBuilder<SqlBool>[] = []
  const { bbox } = filters
  if (bbox) {
    parts.push(
      sql<SqlBool>`ST_Intersects(e.geom, ST_MakeEnvelope(${bbox[0]}::float8, ${bbox[1]}::float8, ${bbox[2]}::float8, ${bbox[3]}::float8, 4326))`,
    )
  }
  if (filters.kinds?.length) parts.push(sql<SqlBool>`e.kind = ANY(${filters.kinds}::text[])`)
  if (filters.from || filters.to) {
    parts.push(
      sql<SqlBool>`e.validity && tstzrange(${filters.from ?? null}::timestamptz, ${filters.to ?? null}::timestamptz, '[]')`,
    )
  }
  if (filters.categories?.length) parts.push(sql<SqlBool>`e.categories && ${filters.categories}::text[]`)
  if (filters.tags?.length) parts.push(sql<SqlBool>`e.tags && ${filters.tags}::text[]`)
  for (const condition of filters.conditions ?? []) parts.push(condition)
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` AND `)})` : sql<SqlBool>`true`
}

export function parseList(
  text: string | undefined,
  parameter: string,
): OpenDataOutcome<{ values: string[] | undefined }> {
  if (text === undefined || text.trim() === '') return { ok: true, values: undefined }
  const values = [
    ...new Set(
      text
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ]
  if (values.length > filterValuesMax)
    return invalidQuery(
      `${parameter} lists ${values.length} values; the maximum is ${filterValuesMax}`,
      parameter,
    )
  return { ok: true, values }
}

export function parseKinds(text: string | undefined): OpenDataOutcome<{ kinds: string[] | undefined }> {
  const list = parseList(text, 'kinds')
  if (!list.ok) return list
  const unknown = list.values?.filter((k) => !(entityKinds as readonly string[]).includes(k)) ?? []
  if (unknown.length)
    return invalidQuery(`unknown kind ${unknown[0]}; kinds are ${entityKinds.join(', ')}`, 'kinds')
  return { ok: true, kinds: list.values }
}

/** bbox, kinds, from/to, categories and tags, as the map query spells them. */
export function parseMapStyleFilters(query: {
  bbox?: string | undefined
  kinds?: string | undefined
  from?: string | undefined
  to?: string | undefined
  categories?: string | undefined
  tags?: string | undefined
}): OpenDataOutcome<{ filters: PublicFilters }> {
  const filters: PublicFilters = {}
  if (query.bbox !== undefined) {
    const bbox = parseBbox(query.bbox)
    if (!bbox.ok) return invalidQuery(bbox.message, 'bbox')
    filters.bbox = bbox.value
  }
  const kinds = parseKinds(query.kinds)
  if (!kinds.ok) return kinds
  if (kinds.kinds) filters.kinds = kinds.kinds
  const window = parseTimeWindow(query.from, query.to)
  if (!window.ok) return invalidQuery(window.message, window.path?.slice(1) ?? 'from')
  filters.from = window.value.from
  filters.to = window.value.to
  for (const name of ['categories', 'tags'] as const) {
    const list = parseList(query[name], name)
    if (!list.ok) return list
    if (list.values) filters[name] = list.values
  }
  return { ok: true, filters }
}

/** The filters as they were applied, for the provenance of an export. */
export function describeFilters(filters: PublicFilters): Record<string, unknown> {
  return {
    ...(filters.bbox ? { bbox: filters.bbox } : {}),
    ...(filters.kinds ? { kinds: filters.kinds } : {}),
    ...(filters.from ? { from: filters.from.toISOString() } : {}),
    ...(filters.to ? { to: filters.to.toISOString() } : {}),
    ...(filters.categories ? { categories: filters.categories } : {}),
    ...(filters.tags ? { tags: filters.tags } : {}),
  }
}
