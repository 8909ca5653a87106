import {
  type OgcCollectionId,
  type OgcPropertyDescriptor,
  type OgcPropertyType,
  ogcCollectionProperties,
} from '@quartiere/contracts'
import { type RawBuilder, type SqlBool, sql } from 'kysely'
import {
  type Cql2Geometry,
  type Cql2IntervalBound,
  type Cql2Literal,
  type Cql2Node,
  type Cql2Property,
  type Cql2Temporal,
  isCql2Date,
  isCql2Instant,
  parseCql2Text,
} from './cql2-text'
import type { OpenDataOutcome } from './outcome'

/** The name of the geometry in filters, as the queryables document calls it. */
export const cql2GeometryProperty = 'geometry'

/** The languages `filter-lang` may name: CQL2 text, and `cql-text`, the draft's name GDAL's driver sends. */
export const cql2FilterLanguages = ['cql2-text', 'cql-text'] as const

/** The only `filter-crs`: coordinates in filters are lon/lat. */
export const cql2FilterCrs = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'

class FilterError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message)
  }
}

/** The typed SQL value (over `e`, a row of visible_entities) of each common property. */
const commonColumns: Record<string, RawBuilder<unknown>> = {
  kind: sql`e.kind`,
  title: sql`e.title`,
  description: sql`e.description`,
  validFrom: sql`e.valid_from`,
  validTo: sql`e.valid_to`,
  zoomLevel: sql`e.zoom_level`,
  parentId: sql`e.parent_id::text`,
  createdAt: sql`e.created_at`,
  updatedAt: sql`e.updated_at`,
}

/**
 * A kind-specific property read out of the jsonb document with its SQL type. A value of another JSON type is
 * NULL rather than a cast error: the document was validated on write, and a filter must never fail a request.
 */
function jsonMemberSql(name: string, type: OgcPropertyType): RawBuilder<unknown> {
  const member = sql`e.properties -> ${sql.lit(name)}`
  const text = sql`e.properties ->> ${sql.lit(name)}`
  switch (type) {
    case 'string':
      return sql`(CASE WHEN jsonb_typeof(${member}) = 'string' THEN ${text} END)`
    case 'integer':
      return sql`(CASE WHEN jsonb_typeof(${member}) = 'number' THEN (${text})::numeric END)`
    case 'boolean':
      return sql`(CASE WHEN jsonb_typeof(${member}) = 'boolean' THEN (${text})::boolean END)`
    case 'date-time':
      return sql`(CASE WHEN jsonb_typeof(${member}) = 'string' THEN (${text})::timestamptz END)`
    default: {
      const unhandled: never = type
      throw new Error(`unhandled property type ${unhandled}`)
    }
  }
}

/** GDAL writes a day as `2024-01-05T` (its datetime parameter does the same); a day it is. */
function asDay(text: string): string | undefined {
  const day = text.endsWith('T') ? text.slice(0, -1) : text
  return isCql2Date(day) ? day : undefined
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + 1)
  return date.toISOString()
}

const operators = {
  '=': sql.raw('='),
  '<>': sql.raw('<>'),
  '<': sql.raw('<'),
  '>': sql.raw('>'),
  '<=': sql.raw('<='),
  '>=': sql.raw('>='),
} as const

/**
 * Translates a parsed filter to SQL over `e` for one collection. Every value the client wrote becomes a bound
 * parameter; only the operators (from a closed set) and the property names (checked against the collection's
 * queryables) shape the SQL text.
 */
class Translator {
  private readonly properties: Map<string, OgcPropertyDescriptor>

  constructor(private readonly collectionId: OgcCollectionId) {
    this.properties = new Map(ogcCollectionProperties(collectionId).map((p) => [p.name, p]))
  }

