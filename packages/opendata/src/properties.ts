import {
  entityKinds,
  type OgcCollectionId,
  type OgcPropertyDescriptor,
  ogcCollectionProperties,
  ogcCommonProperties,
  ogcKindProperties,
} from '@quartiere/contracts'
import { uuidPattern } from '@quartiere/db'
import { type RawBuilder, type SqlBool, sql } from 'kysely'
import { invalidQuery, type OpenDataOutcome } from './outcome'

/** The SQL value (over `e`, a row of visible_entities) of each common property, as JSON-ready SQL. */
const commonSql: Record<string, RawBuilder<unknown>> = {
  kind: sql`e.kind`,
  title: sql`e.title`,
  description: sql`e.description`,
  validFrom: sql`quartiere_iso(e.valid_from)`,
  validTo: sql`quartiere_iso(e.valid_to)`,
  zoomLevel: sql`e.zoom_level`,
  parentId: sql`e.parent_id`,
  createdAt: sql`quartiere_iso(e.created_at)`,
  updatedAt: sql`quartiere_iso(e.updated_at)`,
}

/** A property's value as SQL: a column for the common ones, the jsonb member (typed) for kind-specific ones. */
export function propertyValueSql(property: OgcPropertyDescriptor): RawBuilder<unknown> {
  return commonSql[property.name] ?? sql`e.properties -> ${sql.lit(property.name)}`
}

/** The scalar properties exported for all kinds at once: the common ones, then each kind's, without repeats. */
export function exportProperties(): OgcPropertyDescriptor[] {
  const seen = new Map<string, OgcPropertyDescriptor>()
  for (const p of ogcCommonProperties) seen.set(p.name, p)
  for (const kind of entityKinds)
    for (const p of ogcKindProperties(kind)) if (!seen.has(p.name)) seen.set(p.name, p)
  return [...seen.values()]
}

export function isKindSpecific(name: string): boolean {
  return !(name in commonSql)
}

const integerPattern = /^[+-]?\d{1,9}$/

/**
 * `?name=value` on /items as SQL. GDAL sends integers for integer and boolean fields (1/0), strings otherwise;
 * the value is checked against the property's type so that a typo is a 400 rather than an empty page.
 */
export function equalityCondition(
  collectionId: OgcCollectionId,
  name: string,
  value: string,
): OpenDataOutcome<{ condition: RawBuilder<SqlBool> }> {
  const property = ogcCollectionProperties(collectionId).find((p) => p.name === name && p.filterable)
  if (!property) {
    return invalidQuery(
      `collection ${collectionId} has no property ${name} to filter on; see /ogc/api for its parameters`,
      name,
    )
  }
  switch (property.type) {
    case 'integer': {
      if (!integerPattern.test(value)) return invalidQuery(`${name} must be an integer`, name)
      const n = Number(value)
      const condition =
        name === 'zoomLevel'
          ? sql<SqlBool>`e.zoom_level = ${n}`
          : sql<SqlBool>`e.properties -> ${sql.lit(name)} = to_jsonb(${n}::int)`
      return { ok: true, condition }
    }
    case 'boolean': {
      const truth = ({ true: true, '1': true, false: false, '0': false } as Record<string, boolean>)[value]
      if (truth === undefined) return invalidQuery(`${name} must be true or false`, name)
      return {
        ok: true,
        condition: sql<SqlBool>`e.properties -> ${sql.lit(name)} = to_jsonb(${truth}::boolean)`,
      }
    }
    case 'string': {
      if (name === 'parentId') {
        if (!uuidPattern.test(value)) return invalidQuery('parentId must be a uuid', name)
        return { ok: true, condition: sql<SqlBool>`e.parent_id = ${value.toLowerCase()}::uuid` }
      }
      if (name === 'kind') return { ok: true, condition: sql<SqlBool>`e.kind = ${value}` }
      if (name === 'title') return { ok: true, condition: sql<SqlBool>`e.title = ${value}` }
      return { ok: true, condition: sql<SqlBool>`e.properties ->> ${sql.lit(name)} = ${value}` }
    }
    case 'date-time':
      // Declared not filterable above; reaching here is a bug in the property list.
      throw new Error(`date-time property ${name} is not an equality filter`)
    default: {
      const unhandled: never = property.type
      throw new Error(`unhandled property type ${unhandled}`)
    }
  }
}
