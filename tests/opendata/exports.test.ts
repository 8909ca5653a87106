import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AuthTokens, EntityFeature } from '@quartiere/contracts'
import { cursorReadsMax } from '@quartiere/db'
import {
  csvExport,
  type ExportSource,
  exportProvenance,
  fgbExport,
  geojsonExport,
  type PublicFilters,
  parseMapStyleFilters,
} from '@quartiere/opendata'
import { geojson as fgb } from 'flatgeobuf'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point, turin } from '../support/fixtures'
import { rewritePast } from '../support/past'
import { bearer, createTestApp, type TestApp } from '../support/test-app'
import { completeExchange, createEntity, gdal, type Seeded, seedOpenData } from './support'

let t: TestApp
let seeded: Seeded
let dir: string

beforeAll(async () => {
  t = await createTestApp()
  seeded = await seedOpenData(t, 2500)
  dir = mkdtempSync(join(tmpdir(), 'quartiere-exports-'))
})
afterAll(async () => {
  await t?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function dbIds(where = sql`true`): Promise<Set<string>> {
  const { rows } = await sql<{
    id: string
  }>`SELECT id::text AS id FROM visible_entities e WHERE ${where}`.execute(t.database.db)
  return new Set(rows.map((r) => r.id))
}

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else if (c !== '\r') field += c
  }
  if (field || row.length) rows.push([...row, field])
  return rows
}

describe('how an export reads', () => {
  const filtersOf = (query: { bbox?: string; kinds?: string }): PublicFilters => {
    const parsed = parseMapStyleFilters(query)
    if (!parsed.ok) throw new Error('bad filters')
    return parsed.filters
  }
  async function exportedIds(source: ExportSource, filters: PublicFilters): Promise<string[]> {
    const chunks: string[] = []
    for await (const chunk of geojsonExport(source, filters, exportProvenance('geojson', filters, 'test')))
      chunks.push(chunk)
    return (JSON.parse(chunks.join('')) as { features: { id: string }[] }).features.map((f) => f.id)
  }

  it('reads the same features through a cursor, by keyset seeks, and when every cursor is taken', async () => {
    const { db, cursors } = t.database
    // A server-side cursor on PostgreSQL only: the embedded database's one connection is never held.
    expect(cursors === null).toBe(t.database.backend === 'pglite')
    for (const filters of [filtersOf({}), filtersOf({ bbox: '7.6,45.02,7.7,45.1', kinds: 'event,space' })]) {
      const byKeyset = await exportedIds({ db, cursors: null }, filters)
      expect(byKeyset.length).toBeGreaterThan(50)
      // Keyset seeks go in id order; a cursor in whatever order the plan reads.
      expect(byKeyset).toEqual([...byKeyset].sort())
      const byCursor = await exportedIds({ db, cursors }, filters)
      expect([...byCursor].sort()).toEqual(byKeyset)
      if (!cursors) continue
      // Every cursor taken by other readers: the export seeks by keyset instead of waiting.
      const held = Array.from({ length: cursorReadsMax }, () =>
        cursors.read(sql`SELECT n FROM generate_series(1, 10) n`.compile(db), 1),
      )
      for (const reader of held) expect((await reader.next()).done).toBe(false)
      expect(cursors.active).toBe(cursorReadsMax)
      expect(await exportedIds({ db, cursors }, filters)).toEqual(byKeyset)
      for (const reader of held) await reader.return(false)
      expect(cursors.active).toBe(0)
    }
  })

  it("counts a FlatGeobuf's features in the snapshot it reads them from, on PostgreSQL", async () => {
    const { db, cursors } = t.database
    const filters = filtersOf({})
    const stream = fgbExport({ db, cursors }, filters)
    const first = await stream.next()
    expect(first.done).toBe(false)
    // Written after the export began: a cursor does not see it, and its count did not either.
    const author = await t.signUp()
    await createEntity(t, author, { kind: 'news', title: 'Dopo', geometry: point(turin[0], turin[1]) })
    const chunks: Uint8Array[] = [first.value as Uint8Array]
    for (let next = await stream.next(); !next.done; next = await stream.next()) chunks.push(next.value)
    const bytes = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0))
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.length
    }
    let read = 0
    for await (const _ of fgb.deserialize(bytes)) read += 1
    // The header's count, as GDAL reports it.
    const file = join(dir, 'snapshot.fgb')
    writeFileSync(file, bytes)
    const count = Number(/Feature Count: (\d+)/.exec(await gdal('ogrinfo', ['-ro', '-so', '-al', file]))?.[1])
    // Keyset seeks (the embedded database) may or may not meet the new thing, depending on its random id. On
    // PostgreSQL the export must have read through a cursor, or the exact check below would be skipped.
    expect(cursors === null).toBe(t.database.backend === 'pglite')
    if (cursors) expect(read).toBe(count)
    expect(Math.abs(read - count)).toBeLessThanOrEqual(1)
  })

  it('gives the cursor back when the reader stops early or the query fails midway', async () => {
    const { db, cursors } = t.database
    const stream = csvExport({ db, cursors }, filtersOf({}))
    expect((await stream.next()).done).toBe(false)
    expect((await stream.next()).done).toBe(false)
    expect(cursors?.active ?? 0).toBe(cursors ? 1 : 0)
    await stream.return(undefined)
    expect(cursors?.active ?? 0).toBe(0)
    // What follows is for PostgreSQL's cursors, which must be there on that backend.
    expect(cursors === null).toBe(t.database.backend === 'pglite')
    if (!cursors) return
    // Division by zero at the 3,000th row, in the second batch of 2,000: the error reaches the reader, the slot
    // is free again and the pool still answers.
    const failing = cursors.read(
      sql`SELECT 1 / (n - 3000) AS x FROM generate_series(1, 5000) n`.compile(db),
      2000,
    )
    expect((await failing.next()).done).toBe(false)
    await expect(failing.next()).rejects.toThrow(/division by zero/)
    expect(cursors.active).toBe(0)
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db)
    expect(rows[0]?.one).toBe(1)
  })
})