  node(node: Cql2Node): RawBuilder<SqlBool> {
    switch (node.type) {
      case 'and':
      case 'or':
        return sql<SqlBool>`(${sql.join(
          node.args.map((arg) => this.node(arg)),
          node.type === 'and' ? sql` AND ` : sql` OR `,
        )})`
      case 'not':
        return sql<SqlBool>`(NOT ${this.node(node.arg)})`
      case 'boolean':
        return node.value ? sql<SqlBool>`true` : sql<SqlBool>`false`
      case 'compare':
        return this.comparison(node.property, node.op, node.value)
      case 'like': {
        const { column, property } = this.property(node.property)
        if (property.type !== 'string')
          throw new FilterError(
            `LIKE works on text; ${property.name} is ${article(property.type)}`,
            node.property.position,
          )
        const pattern = node.pattern.value as string
        return node.caseInsensitive
          ? sql<SqlBool>`(${column} ILIKE ${pattern})`
          : sql<SqlBool>`(${column} LIKE ${pattern})`
      }
      case 'between': {
        const { column, property } = this.property(node.property)
        if (property.type !== 'integer' && property.type !== 'date-time')
          throw new FilterError(
            `BETWEEN works on numbers and date-times; ${property.name} is ${article(property.type)}`,
            node.property.position,
          )
        const low = this.value(property, node.low)
        const high = this.value(property, node.high)
        if (low.day !== high.day)
          throw new FilterError(
            'BETWEEN takes two instants or two dates, not one of each',
            node.high.position,
          )
        const target = low.day ? sql`(${column} AT TIME ZONE 'UTC')::date` : column
        return sql<SqlBool>`(${target} BETWEEN ${low.sql} AND ${high.sql})`
      }
      case 'in': {
        const { column, property } = this.property(node.property)
        const values = node.values.map((v) => this.value(property, v))
        if (values.some((v) => v.day !== values[0]!.day))
          throw new FilterError('IN takes instants or dates, not a mix', node.values[0]!.position)
        const target = values[0]!.day ? sql`(${column} AT TIME ZONE 'UTC')::date` : column
        return sql<SqlBool>`(${target} IN (${sql.join(values.map((v) => v.sql))}))`
      }
      case 'isNull': {
        const { column } = this.property(node.property)
        return sql<SqlBool>`(${column} IS NULL)`
      }
      case 's_intersects': {
        if (node.property.name !== cql2GeometryProperty)
          throw new FilterError(
            `S_INTERSECTS compares the property "${cql2GeometryProperty}"; ${node.property.name} is not a geometry`,
            node.property.position,
          )
        return geometryCondition(node.geometry)
      }
      case 'temporal': {
        const left = this.range(node.left)
        const right = this.range(node.right)
        const op = { t_intersects: sql.raw('&&'), t_before: sql.raw('<<'), t_after: sql.raw('>>') }[node.op]
        return sql<SqlBool>`(${left} ${op} ${right})`
      }
      default: {
        const unhandled: never = node
        throw new Error(`unhandled filter node ${JSON.stringify(unhandled)}`)
      }
    }
  }

  private property(ref: Cql2Property): { column: RawBuilder<unknown>; property: OgcPropertyDescriptor } {
    const property = this.properties.get(ref.name)
    if (!property) {
      const hint =
        ref.name === cql2GeometryProperty
          ? 'the geometry is compared with S_INTERSECTS'
          : `see /ogc/collections/${this.collectionId}/queryables`
      throw new FilterError(
        `collection ${this.collectionId} has no queryable ${ref.name} (${hint})`,
        ref.position,
      )
    }
    const column = commonColumns[property.name] ?? jsonMemberSql(property.name, property.type)
    return { column, property }
  }

  private comparison(
    ref: Cql2Property,
    op: keyof typeof operators,
    literal: Cql2Literal,
  ): RawBuilder<SqlBool> {
    const { column, property } = this.property(ref)
    if (property.type === 'boolean' && op !== '=' && op !== '<>')
      throw new FilterError(`${property.name} is a boolean: compare it with = or <>`, ref.position)
    const value = this.value(property, literal)
    const target = value.day ? sql`(${column} AT TIME ZONE 'UTC')::date` : column
    return sql<SqlBool>`(${target} ${operators[op]} ${value.sql})`
  }

  /** A literal as a parameter of the property's SQL type; `day` when it is a date compared by calendar day. */
  private value(
    property: OgcPropertyDescriptor,
    literal: Cql2Literal,
  ): { sql: RawBuilder<unknown>; day: boolean } {
    const mismatch = (expected: string) =>
      new FilterError(`${property.name} is ${article(property.type)}: ${expected}`, literal.position)
    switch (property.type) {
      case 'string':
        if (literal.kind !== 'string') throw mismatch('compare it with a quoted string')
        return { sql: sql`${literal.value}::text`, day: false }
      case 'integer':
        if (literal.kind !== 'number') throw mismatch('compare it with a number')
        return { sql: sql`${String(literal.value)}::numeric`, day: false }
      case 'boolean':
        // GDAL's driver writes a boolean field's TRUE and FALSE as 1 and 0.
        if (literal.kind === 'boolean') return { sql: sql`${literal.value}::boolean`, day: false }
        if (literal.kind === 'number' && (literal.value === 0 || literal.value === 1))
          return { sql: sql`${literal.value === 1}::boolean`, day: false }
        throw mismatch('compare it with TRUE or FALSE')
      case 'date-time': {
        if (literal.kind === 'timestamp') return { sql: sql`${literal.value}::timestamptz`, day: false }
        if (literal.kind === 'date') return { sql: sql`${literal.value}::date`, day: true }
        if (literal.kind === 'string') {
          if (isCql2Instant(literal.value)) return { sql: sql`${literal.value}::timestamptz`, day: false }
          const day = asDay(literal.value)
          if (day) return { sql: sql`${day}::date`, day: true }
        }
        throw mismatch("compare it with TIMESTAMP('2024-01-05T10:00:00Z') or DATE('2024-01-05')")
      }
      default: {
        const unhandled: never = property.type
        throw new Error(`unhandled property type ${unhandled}`)
      }
    }
  }

