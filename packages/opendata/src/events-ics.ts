import { type EventsIcsQuery, eventsIcsMax, openDataLicence } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { parseBbox, parseTimeWindow } from '@quartiere/geo'
import ical from 'ical-generator'
import { type Kysely, sql } from 'kysely'
import { filtersWhere, type PublicFilters } from './filters'
import { invalidQuery, type OpenDataOutcome } from './outcome'

/**
 * The events in a box and time window as an iCalendar feed (RFC 5545), for people to add to their calendars.
 * An event's time is its startsAt/endsAt; the window keeps events that overlap it. With `id`, only that event
 * (a file to add one event to a calendar); an id that is no public event gives an empty calendar.
 */
export async function eventsIcs(
  db: Kysely<DB>,
  query: EventsIcsQuery,
  links: { site: string },
): Promise<OpenDataOutcome<{ ics: string; count: number }>> {
  const filters: PublicFilters = { kinds: ['event'] }
  if (query.bbox !== undefined) {
    const bbox = parseBbox(query.bbox)
    if (!bbox.ok) return invalidQuery(bbox.message, 'bbox')
    filters.bbox = bbox.value
  }
  const window = parseTimeWindow(query.from, query.to)
  if (!window.ok) return invalidQuery(window.message, window.path?.slice(1) ?? 'from')
  const { from, to } = window.value
  const { rows } = await sql<{
    id: string
    title: string
    description: string
    starts_at: string
    ends_at: string
    address: string | null
    organizer: string | null
    url: string | null
    lon: number
    lat: number
    updated_at: Date
  }>`
    SELECT e.id::text AS id, e.title, e.description, e.properties->>'startsAt' AS starts_at,
      e.properties->>'endsAt' AS ends_at, e.properties->>'address' AS address,
      e.properties->>'organizer' AS organizer, e.properties->>'registrationUrl' AS url,
      ST_X(ST_PointOnSurface(e.geom)) AS lon, ST_Y(ST_PointOnSurface(e.geom)) AS lat, e.updated_at
    FROM visible_entities e
    WHERE ${filtersWhere(filters)} AND e.properties ? 'startsAt' AND e.properties ? 'endsAt'
      AND (${query.id ?? null}::uuid IS NULL OR e.id = ${query.id ?? null}::uuid)
      AND (${to}::timestamptz IS NULL OR (e.properties->>'startsAt')::timestamptz <= ${to}::timestamptz)
      AND (${from}::timestamptz IS NULL OR (e.properties->>'endsAt')::timestamptz >= ${from}::timestamptz)
    ORDER BY (e.properties->>'startsAt')::timestamptz, e.id
    LIMIT ${eventsIcsMax}`.execute(db)
  const calendar = ical({
    name: 'Quartiere: events',
    description: `Events on the neighbourhood map. ${openDataLicence.attribution}`,
    prodId: { company: 'Quartiere', product: 'events', language: 'IT' },
  })
  for (const row of rows) {
    calendar.createEvent({
      id: `${row.id}@quartiere`,
      start: new Date(row.starts_at),
      end: new Date(row.ends_at),
      stamp: new Date(row.updated_at),
      summary: row.title,
      // iCalendar's ORGANIZER needs an e-mail address, which open data never carries: the name goes in the text.
      ...(row.description || row.organizer
        ? {
            description: [row.description, row.organizer ? `Organizer: ${row.organizer}` : '']
              .filter(Boolean)
              .join('\n\n'),
          }
        : {}),
      location: { title: row.address ?? row.title, geo: { lat: row.lat, lon: row.lon } },
      url: row.url ?? `${links.site}/api/entities/${row.id}`,
    })
  }
  return { ok: true, ics: calendar.toString(), count: rows.length }
}