describe('bulk exports', () => {
  it('GeoJSON: every public thing, with licence and provenance, and nothing about people', async () => {
    const response = await t.request({ method: 'GET', url: '/api/export/entities.geojson' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('application/geo+json')
    expect(response.headers.link).toContain('rel="license"')
    expect(response.headers['x-exported-at']).toBeDefined()
    const body = response.json() as {
      metadata: { licence: { name: string }; filters: unknown; exportedAt: string }
      features: { id: string; properties: Record<string, unknown> }[]
    }
    expect(body.metadata.licence.name).toMatch(/ODbL/)
    expect(new Set(body.features.map((f) => f.id))).toEqual(await dbIds())
    expect(body.features.map((f) => f.id)).not.toContain(seeded.deleted.id)
    const offer = body.features.find((f) => f.id === seeded.byKind.offer.id)!
    expect(offer.properties).toMatchObject({ kind: 'offer', hours: '1.50', skillCategory: 'education' })
    expect(response.body).not.toMatch(/@example\.org|"author"|displayName/)
  })

  it('filtered like the map query: kinds, bbox, time window', async () => {
    const response = await t.request({
      method: 'GET',
      url: '/api/export/entities.geojson?kinds=event,space&bbox=7.6,45.02,7.7,45.1&from=2018-01-01&to=2019-12-31',
    })
    const body = response.json() as {
      metadata: { filters: Record<string, unknown> }
      features: { id: string }[]
    }
    expect(body.metadata.filters).toMatchObject({ kinds: ['event', 'space'], bbox: [7.6, 45.02, 7.7, 45.1] })
    const expected = await dbIds(
      sql`e.kind IN ('event', 'space') AND ST_Intersects(e.geom, ST_MakeEnvelope(7.6, 45.02, 7.7, 45.1, 4326))
        AND e.validity && tstzrange('2018-01-01Z', '2019-12-31Z', '[]')`,
    )
    expect(expected.size).toBeGreaterThan(10)
    expect(new Set(body.features.map((f) => f.id))).toEqual(expected)
  })

  it('CSV: a header, one column per simple property, WKT geometry, quoting that survives commas and newlines', async () => {
    const author = await t.signUp()
    const tricky = await createEntity(t, author, {
      kind: 'news',
      title: 'Virgole, "virgolette"\ne a capo',
      geometry: point(turin[0], turin[1]),
    })
    const response = await t.request({ method: 'GET', url: '/api/export/entities.csv' })
    expect(response.headers['content-type']).toContain('text/csv')
    const [header, ...rows] = parseCsv(response.body)
    expect(header).toEqual(
      expect.arrayContaining([
        'id',
        'kind',
        'title',
        'validFrom',
        'zoomLevel',
        'skillCategory',
        'hours',
        'capacity',
        'wkt',
      ]),
    )
    expect(rows).toHaveLength((await dbIds()).size)
    const col = (name: string) => header!.indexOf(name)
    const row = rows.find((r) => r[col('id')] === tricky.id)!
    expect(row[col('title')]).toBe('Virgole, "virgolette"\ne a capo')
    expect(row[col('wkt')]).toBe(`POINT(${turin[0]} ${turin[1]})`)
    const space = rows.find((r) => r[col('id')] === seeded.byKind.space.id)!
    expect(space[col('capacity')]).toBe('80')
    expect(space[col('accessible')]).toBe('true')
  })

  it('FlatGeobuf: read back by the flatgeobuf package and by GDAL', async () => {
    const response = await t.request({
      method: 'GET',
      url: '/api/export/entities.fgb?kinds=offer,request,project',
    })
    expect(response.headers['content-type']).toBe('application/flatgeobuf')
    const expected = await dbIds(sql`e.kind IN ('offer', 'request', 'project')`)
    const features: { properties: Record<string, unknown>; geometry: { type: string } }[] = []
    for await (const feature of fgb.deserialize(new Uint8Array(response.rawPayload)))
      features.push(feature as never)
    expect(new Set(features.map((f) => String(f.properties.id)))).toEqual(expected)
    const project = features.find((f) => f.properties.id === seeded.byKind.project.id)!
    expect(project.geometry.type).toBe('Polygon')
    expect(project.properties, JSON.stringify(project.properties)).toMatchObject({
      status: 'proposal',
      budget: '1500.00',
      zoomLevel: seeded.byKind.project.properties.zoomLevel,
    })
    const file = join(dir, 'export.fgb')
    writeFileSync(file, response.rawPayload)
    const info = await gdal('ogrinfo', ['-ro', '-so', '-al', file])
    expect(Number(/Feature Count: (\d+)/.exec(info)?.[1])).toBe(expected.size)

    // Nothing matching is still a valid file, with no features.
    const empty = await t.request({ method: 'GET', url: '/api/export/entities.fgb?bbox=0,0,0.001,0.001' })
    expect(empty.statusCode).toBe(200)
    const none: unknown[] = []
    for await (const feature of fgb.deserialize(new Uint8Array(empty.rawPayload))) none.push(feature)
    expect(none).toEqual([])
    const emptyFile = join(dir, 'empty.fgb')
    writeFileSync(emptyFile, empty.rawPayload)
    const emptyInfo = await gdal('ogrinfo', ['-ro', '-so', '-al', emptyFile])
    expect(Number(/Feature Count: (\d+)/.exec(emptyInfo)?.[1])).toBe(0)
  })

  it('bad filters and formats are refused', async () => {
    for (const [url, status] of [
      ['/api/export/entities.geojson?kinds=dragons', 400],
      ['/api/export/entities.geojson?bbox=1,2', 400],
      ['/api/export/entities.geojson?author=x', 400],
      ['/api/export/entities.shp', 404],
    ] as const) {
      const response = await t.request({ method: 'GET', url })
      expect(response.statusCode, url).toBe(status)
      expect(response.headers['content-type'], url).toContain('application/problem+json')
    }
  })
})

describe('events.ics', () => {
  it('the events in a box and window as iCalendar', async () => {
    const all = await t.request({ method: 'GET', url: '/api/events.ics?from=2019-06-01&to=2019-06-30' })
    expect(all.statusCode).toBe(200)
    expect(all.headers['content-type']).toContain('text/calendar')
    expect(all.body).toContain('BEGIN:VCALENDAR')
    expect(all.body).toContain(`UID:${seeded.byKind.event.id}@quartiere`)
    expect(all.body).toContain('SUMMARY:Impresa di comunità generativa')
    expect(all.body).toContain('DTSTART:20190619T123000Z')
    const elsewhere = await t.request({
      method: 'GET',
      url: '/api/events.ics?bbox=12,41,12.5,42&from=2019-06-01&to=2019-06-30',
    })
    expect(elsewhere.body).not.toContain(seeded.byKind.event.id)
    const later = await t.request({ method: 'GET', url: '/api/events.ics?from=2030-01-01' })
    expect(later.body).not.toContain(seeded.byKind.event.id)
    expect((await t.request({ method: 'GET', url: '/api/events.ics?from=someday' })).statusCode).toBe(400)
  })
})

describe('ledger-flows.csv', () => {
  const exchange = (offer: EntityFeature, receiver: AuthTokens) => completeExchange(t, offer, receiver)

  it('aggregates completed exchanges and suppresses cells with fewer than k members; researchers only', async () => {
    const provider = await t.signUp()
    const busy = await createEntity(t, provider, {
      kind: 'offer',
      title: 'Riparazioni di biciclette',
      geometry: point(7.6855, 45.0705),
      properties: { hours: '1.00', skillCategory: 'repairs' },
    })
    const quiet = await createEntity(t, provider, {
      kind: 'offer',
      title: 'Lezioni di chitarra',
      geometry: point(7.6255, 45.0305),
      properties: { hours: '1.00', skillCategory: 'arts' },
    })
    for (let i = 0; i < 5; i++) await exchange(busy, await t.signUp())
    for (let i = 0; i < 2; i++) await exchange(quiet, await t.signUp())
    // Only months already over are published: these exchanges are posted on the last day of the previous month.
    const now = new Date()
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0, 12))
    const moved = await rewritePast(t.database.db, (trx) =>
      sql`
      UPDATE transfers SET created_at = ${lastMonth}::timestamptz
      WHERE type = 'post_pending'
        AND pending_id IN (SELECT hold_id FROM exchanges WHERE entity_id IN (${busy.id}::uuid, ${quiet.id}::uuid))`.execute(
        trx,
      ),
    )
    expect(Number(moved.numAffectedRows)).toBe(7)

    const url = '/api/export/ledger-flows.csv'
    expect((await t.request({ method: 'GET', url })).statusCode).toBe(401)
    const member = await t.signUp()
    expect((await t.request({ method: 'GET', url, headers: bearer(member) })).statusCode).toBe(403)

    const researcher = await t.signUp({ as: 'researcher' })
    const response = await t.request({ method: 'GET', url, headers: bearer(researcher) })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['x-k-anonymity']).toBe('5')
    expect(response.headers['x-suppressed-cells']).toBe('1')
    const [header, ...rows] = parseCsv(response.body)
    expect(header).toEqual([
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
    ])
    expect(rows).toHaveLength(1)
    const month = lastMonth.toISOString().slice(0, 7)
    expect(rows[0]).toEqual([month, 'offer', 'repairs', '7.68', '45.07', '7.69', '45.08', '5', '5.00', '6'])
    expect(response.body).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/)

    // No caller may lower k below the floor (5), which would show the quiet cell; a larger k hides the busy one
    // too. An admin may read them as well.
    const admin = await t.signUp({ as: 'admin' })
    const k2 = await t.request({ method: 'GET', url: `${url}?k=2`, headers: bearer(admin) })
    expect(k2.statusCode, k2.body).toBe(400)
    expect(k2.body).toContain('floor')
    expect((await t.request({ method: 'GET', url: `${url}?k=1`, headers: bearer(admin) })).statusCode).toBe(
      400,
    )
    const k6 = await t.request({ method: 'GET', url: `${url}?k=6`, headers: bearer(admin) })
    expect(k6.statusCode, k6.body).toBe(200)
    expect(parseCsv(k6.body).slice(1)).toHaveLength(0)
    expect(k6.headers['x-suppressed-cells']).toBe('2')
  })
})