  /** A temporal argument as a tstzrange: an instant is [t, t], a day [midnight, next midnight) in UTC. */
  private range(argument: Cql2Temporal): RawBuilder<unknown> {
    switch (argument.kind) {
      case 'property': {
        const { column, property } = this.property(argument.property)
        if (property.type !== 'date-time')
          throw new FilterError(
            `temporal functions compare date-times; ${property.name} is ${article(property.type)}`,
            argument.property.position,
          )
        // tstzrange(NULL, NULL) would be all of time; an unknown instant must match nothing instead.
        return sql`(CASE WHEN ${column} IS NULL THEN NULL ELSE tstzrange(${column}, ${column}, '[]') END)`
      }
      case 'timestamp':
        return sql`tstzrange(${argument.value}::timestamptz, ${argument.value}::timestamptz, '[]')`
      case 'date':
        return sql`tstzrange(${`${argument.value}T00:00:00Z`}::timestamptz, ${nextDay(argument.value)}::timestamptz, '[)')`
      case 'interval':
        return this.interval(argument.start, argument.end, argument.position)
      default: {
        const unhandled: never = argument
        throw new Error(`unhandled temporal argument ${JSON.stringify(unhandled)}`)
      }
    }
  }

  private interval(start: Cql2IntervalBound, end: Cql2IntervalBound, position: number): RawBuilder<unknown> {
    if (start.kind === 'property' || end.kind === 'property') {
      // The validity of a thing is the one interval a row has; it is stored as a range (open ends included).
      if (start.kind === 'property' && end.kind === 'property') {
        if (start.property.name === 'validFrom' && end.property.name === 'validTo') {
          this.property(start.property)
          return sql`e.validity`
        }
      }
      throw new FilterError(
        "the interval of a thing is INTERVAL(validFrom, validTo); other intervals are literals, like INTERVAL('2024-01-01', '..')",
        position,
      )
    }
    const lower =
      start.kind === 'open' ? null : start.kind === 'date' ? `${start.value}T00:00:00Z` : start.value
    const upper = end.kind === 'open' ? null : end.kind === 'date' ? nextDay(end.value) : end.value
    if (lower !== null && upper !== null && Date.parse(lower) > Date.parse(upper))
      throw new FilterError('the interval ends before it starts', position)
    const bounds = end.kind === 'date' ? '[)' : '[]'
    return sql`tstzrange(${lower}::timestamptz, ${upper}::timestamptz, ${bounds})`
  }
}

function article(type: OgcPropertyType): string {
  return { string: 'a string', integer: 'a number', boolean: 'a boolean', 'date-time': 'a date-time' }[type]
}

function envelope(west: number, south: number, east: number, north: number): RawBuilder<SqlBool> {
  return sql<SqlBool>`ST_Intersects(e.geom, ST_MakeEnvelope(${west}::float8, ${south}::float8, ${east}::float8, ${north}::float8, 4326))`
}

function geometryCondition(geometry: Cql2Geometry): RawBuilder<SqlBool> {
  if (geometry.type === 'BBox') {
    const [west, south, east, north] = geometry.bbox
    // A box whose west edge is east of its east edge crosses the antimeridian: two boxes, one each side.
    return west <= east
      ? envelope(west, south, east, north)
      : sql<SqlBool>`(${envelope(west, south, 180, north)} OR ${envelope(-180, south, east, north)})`
  }
  return sql<SqlBool>`ST_Intersects(e.geom, ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326))`
}

/**
 * The `filter` of /items as a SQL condition over `e`, or an `invalid_filter` failure with the 1-based character
 * position of what is wrong.
 */
export function cql2Condition(
  collectionId: OgcCollectionId,
  text: string,
): OpenDataOutcome<{ condition: RawBuilder<SqlBool> }> {
  const parsed = parseCql2Text(text)
  if (!parsed.ok)
    return { ok: false, code: 'invalid_filter', message: parsed.message, position: parsed.position }
  try {
    return { ok: true, condition: new Translator(collectionId).node(parsed.node) }
  } catch (error) {
    if (error instanceof FilterError)
      return { ok: false, code: 'invalid_filter', message: error.message, position: error.position }
    throw error
  }
}
